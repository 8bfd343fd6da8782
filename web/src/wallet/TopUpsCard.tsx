import { useState } from 'react';
import type { Page, TopUp } from '../api/types';
import { EmptyState, ErrorAlert, Loading } from '../ui/components';
import { formatDateTime, formatRelative } from '../ui/format';
import type { Resource } from '../ui/hooks';
import { formatUsd } from './money';

const STATUS_LABELS: Record<TopUp['status'], string> = {
  pending: 'Pending',
  succeeded: 'Succeeded',
  failed: 'Failed',
  requires_action: 'Needs action',
};

export function TopUpStatus({ status }: { status: TopUp['status'] }) {
  return <span className={`badge badge-${status.replace('_', '-')}`}>{STATUS_LABELS[status] ?? status}</span>;
}

const SHOW = 6;

export function TopUpsCard({ topUps }: { topUps: Resource<Page<TopUp>> }) {
  const [all, setAll] = useState(false);
  const list = topUps.data?.data ?? [];
  const shown = all ? list : list.slice(0, SHOW);
  return (
    <section className="card" aria-labelledby="topups-title">
      <div className="card-header">
        <h2 id="topups-title">Recent top-ups</h2>
      </div>
      {topUps.loading && !topUps.data ? (
        <Loading />
      ) : topUps.error !== undefined && !topUps.data ? (
        <div className="card-body">
          <ErrorAlert error={topUps.error} onRetry={topUps.reload} />
        </div>
      ) : list.length === 0 ? (
        <EmptyState compact title="No top-ups yet">
          Card payments into the wallet appear here.
        </EmptyState>
      ) : (
        <>
          <ul className="topup-list" aria-label="Top-ups">
            {shown.map((t) => (
              <li key={t.id} className="topup-item">
                <div className="topup-main">
                  <span className="topup-amount">{formatUsd(t.amount)}</span>
                  <span className="subtle" title={formatDateTime(t.created_at)}>
                    {t.kind === 'auto_recharge' ? 'Auto-recharge' : 'Card top-up'} · {formatRelative(t.created_at)}
                  </span>
                  {t.failure && t.status !== 'succeeded' && <span className="topup-failure">{t.failure}</span>}
                </div>
                <TopUpStatus status={t.status} />
              </li>
            ))}
          </ul>
          {list.length > SHOW && (
            <div className="topup-more">
              <button type="button" className="btn btn-ghost btn-sm" onClick={() => setAll((v) => !v)} aria-expanded={all}>
                {all ? 'Show fewer' : `Show all ${list.length}`}
              </button>
            </div>
          )}
        </>
      )}
    </section>
  );
}
