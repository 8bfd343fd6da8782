import Stripe from 'stripe';
import type { BillingScope } from '../../billing/billing.scope';
import { cancelSubscription, changePlan, saveBillingCard, serializeCase, subscribe } from '../../billing/billing.service';
import { latestDunningCase } from '../../billing/dunning';
import { accountStanding, assertPlanFeature, formatCount } from '../../billing/entitlements';
import { findPlan, type Plan, type PlanCatalogue } from '../../billing/plans';
import { BILLING_STRIPE_OPTIONS, stripeClient } from '../../billing/stripe.client';
import { getSubscriptionRow, isLiveStatus } from '../../billing/subscriptions';
import { queryAll, queryFirst, statement, toIso, transaction } from '../../platform/db';
import type { ServiceDeps } from '../../platform/deps';
import { AppError, type FieldError } from '../../platform/errors';
import { createId } from '../../platform/ids';
import { formatUsd, parseUsd } from '../../platform/money';
import { getSubAccountOrThrow, type SubAccountRow } from '../../tenancy/sub-accounts.service';
import { getAgencyForAccount } from '../../tenancy/tenancy.service';
import { agencyBilling, getAgencyConnection, revenueSharePercent, type AgencyConnection } from './agency-billing.scope';

/**
 * Agencies selling their own plans to their sub-accounts (PRD addendum
 * 2.4): connecting the agency's Stripe account (Connect onboarding),
 * defining its tiers, and putting a sub-account on a tier. The money moves
 * on the agency's connected account; the platform takes its revenue share
 * as an application fee on each paid invoice. The billing itself is the
 * platform's own code run in the agency's BillingScope.
 */

/** Where Stripe sends the agency owner back after onboarding: the app, on the host they came from. */
const RETURN_PATH = '/agency/billing?stripe=return';
const REFRESH_PATH = '/agency/billing?stripe=refresh';
const MIN_TIER_PRICE_MICROS = 1_000_000;
/** A month's price no client of an agency is put on by a slip of the keyboard (and well within what Stripe charges at once). */
const MAX_TIER_PRICE_MICROS = 100_000_000_000;

async function requireAgency(deps: ServiceDeps): Promise<{ id: string; name: string }> {
  const agency = await getAgencyForAccount(deps.db, deps.auth.accountId);
  if (!agency)
    throw new AppError(
      'forbidden',
      'Only an agency account sells plans to sub-accounts. Sign in to the agency (or switch back to it) to manage its pricing and Stripe.',
    );
  return agency;
}

/** Selling tiers is selling to sub-accounts: the agency's own plan must include them. */
async function requireSellingAgency(deps: ServiceDeps): Promise<{ id: string; name: string }> {
  const agency = await requireAgency(deps);
  await assertPlanFeature(deps.db, deps.auth.accountId, 'sub_accounts');
  return agency;
}

// ------------------------------------------------------------------ Stripe connection

/** Stripe down or slow is a 502 the caller can retry (the calls carry idempotency keys), never a 500. */
async function viaStripe<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (
      err instanceof Stripe.errors.StripeConnectionError ||
      err instanceof Stripe.errors.StripeAPIError ||
      err instanceof Stripe.errors.StripeRateLimitError
    ) {
      throw new AppError('provider_unavailable', "Stripe did not answer in time. Retrying is safe: the agency's Stripe account is created only once.");
    }
    throw err;
  }
}

/** The connection re-read from Stripe, or as stored when Stripe cannot be reached now. */
async function freshConnection(env: Env, connection: AgencyConnection): Promise<AgencyConnection> {
  if (onboardingComplete(connection)) return connection;
  try {
    return (await refreshConnection(env, connection.stripe_account_id)) ?? connection;
  } catch {
    return connection;
  }
}

function onboardingComplete(c: AgencyConnection): boolean {
  return c.charges_enabled === 1 && c.details_submitted === 1;
}

export function serializeConnection(env: Env, c: AgencyConnection | null) {
  return {
    connected: c !== null,
    stripe_account_id: c?.stripe_account_id ?? null,
    type: c?.account_type ?? null,
    charges_enabled: c?.charges_enabled === 1,
    payouts_enabled: c?.payouts_enabled === 1,
    details_submitted: c?.details_submitted === 1,
    onboarding_complete: c !== null && onboardingComplete(c),
    onboarded_at: toIso(c?.onboarded_at ?? null),
    revenue_share_percent: String(revenueSharePercent(env)),
  };
}

