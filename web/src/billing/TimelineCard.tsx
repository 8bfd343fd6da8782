// Every billing step in plain words, newest first: subscriptions, plan
// changes, invoices paid, failed payments and each dunning step. Times are
// the billing clock's, which the sandbox clock can move ahead of today.
import { billing as billingApi } from '../api/endpoints';
import { EmptyState, ErrorAlert, Loading } from '../ui/components';
import { formatDateTime } from '../ui/format';
import { usePagedList } from '../ui/usePagedList';
import { LoadMore } from '../ui/LoadMore';

const TONES: Record<string, 'success' | 'danger' | 'warning' | 'primary'> = {
  subscribed: 'success',
  invoice_paid: 'success',
  payment_recovered: 'success',
  plan_restored: 'success',
  cancel_reverted: 'success',
  payment_failed: 'danger',
  account_paused: 'danger',
  downgraded_to_free: 'danger',
  account_archived: 'danger',
  warning_email_queued: 'warning',
  cancel_scheduled: 'warning',
  trial_ended: 'warning',
  plan_changed: 'primary',
  payment_method_updated: 'primary',
  custom_price_set: 'primary',
};

export function TimelineCard({ version }: { version: number }) {
  const list = usePagedList((cursor, signal) => billingApi.timeline(cursor, signal), [version]);
  const events = list.items;
  return (
    <section className="card" aria-labelledby="timeline-title">
      <div className="card-header">
        <h2 id="timeline-title">Billing timeline</h2>
      </div>
      {list.error !== undefined && !events ? (
        <div className="card-body">
          <ErrorAlert error={list.error} onRetry={list.reload} />
        </div>
      ) : !events ? (
        <Loading label="Loading timeline…" />
      ) : events.length === 0 ? (
        <EmptyState compact title="Nothing yet">
          Subscriptions, payments and plan changes are recorded here.
        </EmptyState>
      ) : (
        <>
          <ol className="timeline" aria-label="Billing timeline">
            {events.map((e) => (
              <li key={e.id} className={`timeline-item tone-${TONES[e.kind] ?? 'neutral'}`}>
                <span className="timeline-dot" aria-hidden="true" />
                <div className="timeline-body">
                  <p className="timeline-message">{e.message}</p>
                  <time className="subtle" dateTime={e.occurred_at}>
                    {formatDateTime(e.occurred_at)}
                  </time>
                </div>
              </li>
            ))}
          </ol>
          <LoadMore list={list} label="Earlier events" className="billing-more" />
        </>
      )}
    </section>
  );
}
