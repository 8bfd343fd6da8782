/**
 * The plans an account can be on, as a const catalogue: price in integer
 * micro-dollars a month, contact and user limits (null = unlimited) and the
 * features each includes. The platform sells PLATFORM_PLANS through its own
 * Stripe account; an agency's own tiers will be a catalogue of the same
 * shape sold through its connected account (docs/decisions/0004).
 */

export const FEATURES = ['core_crm', 'sms', 'email', 'workflows', 'ai_testing', 'white_label', 'sub_accounts', 'dedicated_support', 'sla'] as const;
export type Feature = (typeof FEATURES)[number];

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

export type PlanId = 'free' | 'starter' | 'professional' | 'agency' | 'enterprise';
export const PLAN_IDS = ['free', 'starter', 'professional', 'agency', 'enterprise'] as const satisfies readonly PlanId[];

/** What a plan limits by count. */
export type LimitedResource = 'contacts' | 'users';

export interface Plan {
  id: PlanId;
  name: string;
  /** Monthly price in micro-dollars; null when priced by sales (Enterprise), 0 for Free. */
  priceMicros: number | null;
  /** null: unlimited. */
  limits: Record<LimitedResource, number | null>;
  features: readonly Feature[];
  /** Position on the ladder: a higher rank is an upgrade. */
  rank: number;
  /** Can be bought with POST /api/billing/subscribe (Free needs no subscription; Enterprise needs a price from sales). */
  purchasable: 'self_serve' | 'sales' | 'never';
}

export interface PlanCatalogue {
  /** Names the catalogue in Stripe lookup keys: `platform`, or an agency's id later. */
  id: string;
  currency: 'usd';
  interval: 'month';
  /** A new account's trial: which plan, for how long. */
  trialDays: number;
  plans: Record<PlanId, Plan>;
}

const CORE: readonly Feature[] = ['core_crm', 'sms', 'email'];
const PROFESSIONAL: readonly Feature[] = [...CORE, 'workflows', 'ai_testing'];
const AGENCY: readonly Feature[] = [...PROFESSIONAL, 'white_label', 'sub_accounts'];

/** The platform's tiers (PRD addendum 1.1) and the Free tier accounts fall back to. */
export const PLATFORM_PLANS: PlanCatalogue = {
  id: 'platform',
  currency: 'usd',
  interval: 'month',
  trialDays: 14,
  plans: {
    free: { id: 'free', name: 'Free', priceMicros: 0, limits: { contacts: 500, users: 1 }, features: ['core_crm'], rank: 0, purchasable: 'never' },
    starter: { id: 'starter', name: 'Starter', priceMicros: 97_000_000, limits: { contacts: 5_000, users: 3 }, features: CORE, rank: 1, purchasable: 'self_serve' },
    professional: { id: 'professional', name: 'Professional', priceMicros: 297_000_000, limits: { contacts: 25_000, users: 10 }, features: PROFESSIONAL, rank: 2, purchasable: 'self_serve' },
    agency: { id: 'agency', name: 'Agency', priceMicros: 497_000_000, limits: { contacts: 100_000, users: null }, features: AGENCY, rank: 3, purchasable: 'self_serve' },
    enterprise: { id: 'enterprise', name: 'Enterprise', priceMicros: null, limits: { contacts: null, users: null }, features: [...AGENCY, 'dedicated_support', 'sla'], rank: 4, purchasable: 'sales' },
  },
};

export function isPlanId(value: string): value is PlanId {
  return (PLAN_IDS as readonly string[]).includes(value);
}

/** The plans of a catalogue from cheapest to richest. */
export function planLadder(catalogue: PlanCatalogue): Plan[] {
  return Object.values(catalogue.plans).sort((a, b) => a.rank - b.rank);
}

/** The trial a new account of this kind starts with: agencies try Agency, everyone else Professional. */
export function trialPlanFor(catalogue: PlanCatalogue, kind: 'business' | 'agency' | 'sub_account'): Plan {
  return kind === 'agency' ? catalogue.plans.agency : catalogue.plans.professional;
}

export function planAllows(plan: Plan, feature: Feature): boolean {
  return plan.features.includes(feature);
}

/** True when `used` (after adding `adding`) stays within the plan's limit on `resource`. */
export function withinLimit(plan: Plan, resource: LimitedResource, used: number, adding = 1): boolean {
  const limit = plan.limits[resource];
  return limit === null || used + adding <= limit;
}

/**
 * The cheapest plan above `current` that satisfies `fits`: where to send an
 * account that hit a limit. Enterprise answers when nothing else does.
 *
 * @example upgradeFor(PLATFORM_PLANS, starter, (p) => withinLimit(p, 'contacts', 5000)) // professional
 */
export function upgradeFor(catalogue: PlanCatalogue, current: Plan, fits: (plan: Plan) => boolean): Plan | null {
  return planLadder(catalogue).find((p) => p.rank > current.rank && p.purchasable !== 'never' && fits(p)) ?? null;
}
