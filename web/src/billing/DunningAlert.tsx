// The unpaid invoice, at the top of Billing while dunning chases it: how much,
// why the card failed, what happens next and when, where the account is on
// the way from past due to archived, and a way to pay now.
import type { DunningCase, DunningStage } from '../api/types';
import { formatDate, formatDateTime } from '../ui/format';
import { Icon } from '../ui/icons';
import { formatUsd } from '../wallet/money';

const STEPS: { stage: DunningStage; label: string }[] = [
  { stage: 'past_due', label: 'Payment failed' },
  { stage: 'warned', label: 'Warning sent' },
  { stage: 'paused', label: 'Automations paused' },
  { stage: 'downgraded', label: 'Moved to Free · day 7' },
  { stage: 'archived', label: 'Archived · day 30' },
];

function headline(stage: DunningStage, amount: string): string {
  switch (stage) {
    case 'warned':
      return `Payment of ${amount} failed twice`;
    case 'paused':
      return `Automations are paused: ${amount} is unpaid`;
    case 'downgraded':
      return `Moved to Free: ${amount} is unpaid`;
    case 'archived':
      return `Account archived: ${amount} is unpaid`;
    default:
      return `Payment of ${amount} failed`;
  }
}

const WHAT_IT_MEANS: Partial<Record<DunningStage, string>> = {
  past_due: 'The account is past due. Everything keeps working while the card is retried.',
  warned: 'The second attempt was declined too, and the account owner was emailed a warning.',
  paused: 'Workflows and automated sending are paused. You can still sign in, see everything and pay.',
  downgraded: 'The account moved to the Free plan and keeps all its data; paying brings the plan back.',
  archived: 'The account is read-only. Nothing has been deleted; paying makes it active again.',
};

function nextStep(c: DunningCase): string {
  const when = formatDate(c.next_action_at);
  if (c.next_action === 'archive') return `Archived (read-only) on ${when} unless it is paid.`;
  if (c.next_action !== 'retry') return 'Paying makes the account active again.';
  if (c.stage === 'past_due') return `The card is retried on ${when}. If that fails, the owner gets a warning.`;
  if (c.stage === 'warned') return `Next retry on ${when}. If it fails, automations pause.`;
  return `Last retry on ${when}. If it fails, the account moves to Free.`;
}

export function DunningAlert({ dunning: c, canPay, onPay }: { dunning: DunningCase; canPay: boolean; onPay: () => void }) {
  const amount = formatUsd(c.amount_due);
  if (c.status !== 'open') {
    return (
      <div className="alert alert-success billing-recovered" role="status">
        <Icon name="check" />
        <span>
          {c.status === 'recovered' ? (
            <>
              <strong>Paid.</strong> {amount} was received on {formatDate(c.resolved_at)}; the account is active again.
            </>
          ) : (
            <>
              <strong>Settled.</strong> The unpaid invoice of {amount} was closed on {formatDate(c.resolved_at)}; nothing is owed.
            </>
          )}
        </span>
      </div>
    );
  }
  const current = STEPS.findIndex((s) => s.stage === c.stage);
  const severe = c.stage !== 'past_due' && c.stage !== 'warned';
  return (
    <section className={`dunning-alert${severe ? ' is-severe' : ''}`} role="alert" aria-labelledby="dunning-title" data-testid="dunning-alert">
      <span className="dunning-icon" aria-hidden="true">
        <Icon name="alert" size={22} />
      </span>
      <div className="dunning-main">
        <h2 id="dunning-title">{headline(c.stage, amount)}</h2>
        <p className="dunning-meaning">{WHAT_IT_MEANS[c.stage]}</p>
        <dl className="dunning-facts">
          <div>
            <dt>What happened</dt>
            <dd>
              {c.last_error ?? 'The card was declined.'}{' '}
              <span className="subtle">
                {c.failures} failed {c.failures === 1 ? 'attempt' : 'attempts'} since {formatDateTime(c.started_at)}
              </span>
            </dd>
          </div>
          <div>
            <dt>Next step</dt>
            <dd data-testid="dunning-next">{nextStep(c)}</dd>
          </div>
        </dl>
        <ol className="dunning-steps" aria-label="Unpaid invoice steps">
          {STEPS.map((s, i) => (
            <li key={s.stage} className={i < current ? 'is-done' : i === current ? 'is-current' : undefined} aria-current={i === current ? 'step' : undefined}>
              <span className="dunning-step-dot" aria-hidden="true" />
              {s.label}
            </li>
          ))}
        </ol>
      </div>
      <div className="dunning-actions">
        {canPay ? (
          <button type="button" className="btn btn-primary" onClick={onPay}>
            <Icon name="card" />
            Pay now
          </button>
        ) : (
          <p className="subtle">Only owners and admins can pay.</p>
        )}
      </div>
    </section>
  );
}
