// A client's plan: what it is on now, and putting it on one of the agency's
// tiers (billed on the agency's own Stripe account, first month charged at
// once with a sandbox test card), moving it to another tier, or cancelling
// at the end of the paid period. Refusals — Stripe not connected, no tiers,
// a declined card — are shown in the API's words with the way forward.
import { useState } from 'react';
import { ApiError } from '../../api/client';
import { Link } from '../../shell/router';
import { ErrorAlert, Loading, Spinner } from '../../ui/components';
import { Dialog } from '../../ui/Dialog';
import { useConfirm, useToast } from '../../ui/feedback';
import { formatDate, formatMoney } from '../../ui/format';
import { useResource } from '../../ui/hooks';
import { Icon } from '../../ui/icons';
import { canPickCard, cardLabel, DEFAULT_TEST_CARD, TestCardPicker, usePaymentConfig } from '../../wallet/PaymentMethodCard';
import { formatUsd } from '../../wallet/money';
import { clientPlans, stripeConnect, tiers as tiersApi, type AgencyTier, type SubAccount, type SubAccountSubscription } from '../agency.api';
import { useCanManage } from '../AgencyOnly';
import { limitLine } from '../pricing/tier-text';

function CurrentPlan({ plan }: { plan: SubAccountSubscription }) {
  const sub = plan.subscription;
  let text: string;
  if (plan.plan_source === 'agency_tier' && plan.tier) {
    text = sub?.cancel_at_period_end
      ? `Cancelled: ${plan.tier.name} stays until ${formatDate(sub.current_period_end)}, then the client moves to Free and keeps its data.`
      : `${formatMoney(plan.tier.price)}/month${sub ? `, renews ${formatDate(sub.current_period_end)}` : ''}${plan.payment_method ? `, paid with ${cardLabel(plan.payment_method)}` : ''}.`;
  } else if (plan.plan_source === 'agency') {
    text = `Included in your ${plan.plan.name} plan: you pay for it, the client pays nothing. Put it on one of your tiers to bill the client yourself.`;
  } else if (plan.plan_source === 'free') {
    text = 'Free plan: no paid tier. Put it on one of your tiers for more contacts and users.';
  } else {
    text = plan.plan_source === 'trial' ? 'On a trial.' : 'Subscribed to a platform plan.';
  }
  return (
    <div className="client-plan-now" data-testid="client-plan-now">
      <span className="subtle">Now</span>
      <strong>{plan.tier?.name ?? (plan.plan_source === 'agency' ? `Included (${plan.plan.name})` : plan.plan.name)}</strong>
      <span className="muted">{text}</span>
    </div>
  );
}

