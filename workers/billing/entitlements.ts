import { queryAll, queryFirst } from '../platform/db';
import { AppError } from '../platform/errors';
import { formatUsd } from '../platform/money';
import type { AccountKind, AccountStatus } from '../tenancy/tenancy.service';
import {
  agencyCatalogue,
  FEATURE_NAMES,
  findPlan,
  PLATFORM_PLANS,
  planAllows,
  trialPlanFor,
  upgradeFor,
  withinLimit,
  type AgencyTier,
  type Feature,
  type LimitedResource,
  type Plan,
  type PlanCatalogue,
} from './plans';

/**
 * What an account may do now: its plan (and where the plan comes from) and
 * its standing (active, past_due, paused, archived). Everyone asks here:
 * contacts and the team before creating, sub-accounts before adding one,
 * workflows and automated sending before running (assertAccountCanAutomate),
 * and the API before any write (assertAccountWritable).
 *
 * A sub-account without a subscription of its own is covered by its agency:
 * the agency's plan sets its limits and the agency's standing is its own
 * (an agency that stops paying pauses its clients' automations too). A
 * sub-account the agency put on one of its own tiers (billed on the agency's
 * connected Stripe account) has that tier's limits instead, and the agency's
 * standing still counts.
 */

export type PlanSource = 'trial' | 'subscription' | 'free' | 'agency' | 'agency_tier';

export interface AccountStanding {
  accountId: string;
  kind: AccountKind;
  /** The effective status: the worse of the account's own and, when covered by its agency, the agency's. */
  status: AccountStatus;
  /** Set when the status comes from the agency rather than the account itself. */
  statusFromAgency: boolean;
  plan: Plan;
  source: PlanSource;
  /** When the trial ends (ms), while the plan is a trial. */
  trialEndsAt: number | null;
  /** The account whose plan applies: this one, or its agency's. */
  billedAccountId: string;
  /** The Stripe account that bills the plan: null for the platform, the agency's `acct_...` for an agency tier. */
  sellerStripeAccount: string | null;
  /** A sub-account's agency's account (null for agencies and businesses). */
  agencyAccountId: string | null;
}

const SEVERITY: Record<AccountStatus, number> = { active: 0, past_due: 1, paused: 2, archived: 3 };
const DAY_MS = 86_400_000;

interface StandingRow {
  id: string;
  kind: AccountKind;
  status: AccountStatus;
  created_at: number;
  plan: string | null;
  stripe_account: string | null;
  parent_id: string | null;
  parent_kind: AccountKind | null;
  parent_status: AccountStatus | null;
  parent_created_at: number | null;
  parent_plan: string | null;
}

function planFrom(
  catalogue: PlanCatalogue,
  stored: string | null,
  kind: AccountKind,
  createdAt: number,
): { plan: Plan; source: PlanSource; trialEndsAt: number | null } {
  if (stored !== null) {
    const plan = findPlan(catalogue, stored) ?? catalogue.plans.free;
    return { plan, source: plan.id === 'free' ? 'free' : 'subscription', trialEndsAt: null };
  }
  return { plan: trialPlanFor(catalogue, kind), source: 'trial', trialEndsAt: createdAt + catalogue.trialDays * DAY_MS };
}

/**
 * The account's plan and standing in one query. A missing subscription row
 * means the account is in its trial; the billing sweep moves it to Free when
 * the trial ends, so reading a plan never needs a clock.
 */