/**
 * Writes what Stripe says about the connected account now (called by the
 * status read and by `account.updated`; never from an event's snapshot).
 */
export async function refreshConnection(env: Env, stripeAccountId: string): Promise<AgencyConnection | null> {
  const account = await stripeClient(env, BILLING_STRIPE_OPTIONS).accounts.retrieve(stripeAccountId);
  const now = Date.now();
  await env.DB.prepare(
    `UPDATE agency_billing SET charges_enabled = ?, payouts_enabled = ?, details_submitted = ?,
       onboarded_at = CASE WHEN ? = 1 AND ? = 1 THEN COALESCE(onboarded_at, ?) ELSE onboarded_at END, updated_at = ?
     WHERE stripe_account_id = ?`,
  )
    .bind(
      account.charges_enabled ? 1 : 0,
      account.payouts_enabled ? 1 : 0,
      account.details_submitted ? 1 : 0,
      account.charges_enabled ? 1 : 0,
      account.details_submitted ? 1 : 0,
      now,
      now,
      stripeAccountId,
    )
    .run();
  return queryFirst<AgencyConnection>(env.DB, 'SELECT * FROM agency_billing WHERE stripe_account_id = ?', stripeAccountId);
}

/**
 * Starts (or resumes) connecting the agency's Stripe account: creates the
 * connected account once, and answers a fresh single-use onboarding link.
 * An account already onboarded is a conflict: there is nothing to finish.
 */
export async function connectStripe(deps: ServiceDeps, input: { type: 'standard' | 'express'; origin: string }) {
  const agency = await requireSellingAgency(deps);
  const stripe = stripeClient(deps.env, BILLING_STRIPE_OPTIONS);
  const stored = await getAgencyConnection(deps.db, deps.auth.accountId);
  let connection = stored ? await freshConnection(deps.env, stored) : null;
  if (connection && onboardingComplete(connection)) {
    throw new AppError('conflict', `Stripe is already connected (${connection.stripe_account_id}) and takes charges; there is no onboarding left to do.`, {
      extensions: { stripe_account_id: connection.stripe_account_id },
    });
  }
  if (!connection) {
    const owner = await queryFirst<{ email: string }>(
      deps.db,
      "SELECT u.email FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.account_id = ? AND m.role = 'owner' ORDER BY m.created_at LIMIT 1",
      deps.auth.accountId,
    );
    const account = await viaStripe(() =>
      stripe.accounts.create(
        { type: input.type, email: owner?.email, business_profile: { name: agency.name }, metadata: { agency_id: agency.id, account_id: deps.auth.accountId } },
        { idempotencyKey: `connect-account:${deps.auth.accountId}:${input.type}` },
      ),
    );
    const now = Date.now();
    await deps.db
      .prepare(
        'INSERT INTO agency_billing (account_id, agency_id, stripe_account_id, account_type, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (account_id) DO NOTHING',
      )
      .bind(deps.auth.accountId, agency.id, account.id, input.type, now, now)
      .run();
    connection = (await getAgencyConnection(deps.db, deps.auth.accountId)) as AgencyConnection;
  }
  const stripeAccount = connection.stripe_account_id;
  const link = await viaStripe(() =>
    stripe.accountLinks.create({
      account: stripeAccount,
      type: 'account_onboarding',
      return_url: `${input.origin}${RETURN_PATH}`,
      refresh_url: `${input.origin}${REFRESH_PATH}`,
    }),
  );
  return { url: link.url, expires_at: new Date(link.expires_at * 1000).toISOString(), connection: serializeConnection(deps.env, connection) };
}

/** The connection as Stripe has it now (re-read while onboarding is unfinished). */
export async function stripeConnectionStatus(deps: ServiceDeps) {
  await requireAgency(deps);
  const connection = await getAgencyConnection(deps.db, deps.auth.accountId);
  return serializeConnection(deps.env, connection ? await freshConnection(deps.env, connection) : null);
}

/** The agency's connected account, able to take charges, or a 409 saying what to do first. */
async function requireConnection(deps: ServiceDeps): Promise<AgencyConnection> {
  const stored = await getAgencyConnection(deps.db, deps.auth.accountId);
  if (!stored) {
    throw new AppError(
      'stripe_not_connected',
      "Connect the agency's Stripe account first (POST /api/agency/stripe/connect): sub-accounts pay for tiers through it.",
    );
  }
  const connection = await freshConnection(deps.env, stored);
  if (!onboardingComplete(connection)) {
    throw new AppError(
      'stripe_not_connected',
      `Stripe onboarding of ${connection.stripe_account_id} is not finished, so it cannot take charges yet. Finish it with a new link from POST /api/agency/stripe/connect.`,
      {
        extensions: {
          stripe_account_id: connection.stripe_account_id,
          charges_enabled: connection.charges_enabled === 1,
          details_submitted: connection.details_submitted === 1,
        },
      },
    );
  }
  return connection;
}

