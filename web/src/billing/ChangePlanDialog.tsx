// Confirms a subscribe, upgrade or downgrade: what it costs, when, and which
// card pays. The API's refusals (a declined card, data that does not fit a
// smaller plan) are shown here with its own words.
import { useState } from 'react';
import { ApiError } from '../api/client';
import { billing as billingApi } from '../api/endpoints';
import type { BillingSummary, Plan } from '../api/types';
import { Spinner } from '../ui/components';
import { Dialog } from '../ui/Dialog';
import { useToast } from '../ui/feedback';
import { formatDate } from '../ui/format';
import { Icon } from '../ui/icons';
import { formatUsd } from '../wallet/money';
import { canPickCard, cardLabel, DEFAULT_TEST_CARD, usePaymentConfig } from '../wallet/PaymentMethodCard';
import { CardChoice, type CardSelection } from './CardChoice';
import { limitText, planPrice, type PlanMove } from './plans';

const TITLES: Record<PlanMove, string> = { subscribe: 'Subscribe to', upgrade: 'Upgrade to', downgrade: 'Downgrade to' };

export function ChangePlanDialog({
  summary,
  target,
  move,
  onClose,
  onChanged,
}: {
  summary: BillingSummary;
  target: Plan | null;
  move: PlanMove | null;
  onClose: () => void;
  onChanged: (next: BillingSummary, message: string) => void;
}) {
  const toast = useToast();
  const config = usePaymentConfig();
  const [card, setCard] = useState<CardSelection>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);

  const close = () => {
    setCard(null);
    setError(null);
    onClose();
  };

  if (!target || !move) return null;

  const saved = summary.payment_method;
  // Without a saved card, subscribing needs one picked here.
  const chosenCard = move === 'subscribe' ? (saved ? card : (card ?? DEFAULT_TEST_CARD)) : null;
  const price = planPrice(target);
  const periodEnd = summary.subscription?.current_period_end ?? null;

  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      // A new key per submit: a retried request never subscribes or charges twice.
      const key = crypto.randomUUID();
      const next =
        move === 'subscribe'
          ? await billingApi.subscribe({ plan: target.id, ...(chosenCard ? { payment_method: chosenCard } : {}) }, key)
          : await billingApi.changePlan(target.id, key);
      const verb = move === 'subscribe' ? 'Subscribed to' : move === 'upgrade' ? 'Upgraded to' : 'Downgraded to';
      onChanged(next, `${verb} ${next.plan.name}`);
      close();
    } catch (err) {
      if (err instanceof ApiError) setError(err);
      else toast.error(err);
    } finally {
      setBusy(false);
    }
  };

  const monthly = target.price_per_month ? `${formatUsd(target.price_per_month)} a month` : '';
  const description =
    move === 'subscribe'
      ? `${formatUsd(target.price_per_month)} is charged now, then ${monthly} on the same day each month.${summary.plan_source === 'trial' ? ' Subscribing ends the trial.' : ''}`
      : move === 'upgrade'
        ? `The difference for the rest of this period is charged now (prorated); from ${formatDate(periodEnd)} it is ${monthly}.`
        : `${target.name} starts now. The unused part of ${summary.plan.name} is credited to your next invoice; from ${formatDate(periodEnd)} it is ${monthly}.`;
  const needsPicker = move === 'subscribe' && chosenCard !== null;

  return (
    <Dialog
      open
      onClose={close}
      title={`${TITLES[move]} ${target.name}`}
      description={description}
      onSubmit={submit}
      footer={
        <>
          <button type="button" className="btn" onClick={close}>
            Cancel
          </button>
          <button
            type="submit"
            className={`btn ${move === 'downgrade' ? 'btn-danger' : 'btn-primary'}`}
            disabled={busy || (needsPicker && !canPickCard(config.data))}
          >
            {busy && <Spinner />}
            {move === 'subscribe' ? `Subscribe · ${price}/month` : `${move === 'upgrade' ? 'Upgrade' : 'Downgrade'} to ${target.name}`}
          </button>
        </>
      }
    >
      <div className="stack">
        {error && (
          <div className="alert" role="alert">
            <Icon name="alert" />
            <span>
              {error.status === 402 ? 'Payment failed: ' : ''}
              {error.message}
            </span>
          </div>
        )}
        <fieldset className="plain-fieldset plan-compare" aria-label="The change">
          <div>
            <span className="subtle">{move === 'subscribe' ? (summary.plan_source === 'trial' ? 'Trial' : 'Now') : 'Current plan'}</span>
            <strong>{summary.plan.name}</strong>
            <span className="subtle">
              {limitText(summary.plan.limits.contacts, 'contact')} · {limitText(summary.plan.limits.users, 'user')}
            </span>
          </div>
          <Icon name="chevronRight" size={18} className="plan-compare-arrow" />
          <div>
            <span className="subtle">New plan</span>
            <strong>
              {target.name} · {price}/month
            </strong>
            <span className="subtle">
              {limitText(target.limits.contacts, 'contact')} · {limitText(target.limits.users, 'user')}
            </span>
          </div>
        </fieldset>
        {move === 'subscribe' ? (
          <CardChoice saved={saved} config={config} value={chosenCard} onChange={setCard} fallback={DEFAULT_TEST_CARD} />
        ) : move === 'upgrade' && saved ? (
          <p className="muted">
            Charged to <strong>{cardLabel(saved)}</strong>.
          </p>
        ) : null}
      </div>
    </Dialog>
  );
}