export async function accountStanding(db: D1Database, accountId: string, catalogue: PlanCatalogue = PLATFORM_PLANS): Promise<AccountStanding> {
  const row = await queryFirst<StandingRow>(
    db,
    `SELECT a.id, a.kind, a.status, a.created_at, s.plan, s.stripe_account,
            parent.id AS parent_id, parent.kind AS parent_kind, parent.status AS parent_status, parent.created_at AS parent_created_at, ps.plan AS parent_plan
       FROM accounts a
       LEFT JOIN subscriptions s ON s.account_id = a.id
       LEFT JOIN agencies ag ON a.kind = 'sub_account' AND ag.id = a.agency_id
       LEFT JOIN accounts parent ON parent.id = ag.account_id
       LEFT JOIN subscriptions ps ON ps.account_id = parent.id
      WHERE a.id = ?`,
    accountId,
  );
  if (!row) throw new AppError('not_found', `Account ${accountId} was not found.`);
  const agencyAccountId = row.kind === 'sub_account' ? row.parent_id : null;
  const parentStatus = row.parent_status ?? 'active';
  const fromAgency = agencyAccountId !== null && SEVERITY[parentStatus] > SEVERITY[row.status];
  const status = fromAgency ? parentStatus : row.status;
  // Agencies are always on the platform's plans, whatever catalogue the caller sells.
  const agencyPlan = () => planFrom(PLATFORM_PLANS, row.parent_plan, row.parent_kind ?? 'agency', row.parent_created_at ?? row.created_at);
  if (agencyAccountId !== null && row.plan === null) {
    const parent = agencyPlan();
    return {
      accountId: row.id,
      kind: row.kind,
      status,
      statusFromAgency: fromAgency,
      plan: parent.plan,
      source: 'agency',
      trialEndsAt: parent.trialEndsAt,
      billedAccountId: agencyAccountId,
      sellerStripeAccount: null,
      agencyAccountId,
    };
  }
  if (agencyAccountId !== null && row.stripe_account !== null && row.plan !== null && row.plan !== 'free') {
    const tiers = await loadAgencyCatalogue(db, agencyAccountId, agencyPlan().plan);
    const tier = findPlan(tiers, row.plan);
    return {
      accountId: row.id,
      kind: row.kind,
      status,
      statusFromAgency: fromAgency,
      plan: tier ?? PLATFORM_PLANS.plans.free,
      source: tier ? 'agency_tier' : 'free',
      trialEndsAt: null,
      billedAccountId: row.id,
      sellerStripeAccount: row.stripe_account,
      agencyAccountId,
    };
  }
  const own = planFrom(catalogue, row.plan, row.kind, row.created_at);
  return {
    accountId: row.id,
    kind: row.kind,
    status,
    statusFromAgency: fromAgency,
    ...own,
    billedAccountId: row.id,
    sellerStripeAccount: row.stripe_account,
    agencyAccountId,
  };
}

interface AgencyTierRow {
  key: string;
  name: string;
  price_micros: number;
  contacts: number;
  users: number | null;
  position: number;
  active: number;
}

/**
 * The catalogue of tiers an agency sells to its sub-accounts (retired ones
 * included, so their subscribers keep their limits), built on the agency's
 * own platform plan.
 */
export async function loadAgencyCatalogue(db: D1Database, agencyAccountId: string, agencyPlan?: Plan): Promise<PlanCatalogue> {
  const [plan, rows] = await Promise.all([
    agencyPlan ?? accountStanding(db, agencyAccountId).then((s) => s.plan),
    queryAll<AgencyTierRow>(
      db,
      'SELECT key, name, price_micros, contacts, users, position, active FROM agency_tiers WHERE account_id = ? ORDER BY position, key',
      agencyAccountId,
    ),
  ]);
  const tiers: AgencyTier[] = rows.map((r) => ({
    key: r.key,
    name: r.name,
    priceMicros: r.price_micros,
    contacts: r.contacts,
    users: r.users,
    position: r.position,
    active: r.active === 1,
  }));
  return agencyCatalogue(agencyAccountId, plan, tiers);
}

/** The catalogue upgrades are offered from: the agency's tiers for an account on one, the platform's otherwise. */
async function catalogueFor(db: D1Database, standing: AccountStanding): Promise<PlanCatalogue> {
  return standing.source === 'agency_tier' && standing.agencyAccountId ? loadAgencyCatalogue(db, standing.agencyAccountId) : PLATFORM_PLANS;
}

/** How much of each limited resource the account uses now. */
export async function countUsage(db: D1Database, accountId: string): Promise<Record<LimitedResource, number> & { sub_accounts: number }> {
  const row = await queryFirst<{ contacts: number; users: number; sub_accounts: number }>(
    db,
    `SELECT (SELECT COUNT(*) FROM contacts WHERE account_id = ?1) AS contacts,
            (SELECT COUNT(*) FROM memberships WHERE account_id = ?1) AS users,
            (SELECT COUNT(*) FROM accounts s JOIN agencies ag ON ag.id = s.agency_id WHERE ag.account_id = ?1 AND s.kind = 'sub_account') AS sub_accounts`,
    accountId,
  );
  return { contacts: row?.contacts ?? 0, users: row?.users ?? 0, sub_accounts: row?.sub_accounts ?? 0 };
}