// ------------------------------------------------------------------ tiers

/**
 * A tier's key: its name in lower case with punctuation and spaces as '-'.
 * Names are unique by key, so "Pro Plus" and "pro-plus" are one tier.
 *
 * @example tierKey('Pro Plus') // "pro-plus"
 */
export function tierKey(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

export interface TierInput {
  name: string;
  price: string;
  contacts: number;
  users?: number;
}

async function subscriberCounts(db: D1Database, agencyId: string): Promise<Map<string, number>> {
  const rows = await queryAll<{ plan: string; n: number }>(
    db,
    `SELECT s.plan, COUNT(*) AS n FROM subscriptions s JOIN accounts a ON a.id = s.account_id
      WHERE a.agency_id = ? AND a.kind = 'sub_account' AND s.stripe_account IS NOT NULL AND s.stripe_status IN ('active', 'trialing', 'past_due')
      GROUP BY s.plan`,
    agencyId,
  );
  return new Map(rows.map((r) => [r.plan, r.n]));
}

interface TierRow {
  key: string;
  name: string;
  price_micros: number;
  contacts: number;
  users: number | null;
  active: number;
}

/** The tiers on sale, those off sale that still have subscribers, and the most a tier may include. */
export async function listTiers(deps: ServiceDeps) {
  const agency = await requireAgency(deps);
  const [rows, counts, standing] = await Promise.all([
    queryAll<TierRow>(
      deps.db,
      'SELECT key, name, price_micros, contacts, users, active FROM agency_tiers WHERE account_id = ? ORDER BY position, key',
      deps.auth.accountId,
    ),
    subscriberCounts(deps.db, agency.id),
    accountStanding(deps.db, deps.auth.accountId),
  ]);
  const view = (r: TierRow) => ({
    key: r.key,
    name: r.name,
    price: formatUsd(r.price_micros),
    contacts: r.contacts,
    users: r.users,
    subscribers: counts.get(r.key) ?? 0,
  });
  return {
    tiers: rows.filter((r) => r.active === 1).map(view),
    retired_tiers: rows.filter((r) => r.active === 0 && (counts.get(r.key) ?? 0) > 0).map(view),
    limits: { contacts: standing.plan.limits.contacts, users: standing.plan.limits.users },
  };
}

/** Field errors of a tier list: names unique, from $1.00 to $100,000.00, limits within the agency's own plan. */
function tierErrors(tiers: TierInput[], agencyPlan: Plan): FieldError[] {
  const errors: FieldError[] = [];
  const seen = new Map<string, number>();
  tiers.forEach((tier, i) => {
    const key = tierKey(tier.name);
    if (!key) errors.push({ field: `tiers.${i}.name`, message: 'A tier name needs at least one letter or digit.', code: 'invalid_name' });
    else if (key === 'free')
      errors.push({
        field: `tiers.${i}.name`,
        message: 'Free is the plan sub-accounts fall back to when a subscription ends; choose another name.',
        code: 'reserved_name',
      });
    else if (seen.has(key))
      errors.push({
        field: `tiers.${i}.name`,
        message: `Tier ${(seen.get(key) as number) + 1} is already called "${tiers[seen.get(key) as number].name}"; tier names must be unique.`,
        code: 'duplicate_name',
      });
    else seen.set(key, i);
    const price = parseUsd(tier.price, `tiers.${i}.price`);
    if (price < MIN_TIER_PRICE_MICROS) errors.push({ field: `tiers.${i}.price`, message: 'A tier costs at least 1.00 (USD a month).', code: 'too_small' });
    else if (price > MAX_TIER_PRICE_MICROS)
      errors.push({ field: `tiers.${i}.price`, message: 'A tier costs at most 100,000.00 (USD a month).', code: 'too_large' });
    for (const resource of ['contacts', 'users'] as const) {
      const ceiling = agencyPlan.limits[resource];
      const value = tier[resource];
      if (value !== undefined && ceiling !== null && value > ceiling) {
        errors.push({
          field: `tiers.${i}.${resource}`,
          message: `At most ${formatCount(ceiling)}: the agency's ${agencyPlan.name} plan includes ${formatCount(ceiling)} ${resource} per account.`,
          code: 'above_plan_limit',
        });
      }
    }
  });
  return errors;
}

/**
 * Replaces the tiers on sale. A tier whose price changes keeps its
 * subscribers at the price they subscribed at: the amount is part of the
 * Stripe price's lookup key (billing/prices.ts), so new subscribers get a
 * new Stripe price and nobody is repriced silently. A tier left out goes
 * off sale; its subscribers keep it and its limits.
 */
export async function replaceTiers(deps: ServiceDeps, tiers: TierInput[]) {
  await requireSellingAgency(deps);
  const agencyPlan = (await accountStanding(deps.db, deps.auth.accountId)).plan;
  const errors = tierErrors(tiers, agencyPlan);
  if (errors.length > 0) throw new AppError('validation_failed', `The tiers have invalid fields: ${errors.map((e) => e.field).join(', ')}.`, { errors });
  const now = Date.now();
  const keys = tiers.map((t) => tierKey(t.name));
  await transaction(deps.db, [
    ...tiers.map((tier, i) =>
      statement(
        deps.db,
        `INSERT INTO agency_tiers (id, account_id, key, name, price_micros, contacts, users, position, active, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)
         ON CONFLICT (account_id, key) DO UPDATE SET name = excluded.name, price_micros = excluded.price_micros, contacts = excluded.contacts,
           users = excluded.users, position = excluded.position, active = 1, updated_at = excluded.updated_at`,
        createId('agencyTier'),
        deps.auth.accountId,
        keys[i],
        tier.name.trim(),
        parseUsd(tier.price),
        tier.contacts,
        tier.users ?? null,
        i,
        now,
        now,
      ),
    ),
    statement(
      deps.db,
      'UPDATE agency_tiers SET active = 0, updated_at = ? WHERE account_id = ? AND active = 1 AND key NOT IN (SELECT value FROM json_each(?))',
      now,
      deps.auth.accountId,
      JSON.stringify(keys),
    ),
  ]);
  return listTiers(deps);
}

/** The tier a request names (by name or key), on sale, or a 422 listing the tiers there are. */
function requireTier(catalogue: PlanCatalogue, requested: string): Plan {
  const plan = requested === 'free' ? null : findPlan(catalogue, tierKey(requested));
  const onSale = Object.values(catalogue.plans).filter((p) => p.id !== 'free' && !p.retired);
  const choices =
    onSale.length > 0
      ? `Tiers on sale: ${onSale.map((p) => p.name).join(', ')}.`
      : 'The agency has no tiers yet: define them with PUT /api/agency/pricing/tiers.';
  if (!plan) {
    throw new AppError('validation_failed', `There is no tier "${requested}". ${choices}`, {
      errors: [{ field: 'tier', message: 'Unknown tier.', code: 'unknown_tier' }],
    });
  }
  if (plan.retired) {
    throw new AppError('validation_failed', `${plan.name} is no longer on sale: its subscribers keep it, but nobody new can choose it. ${choices}`, {
      errors: [{ field: 'tier', message: 'Tier off sale.', code: 'unknown_tier' }],
    });
  }
  return plan;
}

// ------------------------------------------------------------------ a sub-account on a tier

/** The caller agency's sub-account and the agency's billing scope (connected and onboarded). */
async function sellingTo(deps: ServiceDeps, subAccountId: string): Promise<{ sub: SubAccountRow; scope: BillingScope }> {
  await requireAgency(deps);
  const sub = await getSubAccountOrThrow(deps, subAccountId);
  await assertPlanFeature(deps.db, deps.auth.accountId, 'sub_accounts');
  const connection = await requireConnection(deps);
  return { sub, scope: await agencyBilling(deps.env, connection) };
}

/** What the agency sees of a sub-account's billing: its tier, subscription, card and any unpaid invoice. */
export async function subAccountSubscription(deps: ServiceDeps, subAccountId: string) {
  await requireAgency(deps);
  const sub = await getSubAccountOrThrow(deps, subAccountId);
  const connection = await getAgencyConnection(deps.db, deps.auth.accountId);
  const [standing, row, dunning] = await Promise.all([
    accountStanding(deps.db, sub.id),
    getSubscriptionRow(deps.db, sub.id),
    latestDunningCase(deps.db, sub.id),
  ]);
  const onAgencyAccount = connection !== null && row?.stripe_account === connection.stripe_account_id;
  const profile = onAgencyAccount
    ? await queryFirst<{ card_brand: string | null; card_last4: string | null; default_payment_method_id: string | null }>(
        deps.db,
        'SELECT card_brand, card_last4, default_payment_method_id FROM agency_billing_customers WHERE account_id = ? AND stripe_account_id = ?',
        sub.id,
        connection.stripe_account_id,
      )
    : null;
  const tier = standing.source === 'agency_tier' ? standing.plan : null;
  return {
    sub_account_id: sub.id,
    tier: tier ? { key: tier.id, name: tier.name, price: formatUsd(tier.priceMicros ?? 0), contacts: tier.limits.contacts, users: tier.limits.users } : null,
    plan: { id: standing.plan.id, name: standing.plan.name },
    plan_source: standing.source,
    status: standing.status,
    subscription:
      onAgencyAccount && row?.stripe_subscription_id && isLiveStatus(row.stripe_status)
        ? {
            id: row.stripe_subscription_id,
            status: row.stripe_status as string,
            current_period_start: toIso(row.current_period_start),
            current_period_end: toIso(row.current_period_end),
            cancel_at_period_end: Boolean(row.cancel_at_period_end),
          }
        : null,
    payment_method: profile?.default_payment_method_id ? { brand: profile.card_brand, last4: profile.card_last4 } : null,
    dunning: onAgencyAccount && dunning?.status === 'open' && dunning.stripe_account === connection.stripe_account_id ? serializeCase(dunning) : null,
  };
}

/**
 * Puts a sub-account on a tier, billed on the agency's connected account
 * with the platform's revenue share as application fee: subscribes it
 * (charging the first month now), or moves it to another tier (prorated),
 * or withdraws a scheduled cancellation when it is already on this tier. A
 * payment_method given is saved first and pays from then on (a new card
 * for a client whose renewals fail).
 */
export async function putSubAccountOnTier(
  deps: ServiceDeps,
  subAccountId: string,
  input: { tier: string; paymentMethod?: string; idempotencyKey?: string },
): Promise<{ created: boolean }> {
  const { sub, scope } = await sellingTo(deps, subAccountId);
  const plan = requireTier(scope.catalogue, input.tier);
  const row = await getSubscriptionRow(deps.db, sub.id);
  if (row?.stripe_subscription_id && isLiveStatus(row.stripe_status) && row.stripe_account === scope.stripeAccount) {
    if (input.paymentMethod) await saveBillingCard(scope, sub.id, input.paymentMethod);
    if (row.plan !== plan.id) await changePlan(scope, sub.id, { plan: plan.id, idempotencyKey: input.idempotencyKey });
    else if (row.cancel_at_period_end) await cancelSubscription(scope, sub.id, { resume: true });
    return { created: false };
  }
  if (!input.paymentMethod && !(await scope.profile(sub.id))?.default_payment_method_id) {
    throw new AppError(
      'validation_failed',
      `Send payment_method: the card ${sub.name} pays for ${plan.name} with (pm_... from Stripe.js; pm_card_visa in the sandbox).`,
      {
        errors: [{ field: 'payment_method', message: 'No saved card for this sub-account.', code: 'required' }],
      },
    );
  }
  try {
    await subscribe(scope, sub.id, { plan: plan.id, paymentMethod: input.paymentMethod, idempotencyKey: input.idempotencyKey });
  } catch (err) {
    if (err instanceof Stripe.errors.StripeInvalidRequestError && err.param === 'payment_method') {
      throw new AppError('validation_failed', 'That card could not be used.', { errors: [{ field: 'payment_method', message: err.message }] });
    }
    throw err;
  }
  return { created: true };
}

/** Cancels the sub-account's tier at the end of the period it paid for; it then falls back to Free, keeping its data. */
export async function cancelSubAccountTier(deps: ServiceDeps, subAccountId: string): Promise<void> {
  const { sub, scope } = await sellingTo(deps, subAccountId);
  const row = await getSubscriptionRow(deps.db, sub.id);
  if (!row?.stripe_subscription_id || !isLiveStatus(row.stripe_status) || row.stripe_account !== scope.stripeAccount) {
    throw new AppError('conflict', `${sub.name} is not subscribed to any of the agency's tiers; there is nothing to cancel.`);
  }
  await cancelSubscription(scope, sub.id);
}
