import type Stripe from 'stripe';
import { agencyBillingForStripeAccount } from '../agency/billing/agency-billing.scope';
import { queryFirst } from '../platform/db';
import { ensureStripeCustomer, getBillingProfile, savePaymentMethod, type BillingProfile } from '../wallet/top-ups';
import { PLATFORM_PLANS, type PlanCatalogue } from './plans';
import { BILLING_STRIPE_OPTIONS, billingNow, stripeClient, type StripeClientOptions } from './stripe.client';

export { billingNow } from './stripe.client';

/**
 * Who sells the plan and through which Stripe account. Every billing verb
 * takes a scope instead of reaching for the platform's Stripe client, so the
 * same code bills the platform's tiers on its own account and an agency's
 * tiers on the agency's connected account (`stripeAccount: 'acct_...'`, the
 * agency's catalogue; docs/decisions/0004, 0005).
 */
export interface BillingScope {
  env: Env;
  db: D1Database;
  /** null: the platform's own Stripe account; `acct_...`: a connected account. */
  stripeAccount: string | null;
  /** Who sells: the platform to any account, or an agency to its own sub-accounts. */
  seller: { kind: 'platform' } | { kind: 'agency'; agencyId: string; agencyAccountId: string };
  catalogue: PlanCatalogue;
  stripe: Stripe;
  /** Added to every subscription the scope creates: on an agency's account, the platform's revenue share. */
  subscriptionParams: Pick<Stripe.SubscriptionCreateParams, 'application_fee_percent'>;
  /**
   * The billing clock (ms): in sandbox the Stripe emulator's clock, which
   * tests move forward (advanceStripeClock) to walk dunning from day 0 to
   * day 30 in seconds; live, the wall clock. Invoices, dunning deadlines and
   * the timeline all read this one clock, so they agree with each other.
   */
  now(): Promise<number>;
  /** The account's Stripe customer, created once. */
  customer(accountId: string): Promise<BillingProfile>;
  /** The customer and saved card, if any, without creating anything. */
  profile(accountId: string): Promise<BillingProfile | null>;
  /** Saves a card for off-session charges and makes it the customer's default. */
  saveCard(accountId: string, paymentMethod: string): Promise<BillingProfile>;
  /** The account a customer of this Stripe account belongs to (never read from metadata a caller could set). */
  accountOfCustomer(customerId: string): Promise<string | null>;
}

/**
 * The platform's billing: its Stripe account, its plans, the account's
 * customer and card in `billing_profiles` (shared with the wallet).
 * `stripe` options let tests shorten timeouts.
 */
export function platformBilling(env: Env, stripe: StripeClientOptions = {}): BillingScope {
  return {
    env,
    db: env.DB,
    stripeAccount: null,
    seller: { kind: 'platform' },
    catalogue: PLATFORM_PLANS,
    stripe: stripeClient(env, { ...BILLING_STRIPE_OPTIONS, ...stripe }),
    subscriptionParams: {},
    now: () => billingNow(env, null),
    customer: (accountId) => ensureStripeCustomer(env, accountId),
    profile: (accountId) => getBillingProfile(env.DB, accountId),
    saveCard: (accountId, paymentMethod) => savePaymentMethod(env, accountId, paymentMethod),
    accountOfCustomer: async (customerId) =>
      (await queryFirst<{ account_id: string }>(env.DB, 'SELECT account_id FROM billing_profiles WHERE stripe_customer_id = ?', customerId))?.account_id ??
      null,
  };
}

/**
 * The scope a Stripe event or dunning case belongs to: the platform's
 * account carries no `account`; a connected account is an agency's, billing
 * its sub-accounts on the agency's tiers. A connected account no agency
 * uses is not billing's (null).
 */
export async function scopeForStripeAccount(env: Env, stripeAccount: string | null | undefined): Promise<BillingScope | null> {
  if (!stripeAccount) return platformBilling(env);
  return agencyBillingForStripeAccount(env, stripeAccount);
}

/**
 * The scope billing this account's plan now: its agency's connected
 * account when it subscribes to one of the agency's tiers, otherwise the
 * platform. What the account reads (summary, invoices) and pays goes there.
 */
export async function billingScopeOf(env: Env, accountId: string): Promise<BillingScope> {
  const row = await queryFirst<{ stripe_account: string | null }>(env.DB, 'SELECT stripe_account FROM subscriptions WHERE account_id = ?', accountId);
  if (!row?.stripe_account) return platformBilling(env);
  return (await scopeForStripeAccount(env, row.stripe_account)) ?? platformBilling(env);
}