export function ClientPlanDialog({
  client,
  onClose,
  onChanged,
}: {
  client: SubAccount;
  onClose: () => void;
  onChanged: (plan: SubAccountSubscription) => void;
}) {
  const toast = useToast();
  const confirm = useConfirm();
  const canManage = useCanManage();
  const config = usePaymentConfig();
  const data = useResource((signal) => Promise.all([clientPlans.get(client.id, signal), tiersApi.list(signal), stripeConnect.status(signal)]), [client.id]);
  const [choice, setChoice] = useState<string | null>(null);
  const [newCard, setNewCard] = useState(false);
  const [card, setCard] = useState(DEFAULT_TEST_CARD);
  const [busy, setBusy] = useState<'save' | 'cancel' | null>(null);
  const [error, setError] = useState<unknown>(null);

  const [plan, catalogue, stripe] = data.data ?? [];
  const currentKey = plan?.plan_source === 'agency_tier' ? (plan.tier?.key ?? null) : null;
  const subscribed = Boolean(plan?.subscription && currentKey);
  const selectedKey = choice ?? currentKey ?? catalogue?.tiers[0]?.key ?? null;
  const selected = catalogue?.tiers.find((t) => t.key === selectedKey) ?? null;
  const cancelling = Boolean(plan?.subscription?.cancel_at_period_end);
  const needsCard = !subscribed && !plan?.payment_method;
  const sendCard = needsCard || newCard;

  const apply = (next: SubAccountSubscription, message: string) => {
    if (data.data) data.setData([next, data.data[1], data.data[2]]);
    onChanged(next);
    toast.success(message);
  };

  const submit = async () => {
    if (!selected) return;
    setBusy('save');
    setError(null);
    try {
      const next = await clientPlans.put(client.id, { tier: selected.key, ...(sendCard ? { payment_method: card } : {}) }, crypto.randomUUID());
      apply(
        next,
        !subscribed
          ? `${client.name} is on ${selected.name}`
          : selected.key === currentKey
            ? `${client.name} keeps ${selected.name}`
            : `${client.name} moved to ${selected.name}`,
      );
      setChoice(null);
      setNewCard(false);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(null);
    }
  };

  const cancel = async () => {
    if (!plan?.tier) return;
    const ok = await confirm({
      title: `Cancel ${plan.tier.name} for ${client.name}?`,
      message: `${plan.tier.name} stays until ${formatDate(plan.subscription?.current_period_end)}, already paid for. Then ${client.name} moves to Free and keeps all its data; nothing more is charged. You can undo this until then.`,
      confirmLabel: 'Cancel plan',
      danger: true,
    });
    if (!ok) return;
    setBusy('cancel');
    setError(null);
    try {
      apply(await clientPlans.cancel(client.id), `${plan.tier.name} for ${client.name} ends on ${formatDate(plan.subscription?.current_period_end)}`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(null);
    }
  };

  const stripeReady = stripe?.onboarding_complete ?? false;
  const noTiers = catalogue !== undefined && catalogue.tiers.length === 0;
  const action = !selected
    ? null
    : !subscribed
      ? `Subscribe · ${formatMoney(selected.price)}/month`
      : selected.key !== currentKey
        ? `Move to ${selected.name}`
        : cancelling
          ? `Keep ${selected.name}`
          : null;

  return (
    <Dialog
      open
      onClose={onClose}
      title={`Plan for ${client.name}`}
      description={
        subscribed
          ? 'Clients pay for your tiers through your own Stripe account. Moving to another tier charges or credits the difference for the rest of the period.'
          : 'Clients pay for your tiers through your own Stripe account. Subscribing charges the first month now.'
      }
      onSubmit={submit}
      footer={
        <>
          {canManage && subscribed && !cancelling && (
            <button type="button" className="btn btn-danger-ghost" onClick={cancel} disabled={busy !== null}>
              {busy === 'cancel' && <Spinner />}
              Cancel plan
            </button>
          )}
          <span className="spacer" />
          <button type="button" className="btn" onClick={onClose}>
            Close
          </button>
          {canManage && (
            <button type="submit" className="btn btn-primary" disabled={busy !== null || !action || !stripeReady || (sendCard && !canPickCard(config.data))}>
              {busy === 'save' && <Spinner />}
              {action ?? 'Current tier'}
            </button>
          )}
        </>
      }
    >
      {data.error !== undefined && !data.data ? (
        <ErrorAlert error={data.error} onRetry={data.reload} />
      ) : !plan || !catalogue || !stripe ? (
        <Loading label="Loading the plan…" />
      ) : (
        <div className="stack">
          <CurrentPlan plan={plan} />
          {plan.dunning && (
            <div className="alert alert-warning" role="status">
              <Icon name="alert" />
              <span>
                The last payment of {formatUsd(plan.dunning.amount_due)} failed ({plan.dunning.failures} {plan.dunning.failures === 1 ? 'attempt' : 'attempts'}
                ). Saving a different card below pays with it from now on.
              </span>
            </div>
          )}
          {error !== null && <PlanError error={error} />}
          {!stripeReady ? (
            <div className="alert alert-warning" role="status">
              <Icon name="alert" />
              <div className="stack" style={{ gap: 6 }}>
                <span>
                  {stripe.connected
                    ? 'Stripe onboarding is not finished, so your Stripe account cannot take payments from clients yet.'
                    : 'Connect your Stripe account first: clients pay for your tiers through it.'}
                </span>
                <Link to="/agency/plans" className="alert-link">
                  {stripe.connected ? 'Finish onboarding on Plans & pricing' : 'Connect Stripe on Plans & pricing'}
                  <Icon name="chevronRight" size={14} />
                </Link>
              </div>
            </div>
          ) : noTiers ? (
            <div className="alert alert-info" role="status">
              <Icon name="alert" />
              <div className="stack" style={{ gap: 6 }}>
                <span>You have no tiers on sale yet.</span>
                <Link to="/agency/plans" className="alert-link">
                  Define your tiers on Plans & pricing
                  <Icon name="chevronRight" size={14} />
                </Link>
              </div>
            </div>
          ) : null}
          {catalogue.tiers.length > 0 && (
            <fieldset className="tier-options" disabled={!canManage}>
              <legend className="field-label">Tier</legend>
              {catalogue.tiers.map((t) => (
                <TierOption
                  key={t.key}
                  tier={t}
                  planUsers={catalogue.limits.users}
                  checked={t.key === selectedKey}
                  current={t.key === currentKey}
                  onChange={() => setChoice(t.key)}
                />
              ))}
            </fieldset>
          )}
          {canManage && stripeReady && selected && action && (
            <div className="stack client-plan-card">
              {!needsCard && plan.payment_method && (
                <label className="check">
                  <input type="checkbox" checked={newCard} onChange={(e) => setNewCard(e.target.checked)} />
                  <span>
                    Pay with a different card than <strong>{cardLabel(plan.payment_method)}</strong>
                  </span>
                </label>
              )}
              {sendCard && <TestCardPicker config={config} value={card} onChange={setCard} legend={`Card ${client.name} pays with`} />}
            </div>
          )}
        </div>
      )}
    </Dialog>
  );
}

function TierOption({
  tier,
  planUsers,
  checked,
  current,
  onChange,
}: {
  tier: AgencyTier;
  planUsers: number | null;
  checked: boolean;
  current: boolean;
  onChange: () => void;
}) {
  return (
    <label className="tier-option">
      <input type="radio" name="client-tier" value={tier.key} checked={checked} onChange={onChange} />
      <span className="tier-option-text">
        <span className="tier-option-name">
          {tier.name}
          {current && <span className="badge badge-current">Current</span>}
        </span>
        <span className="subtle">{limitLine(tier, planUsers)}</span>
      </span>
      <span className="tier-option-price">
        {formatMoney(tier.price)}
        <span>/month</span>
      </span>
    </label>
  );
}

/** The API's refusal, with the way forward when there is one. */
function PlanError({ error }: { error: unknown }) {
  const api = error instanceof ApiError ? error : null;
  const notConnected = api?.code === 'stripe_not_connected';
  const cardProblem = api?.fieldErrors.payment_method;
  return (
    <div className="alert" role="alert">
      <Icon name="alert" />
      <div className="stack" style={{ gap: 6 }}>
        <span>
          {api?.status === 402 ? 'Payment failed: ' : ''}
          {error instanceof Error ? error.message : 'Something went wrong.'}
        </span>
        {cardProblem && cardProblem !== api?.message && <span>{cardProblem}</span>}
        {notConnected && (
          <Link to="/agency/plans" className="alert-link">
            Go to Plans & pricing
            <Icon name="chevronRight" size={14} />
          </Link>
        )}
      </div>
    </div>
  );
}