const COUNTED_TABLE: Record<LimitedResource, string> = { contacts: 'contacts', users: 'memberships' };

async function countOne(db: D1Database, accountId: string, resource: LimitedResource): Promise<number> {
  return (await queryFirst<{ n: number }>(db, `SELECT COUNT(*) AS n FROM ${COUNTED_TABLE[resource]} WHERE account_id = ?`, accountId))?.n ?? 0;
}

/**
 * The last statement of a batch that creates a contact or user under a
 * limit: it fails the whole batch (see migration 0011) when the count, the
 * batch's own insert included, is over `limit`. The check before the batch
 * explains the limit; this one makes it hold when requests race.
 */
export function planLimitGuard(db: D1Database, accountId: string, resource: LimitedResource, limit: number): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO plan_limit_guards (account_id, resource, within_limit)
       SELECT ?1, ?2, COUNT(*) <= ?3 FROM ${COUNTED_TABLE[resource]} WHERE account_id = ?1
       ON CONFLICT (account_id, resource) DO UPDATE SET within_limit = excluded.within_limit`,
    )
    .bind(accountId, resource, limit);
}

/** Whether a batch failed because its planLimitGuard found the limit taken. */
export function isPlanLimitGuardFailure(err: unknown): boolean {
  const message = err instanceof Error ? `${err.message} ${String((err as { cause?: unknown }).cause ?? '')}` : String(err);
  return /CHECK constraint failed: plan_limit_exceeded/.test(message);
}

/** 25000 → "25,000" without depending on locale data. */
export function formatCount(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

const RESOURCE_NAMES: Record<LimitedResource, [string, string]> = { contacts: ['contact', 'contacts'], users: ['user', 'users'] };

function limitText(plan: Plan, resource: LimitedResource): string {
  const limit = plan.limits[resource];
  return limit === null ? `unlimited ${RESOURCE_NAMES[resource][1]}` : `${formatCount(limit)} ${RESOURCE_NAMES[resource][limit === 1 ? 0 : 1]}`;
}

const agencyManaged = (standing: AccountStanding) => standing.source === 'agency' || standing.source === 'agency_tier';

function planLabel(standing: AccountStanding): string {
  if (standing.source === 'trial') return `${standing.plan.name} trial`;
  if (agencyManaged(standing)) return `agency's ${standing.plan.name} plan`;
  return `${standing.plan.name} plan`;
}

/** Where to go from here: the plan to upgrade to, in the problem's `upgrade` member. */
function upgradePath(target: Plan | null, standing: AccountStanding) {
  if (!target) return null;
  const price = target.priceMicros === null ? null : formatUsd(target.priceMicros);
  return {
    plan: target.id,
    name: target.name,
    price_per_month: price,
    how: agencyManaged(standing)
      ? "Your agency manages this account's plan; ask them to upgrade."
      : target.purchasable === 'sales'
        ? 'Contact sales (sales@edge-crm.dev) for an Enterprise price.'
        : `POST /api/billing/${standing.source === 'subscription' ? 'upgrade' : 'subscribe'} with {"plan":"${target.id}"}, or Billing in the app.`,
  };
}

function upgradeSentence(target: Plan | null, what: string, standing: AccountStanding): string {
  if (!target) return '';
  const who = agencyManaged(standing) ? ' Ask your agency to upgrade' : ' Upgrade';
  if (target.purchasable === 'sales') return `${who} to Enterprise (talk to sales) for ${what}.`;
  return `${who} to ${target.name} ($${formatUsd(target.priceMicros ?? 0).replace(/\.0+$/, '')}/month) for ${what}.`;
}

/**
 * Refuses creating `adding` more contacts or users past the plan's limit with
 * `plan_limit_reached` (403), naming the limit, the usage and the upgrade.
 * Data already over the limit (after a downgrade) stays; only new creation is
 * refused. Answers the limit (null: unlimited) for the batch's planLimitGuard.
 *
 * @example const limit = await assertWithinPlanLimit(db, accountId, 'contacts') // before inserting a contact
 */
