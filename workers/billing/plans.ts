/**
 * The plans an account can be on, as a const catalogue: price in integer
 * micro-dollars a month, contact and user limits (null = unlimited) and the
 * features each includes. The platform sells PLATFORM_PLANS through its own
 * Stripe account; an agency's own tiers are a catalogue of the same shape
 * (agencyCatalogue) sold through its connected account (docs/decisions/0004,
 * 0005).
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
  /** A PlanId on the platform; an agency tier's key in an agency's catalogue. */
  id: string;
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
  /** An agency tier taken off sale: its subscribers keep it, nobody new can choose it. */
  retired?: boolean;
}

export interface PlanCatalogue {
  /** Names the catalogue in Stripe lookup keys: `platform`, or `agency-<account id>`. */
  id: string;
  currency: 'usd';
  interval: 'month';
  /** A new account's trial: which plan, for how long. */
  trialDays: number;
  /** Keyed by plan id; every catalogue has `free`, where an account lands when its subscription ends. */
  plans: Record<string, Plan>;
}

const CORE: readonly Feature[] = ['core_crm', 'sms', 'email'];
const PROFESSIONAL: readonly Feature[] = [...CORE, 'workflows', 'ai_testing'];
const AGENCY: readonly Feature[] = [...PROFESSIONAL, 'white_label', 'sub_accounts'];

/** The platform's tiers (PRD addendum 1.1) and the Free tier accounts fall back to. */
export const PLATFORM_PLANS: PlanCatalogue & { plans: Record<PlanId, Plan> } = {
  id: 'platform',
  currency: 'usd',
  interval: 'month',
  trialDays: 14,
  plans: {
    free: { id: 'free', name: 'Free', priceMicros: 0, limits: { contacts: 500, users: 1 }, features: ['core_crm'], rank: 0, purchasable: 'never' },
    starter: {
      id: 'starter',
      name: 'Starter',
      priceMicros: 97_000_000,
      limits: { contacts: 5_000, users: 3 },
      features: CORE,
      rank: 1,
      purchasable: 'self_serve',
    },
    professional: {
      id: 'professional',
      name: 'Professional',
      priceMicros: 297_000_000,
      limits: { contacts: 25_000, users: 10 },
      features: PROFESSIONAL,
      rank: 2,
      purchasable: 'self_serve',
    },
    agency: {
      id: 'agency',
      name: 'Agency',
      priceMicros: 497_000_000,
      limits: { contacts: 100_000, users: null },
      features: AGENCY,
      rank: 3,
      purchasable: 'self_serve',
    },
    enterprise: {
      id: 'enterprise',
      name: 'Enterprise',
      priceMicros: null,
      limits: { contacts: null, users: null },
      features: [...AGENCY, 'dedicated_support', 'sla'],
      rank: 4,
      purchasable: 'sales',
    },
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

/** The plan with this id in the catalogue, if there is one (ids come from requests and Stripe metadata). */
export function findPlan(catalogue: PlanCatalogue, id: string): Plan | null {
  return Object.hasOwn(catalogue.plans, id) ? catalogue.plans[id] : null;
}

// ------------------------------------------------------------------ an agency's own tiers (PRD addendum 2.4)

/** One of an agency's tiers as the agency defined it. */
export interface AgencyTier {
  key: string;
  name: string;
  priceMicros: number;
  contacts: number;
  /** null: as many users as the agency's own plan allows. */
  users: number | null;
  position: number;
  active: boolean;
}

/** What an agency keeps to itself: its clients cannot resell or white-label. */
const AGENCY_ONLY_FEATURES: readonly Feature[] = ['white_label', 'sub_accounts'];

/** A limit that never goes past the agency's own (null = unlimited). */
function within(limit: number | null, ceiling: number | null): number | null {
  if (ceiling === null) return limit;
  return limit === null ? ceiling : Math.min(limit, ceiling);
}

/**
 * An agency's tiers as the catalogue its connected account sells. A tier
 * gives its contact and user limits (never above the agency's own plan's)
 * and the agency plan's features except white-label and sub-accounts.
 * Tiers rank by price, so moving to a dearer one is an upgrade.
 *
 * @example agencyCatalogue('acc_1', PLATFORM_PLANS.plans.agency, [{ key: 'basic', name: 'Basic', priceMicros: 149_000_000, contacts: 2500, users: null, position: 0, active: true }]).plans.basic.limits // { contacts: 2500, users: null }
 */
export function agencyCatalogue(agencyAccountId: string, agencyPlan: Plan, tiers: readonly AgencyTier[]): PlanCatalogue {
  const features = agencyPlan.features.filter((f) => !AGENCY_ONLY_FEATURES.includes(f));
  const plans: Record<string, Plan> = { free: PLATFORM_PLANS.plans.free };
  [...tiers]
    .sort((a, b) => a.priceMicros - b.priceMicros || a.position - b.position)
    .forEach((tier, i) => {
      plans[tier.key] = {
        id: tier.key,
        name: tier.name,
        priceMicros: tier.priceMicros,
        limits: { contacts: within(tier.contacts, agencyPlan.limits.contacts), users: within(tier.users, agencyPlan.limits.users) },
        features,
        rank: i + 1,
        purchasable: tier.active ? 'self_serve' : 'never',
        retired: !tier.active,
      };
    });
  return { id: `agency-${agencyAccountId}`, currency: 'usd', interval: 'month', trialDays: 0, plans };
}
