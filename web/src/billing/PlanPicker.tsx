// The paid tiers side by side with their limits and features, the current
// one marked, and the move each offers: subscribe, upgrade, downgrade, or a
// word with sales for Enterprise.
import type { BillingSummary, Plan } from '../api/types';
import { Icon } from '../ui/icons';
import { FEATURE_NAMES, limitText, paidTiers, planMove, planPrice, SALES_EMAIL, type PlanMove } from './plans';

const MOVE_LABELS: Record<PlanMove, string> = { subscribe: 'Subscribe', upgrade: 'Upgrade', downgrade: 'Downgrade' };

export function PlanPicker({ summary, canManage, onChoose }: { summary: BillingSummary; canManage: boolean; onChoose: (plan: Plan, move: PlanMove) => void }) {
  const owing = summary.dunning?.status === 'open';
  const note = !canManage
    ? 'Only owners and admins can change the plan.'
    : owing
      ? 'Plan changes open again once the unpaid invoice is paid.'
      : summary.subscription
        ? 'Upgrades are charged now for the rest of the period; downgrades credit the difference to the next invoice.'
        : 'Subscribing charges the first month now. Cancel any time; the plan runs to the end of the paid period.';
  return (
    <section className="billing-section" aria-labelledby="plans-title">
      <div className="billing-section-header">
        <h2 id="plans-title">Plans</h2>
        <p className="muted">{note}</p>
      </div>
      <div className="tiers">
        {paidTiers(summary).map((plan) => {
          const current = plan.id === summary.plan.id;
          const move = planMove(summary, plan);
          const price = planPrice(plan);
          return (
            <article key={plan.id} className={`tier${current ? ' is-current' : ''}`} aria-labelledby={`tier-${plan.id}`} data-testid={`tier-${plan.id}`}>
              <div className="tier-head">
                <h3 id={`tier-${plan.id}`}>{plan.name}</h3>
                {current && <span className="badge tier-current">{summary.plan_source === 'trial' ? 'Your trial' : 'Current plan'}</span>}
              </div>
              <div className="tier-price">
                {price === null ? (
                  <span className="tier-price-sales">Contact sales</span>
                ) : (
                  <>
                    {price}
                    <span>/month</span>
                  </>
                )}
              </div>
              <ul className="tier-limits">
                <li>
                  <Icon name="users" size={14} />
                  {limitText(plan.limits.contacts, 'contact')}
                </li>
                <li>
                  <Icon name="user" size={14} />
                  {limitText(plan.limits.users, 'user')}
                </li>
              </ul>
              <ul className="tier-features" aria-label={`${plan.name} features`}>
                {plan.features.map((f) => (
                  <li key={f}>
                    <Icon name="check" size={14} />
                    {FEATURE_NAMES[f] ?? f}
                  </li>
                ))}
              </ul>
              <div className="tier-action">
                {!canManage ? null : plan.purchasable === 'sales' ? (
                  <a className="btn btn-block" href={`mailto:${SALES_EMAIL}?subject=${encodeURIComponent('Enterprise plan')}`}>
                    <Icon name="mail" />
                    Contact sales
                  </a>
                ) : move === null ? (
                  <button type="button" className="btn btn-block" disabled>
                    <Icon name="check" />
                    Current plan
                  </button>
                ) : (
                  <button
                    type="button"
                    className={`btn btn-block${move === 'downgrade' ? '' : ' btn-primary'}`}
                    disabled={owing}
                    aria-label={`${MOVE_LABELS[move]} to ${plan.name}`}
                    onClick={() => onChoose(plan, move)}
                  >
                    {MOVE_LABELS[move]}
                  </button>
                )}
              </div>
            </article>
          );
        })}
      </div>
    </section>
  );
}
