// How plans, limits, statuses and invoices read on the Billing page.
import type { AccountStatus, BillingSummary, Feature, Plan } from '../api/types';
import { formatMoney, toMicros } from '../ui/format';

export const FEATURE_NAMES: Record<Feature, string> = {
  core_crm: 'Core CRM',
  sms: 'SMS',
  email: 'Email',
  workflows: 'Workflows',
  ai_testing: 'AI testing',
  white_label: 'White-label',
  sub_accounts: 'Sub-accounts',
  dedicated_support: 'Dedicated support',
  sla: 'SLA',
};

export const STATUS_LABELS: Record<AccountStatus, string> = {
  active: 'Active',
  past_due: 'Past due',
  paused: 'Paused',
  archived: 'Archived',
};

const count = new Intl.NumberFormat('en-US');

export function formatCount(n: number): string {
  return count.format(n);
}

/** "5,000 contacts", "1 user", "Unlimited users". */
export function limitText(limit: number | null, noun: 'contact' | 'user'): string {
  if (limit === null) return `Unlimited ${noun}s`;
  return `${formatCount(limit)} ${limit === 1 ? noun : `${noun}s`}`;
}

/** "$97", "Free", or null when sales sets the price. */
export function planPrice(plan: Plan): string | null {
  if (plan.price_per_month === null) return null;
  return toMicros(plan.price_per_month) === 0n ? 'Free' : formatMoney(plan.price_per_month);
}

/** The paid tiers on sale, cheapest first (Free is where a cancelled plan ends up, not something to buy). */
export function paidTiers(summary: BillingSummary): Plan[] {
  return summary.plans.filter((p) => p.purchasable !== 'never');
}

export type PlanMove = 'subscribe' | 'upgrade' | 'downgrade';

/** What choosing `target` would be for this account, or null when it is the current paid plan. */
export function planMove(summary: BillingSummary, target: Plan): PlanMove | null {
  if (!summary.subscription) return 'subscribe';
  const rank = (id: string) => summary.plans.findIndex((p) => p.id === id);
  if (target.id === summary.plan.id) return null;
  return rank(target.id) > rank(summary.plan.id) ? 'upgrade' : 'downgrade';
}

export function daysUntil(iso: string | null, now = Date.now()): number {
  if (!iso) return 0;
  return Math.max(0, Math.ceil((Date.parse(iso) - now) / 86_400_000));
}

const INVOICE_REASONS: Record<string, string> = {
  subscription_create: 'New subscription',
  subscription_cycle: 'Renewal',
  subscription_update: 'Plan change',
  manual: 'One-off',
};

export function invoiceReason(reason: string | null): string {
  if (!reason) return 'Invoice';
  return INVOICE_REASONS[reason] ?? reason.replace(/_/g, ' ');
}

const INVOICE_STATUS: Record<string, string> = {
  paid: 'Paid',
  open: 'Unpaid',
  void: 'Void',
  uncollectible: 'Uncollectible',
  draft: 'Draft',
};

export function invoiceStatusLabel(status: string): string {
  return INVOICE_STATUS[status] ?? status;
}

export const SALES_EMAIL = 'sales@edge-crm.dev';