export async function assertWithinPlanLimit(db: D1Database, accountId: string, resource: LimitedResource, adding = 1): Promise<number | null> {
  const standing = await accountStanding(db, accountId);
  const limit = standing.plan.limits[resource];
  if (limit === null) return null;
  const used = await countOne(db, accountId, resource);
  if (withinLimit(standing.plan, resource, used, adding)) return limit;
  const target = upgradeFor(await catalogueFor(db, standing), standing.plan, (p) => withinLimit(p, resource, used, adding));
  const [one, many] = RESOURCE_NAMES[resource];
  throw new AppError(
    'plan_limit_reached',
    `This account has ${formatCount(used)} ${used === 1 ? one : many}; the ${planLabel(standing)} includes ${limitText(standing.plan, resource)}.${upgradeSentence(target, limitText(target ?? standing.plan, resource), standing)}`,
    { extensions: { plan: standing.plan.id, plan_source: standing.source, limit: { resource, limit, used }, upgrade: upgradePath(target, standing) } },
  );
}

/**
 * After a planLimitGuard failure: the same explained refusal as before the
 * batch, now that the racing request has taken the last place (or a retry
 * hint if, by now, a place has come free again).
 */
export async function refuseAfterLimitRace(db: D1Database, accountId: string, resource: LimitedResource): Promise<never> {
  await assertWithinPlanLimit(db, accountId, resource);
  throw new AppError('conflict', `Another request took the account's last free place for ${RESOURCE_NAMES[resource][1]} at the same moment; try again.`);
}

/**
 * Refuses a feature the plan does not include (workflows, AI testing,
 * white-label, sub-accounts, ...) with `plan_limit_reached` (403) and the
 * plan that includes it.
 */
export async function assertPlanFeature(db: D1Database, accountId: string, feature: Feature): Promise<void> {
  const standing = await accountStanding(db, accountId);
  if (planAllows(standing.plan, feature)) return;
  const target = upgradeFor(await catalogueFor(db, standing), standing.plan, (p) => planAllows(p, feature));
  throw new AppError(
    'plan_limit_reached',
    `${FEATURE_NAMES[feature]} ${feature === 'sub_accounts' ? 'are' : 'is'} not included in the ${planLabel(standing)}.${upgradeSentence(target, FEATURE_NAMES[feature].toLowerCase(), standing)}`,
    { extensions: { plan: standing.plan.id, plan_source: standing.source, feature, upgrade: upgradePath(target, standing) } },
  );
}

/**
 * The one check workflows and automated sending make before they act: a
 * paused or archived account (or a sub-account whose agency is) runs no
 * automations. past_due still runs: the account is in its grace period.
 *
 * @example await assertAccountCanAutomate(env.DB, accountId) // at the top of a workflow step
 */
export async function assertAccountCanAutomate(db: D1Database, accountId: string): Promise<AccountStanding> {
  const standing = await accountStanding(db, accountId);
  if (standing.status === 'paused' || standing.status === 'archived') {
    const whose = standing.statusFromAgency ? 'The agency that manages this account has' : 'This account has';
    throw new AppError(
      'account_paused',
      `${whose} an unpaid invoice, so automations are paused (account ${standing.status}). Paying it in Billing resumes them.`,
      {
        extensions: { status: standing.status, status_from_agency: standing.statusFromAgency },
      },
    );
  }
  return standing;
}

/**
 * Refuses changes to an archived account (read-only: nothing was deleted;
 * paying the invoice brings it back). Billing stays open so it can pay.
 */
export async function assertAccountWritable(db: D1Database, accountId: string): Promise<void> {
  const standing = await accountStanding(db, accountId);
  if (standing.status !== 'archived') return;
  const whose = standing.statusFromAgency ? 'The agency that manages this account was' : 'This account was';
  throw new AppError(
    'account_read_only',
    `${whose} archived after 30 days of unpaid invoices; it is read-only and nothing has been deleted. Pay the outstanding invoice in Billing (POST /api/billing/pay) to make it active again.`,
    {
      extensions: { status: standing.status, status_from_agency: standing.statusFromAgency },
    },
  );
}
