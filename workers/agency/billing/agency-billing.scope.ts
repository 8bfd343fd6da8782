import type Stripe from 'stripe';
import type { BillingScope } from '../../billing/billing.scope';
import { loadAgencyCatalogue } from '../../billing/entitlements';
import { BILLING_STRIPE_OPTIONS, billingNow, stripeClient, type StripeClientOptions } from '../../billing/stripe.client';
import { queryFirst } from '../../platform/db';
import { AppError } from '../../platform/errors';
import type { BillingProfile } from '../../wallet/top-ups';

/**
 * An agency's billing: the same BillingScope the platform bills with, on
 * the agency's connected Stripe account, selling the agency's tiers, each
 * subscription carrying the platform's revenue share as its
 * application_fee_percent. Sub-accounts are customers of the connected
 * account (agency_billing_customers), so subscribe, changePlan, cancel,
 * invoices and dunning run unchanged (docs/decisions/0005).
 */

export interface AgencyConnection {
  account_id: string;
  agency_id: string;
  stripe_account_id: string;
  account_type: 'standard' | 'express';
  charges_enabled: number;
  payouts_enabled: number;
  details_submitted: number;
  onboarded_at: number | null;
  created_at: number;
  updated_at: number;
}

export async function getAgencyConnection(db: D1Database, agencyAccountId: string): Promise<AgencyConnection | null> {
  return queryFirst<AgencyConnection>(db, 'SELECT * FROM agency_billing WHERE account_id = ?', agencyAccountId);
}

/**
 * The platform's share of what agencies bill on their tiers, in percent
 * (AGENCY_REVENUE_SHARE_PERCENT): a number from 0 to 100 with at most two
 * decimals, as Stripe takes application_fee_percent.
 *
 * @example revenueSharePercent({ AGENCY_REVENUE_SHARE_PERCENT: '10' } as Env) // 10
 */
export function revenueSharePercent(env: Env): number {
  const raw = (env.AGENCY_REVENUE_SHARE_PERCENT ?? '').trim();
  if (!/^\d{1,3}(\.\d{1,2})?$/.test(raw) || Number(raw) > 100) {
    throw new AppError('internal_error', 'AGENCY_REVENUE_SHARE_PERCENT must be a percentage from 0 to 100 with at most two decimals.');
  }
  return Number(raw);
}

const PROFILE_COLUMNS = 'account_id, stripe_customer_id, default_payment_method_id, card_brand, card_last4, updated_at';

async function getCustomer(db: D1Database, stripeAccount: string, accountId: string): Promise<BillingProfile | null> {
  return queryFirst<BillingProfile>(
    db,
    `SELECT ${PROFILE_COLUMNS} FROM agency_billing_customers WHERE account_id = ? AND stripe_account_id = ?`,
    accountId,
    stripeAccount,
  );
}

/** The sub-account's customer on the agency's account, created once (the idempotency key makes a race create one). */
async function ensureCustomer(db: D1Database, stripe: Stripe, connection: AgencyConnection, accountId: string): Promise<BillingProfile> {
  const existing = await getCustomer(db, connection.stripe_account_id, accountId);
  if (existing) return existing;
  const account = await queryFirst<{ name: string; owner_email: string | null }>(
    db,
    `SELECT a.name, (SELECT u.email FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.account_id = a.id AND m.role = 'owner' ORDER BY m.created_at LIMIT 1) AS owner_email
       FROM accounts a WHERE a.id = ?`,
    accountId,
  );
  const customer = await stripe.customers.create(
    { name: account?.name, email: account?.owner_email ?? undefined, metadata: { account_id: accountId } },
    { idempotencyKey: `agency-customer:${connection.stripe_account_id}:${accountId}` },
  );
  await db
    .prepare(
      `INSERT INTO agency_billing_customers (account_id, agency_account_id, stripe_account_id, stripe_customer_id, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (account_id, stripe_account_id) DO NOTHING`,
    )
    .bind(accountId, connection.account_id, connection.stripe_account_id, customer.id, Date.now())
    .run();
  return (await getCustomer(db, connection.stripe_account_id, accountId)) as BillingProfile;
}

/** Saves a card on the sub-account's customer for off-session renewals (a SetupIntent confirms it) and makes it the default. */
async function saveCard(db: D1Database, stripe: Stripe, connection: AgencyConnection, accountId: string, paymentMethod: string): Promise<BillingProfile> {
  const profile = await ensureCustomer(db, stripe, connection, accountId);
  const setup = await stripe.setupIntents.create({ customer: profile.stripe_customer_id, payment_method: paymentMethod, usage: 'off_session', confirm: true });
  if (setup.status !== 'succeeded' || typeof setup.payment_method !== 'string') {
    throw new AppError(
      'payment_failed',
      setup.status === 'requires_action'
        ? 'The bank asks for authentication this card cannot give off-session; use another card.'
        : 'The card could not be saved.',
    );
  }
  const saved = await stripe.paymentMethods.retrieve(setup.payment_method);
  await stripe.customers.update(profile.stripe_customer_id, { invoice_settings: { default_payment_method: saved.id } });
  await db
    .prepare(
      'UPDATE agency_billing_customers SET default_payment_method_id = ?, card_brand = ?, card_last4 = ?, updated_at = ? WHERE account_id = ? AND stripe_account_id = ?',
    )
    .bind(saved.id, saved.card?.brand ?? null, saved.card?.last4 ?? null, Date.now(), accountId, connection.stripe_account_id)
    .run();
  return (await getCustomer(db, connection.stripe_account_id, accountId)) as BillingProfile;
}

/** The scope an agency bills its sub-accounts in, on its connected account. */
export async function agencyBilling(env: Env, connection: AgencyConnection, options: StripeClientOptions = {}): Promise<BillingScope> {
  const account = connection.stripe_account_id;
  const stripe = stripeClient(env, { ...BILLING_STRIPE_OPTIONS, ...options, stripeAccount: account });
  return {
    env,
    db: env.DB,
    stripeAccount: account,
    seller: { kind: 'agency', agencyId: connection.agency_id, agencyAccountId: connection.account_id },
    catalogue: await loadAgencyCatalogue(env.DB, connection.account_id),
    stripe,
    subscriptionParams: { application_fee_percent: revenueSharePercent(env) },
    now: () => billingNow(env, account),
    customer: (accountId) => ensureCustomer(env.DB, stripe, connection, accountId),
    profile: (accountId) => getCustomer(env.DB, account, accountId),
    saveCard: (accountId, paymentMethod) => saveCard(env.DB, stripe, connection, accountId, paymentMethod),
    accountOfCustomer: async (customerId) =>
      (
        await queryFirst<{ account_id: string }>(
          env.DB,
          'SELECT account_id FROM agency_billing_customers WHERE stripe_account_id = ? AND stripe_customer_id = ?',
          account,
          customerId,
        )
      )?.account_id ?? null,
  };
}

/** The agency scope of a connected account, or null when no agency uses it. */
export async function agencyBillingForStripeAccount(env: Env, stripeAccount: string): Promise<BillingScope | null> {
  const connection = await queryFirst<AgencyConnection>(env.DB, 'SELECT * FROM agency_billing WHERE stripe_account_id = ?', stripeAccount);
  return connection ? agencyBilling(env, connection) : null;
}
