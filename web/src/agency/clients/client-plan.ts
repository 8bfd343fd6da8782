// How a client's plan reads in the clients table and the plan dialog.
import { formatDate, formatMoney } from '../../ui/format';
import type { SubAccountSubscription } from '../agency.api';

export const STANDING_LABELS: Record<string, string> = {
  active: 'Active',
  past_due: 'Past due',
  paused: 'Paused',
  archived: 'Archived',
};

export interface PlanSummary {
  name: string;
  detail: string;
  /** A dot beside the name when something needs attention. */
  tone?: 'warning' | 'danger';
}

export function planSummary(p: SubAccountSubscription): PlanSummary {
  if (p.plan_source === 'agency_tier' && p.tier) {
    const price = `${formatMoney(p.tier.price)}/month`;
    if (p.dunning) return { name: p.tier.name, detail: `${price} · payment failed`, tone: 'danger' };
    if (p.subscription?.cancel_at_period_end) return { name: p.tier.name, detail: `Ends ${formatDate(p.subscription.current_period_end)}`, tone: 'warning' };
    return { name: p.tier.name, detail: p.subscription ? `${price} · renews ${formatDate(p.subscription.current_period_end)}` : price };
  }
  if (p.plan_source === 'agency') return { name: 'Included', detail: `On your ${p.plan.name} plan` };
  if (p.plan_source === 'free') return { name: 'Free', detail: 'No paid plan' };
  return { name: p.plan.name, detail: p.plan_source === 'trial' ? 'Trial' : 'Subscription' };
}
