// The plan the account is on now, where it comes from (trial, subscription,
// Free, the agency), its standing, and cancelling at period end or keeping it.
import { useState } from 'react';
import { billing as billingApi } from '../api/endpoints';
import type { BillingSummary } from '../api/types';
import { Spinner } from '../ui/components';
import { useConfirm, useToast } from '../ui/feedback';
import { formatDate } from '../ui/format';
import { Icon } from '../ui/icons';
import { cardLabel } from '../wallet/PaymentMethodCard';
import { daysUntil, limitText, planPrice, STATUS_LABELS } from './plans';

function Source({ summary: s }: { summary: BillingSummary }) {
  const end = formatDate(s.subscription?.current_period_end);
  switch (s.plan_source) {
    case 'trial': {
      const days = daysUntil(s.trial_ends_at);
      return (
        <>
          <strong>Free trial · {days === 0 ? 'ends today' : `${days} ${days === 1 ? 'day' : 'days'} left`}</strong> (until {formatDate(s.trial_ends_at)}).
          Subscribe to keep {s.plan.name}; otherwise the account moves to Free and keeps all its data.
        </>
      );
    }
    case 'subscription':
      if (s.dunning?.status === 'open') {
        return (
          <>
            <strong>Payment due.</strong> The charge for this period ({formatDate(s.subscription?.current_period_start)} – {end}) did not go through; see above.
          </>
        );
      }
      if (s.subscription?.cancel_at_period_end) {
        return (
          <>
            <strong>Cancels on {end}.</strong> {s.plan.name} stays until then; the account then moves to Free and keeps all its data. Nothing more is charged.
          </>
        );
      }
      return (
        <>
          <strong>Renews on {end}</strong>
          {s.payment_method ? `, charged to ${cardLabel(s.payment_method)}.` : '.'}
        </>
      );
    case 'agency':
      return (
        <>
          <strong>Through your agency.</strong> The agency that manages this account chooses and pays for its plan; ask it for changes.
        </>
      );
    default:
      return (
        <>
          <strong>Free plan.</strong> {limitText(s.plan.limits.contacts, 'contact')}, {limitText(s.plan.limits.users, 'user')} and the core CRM. Choose a plan
          below for more.
        </>
      );
  }
}

const SOURCE_BADGES: Record<BillingSummary['plan_source'], string> = {
  trial: 'Trial',
  subscription: 'Subscription',
  free: 'Free',
  agency: 'Agency managed',
};

export function CurrentPlanCard({
  summary: s,
  canManage,
  onChanged,
}: {
  summary: BillingSummary;
  canManage: boolean;
  onChanged: (next: BillingSummary) => void;
}) {
  const toast = useToast();
  const confirm = useConfirm();
  const [busy, setBusy] = useState(false);
  const price = planPrice(s.plan);
  const cancelling = Boolean(s.subscription?.cancel_at_period_end);

  const run = async (action: () => Promise<BillingSummary>, message: string) => {
    setBusy(true);
    try {
      onChanged(await action());
      toast.success(message);
    } catch (err) {
      toast.error(err);
    } finally {
      setBusy(false);
    }
  };

  const cancel = async () => {
    const ok = await confirm({
      title: `Cancel ${s.plan.name}?`,
      message: `${s.plan.name} stays until ${formatDate(s.subscription?.current_period_end)}. Then the account moves to Free and keeps all its data; nothing more is charged. You can change your mind until then.`,
      confirmLabel: 'Cancel plan',
      danger: true,
    });
    if (ok) await run(billingApi.cancel, `${s.plan.name} will end on ${formatDate(s.subscription?.current_period_end)}`);
  };

  return (
    <section className="card billing-card plan-card" aria-labelledby="plan-title">
      <div className="card-header">
        <h2 id="plan-title">Current plan</h2>
        <span className={`badge badge-standing-${s.status.replace('_', '-')}`} data-testid="account-status">
          {STATUS_LABELS[s.status]}
        </span>
      </div>
      <div className="card-body stack">
        <div className="plan-headline">
          <span className="plan-name" data-testid="current-plan">
            {s.plan.name}
          </span>
          <span className={`badge badge-source-${s.plan_source}`}>{SOURCE_BADGES[s.plan_source]}</span>
          <span className="spacer" />
          <span className="plan-price">
            {price === null ? (
              'Custom price'
            ) : price === 'Free' ? (
              '$0'
            ) : (
              <>
                {price}
                <span>/month</span>
              </>
            )}
          </span>
        </div>
        <p className="plan-source" data-testid="plan-source">
          <Source summary={s} />
        </p>
        <p className="subtle">
          {limitText(s.plan.limits.contacts, 'contact')} · {limitText(s.plan.limits.users, 'user')}
        </p>
      </div>
      {canManage && s.plan_source === 'subscription' && s.subscription && (
        <div className="card-footer plan-card-footer">
          {cancelling ? (
            <button
              type="button"
              className="btn btn-primary"
              disabled={busy}
              onClick={() => run(billingApi.resume, `${s.plan.name} will renew on ${formatDate(s.subscription?.current_period_end)}`)}
            >
              {busy ? <Spinner /> : <Icon name="refresh" />}
              Keep my plan
            </button>
          ) : (
            <button type="button" className="btn btn-danger-ghost" disabled={busy} onClick={cancel}>
              {busy && <Spinner />}
              Cancel plan
            </button>
          )}
        </div>
      )}
    </section>
  );
}
