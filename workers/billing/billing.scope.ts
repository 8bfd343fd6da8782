import type Stripe from 'stripe';
import { PLATFORM_ACCOUNT } from '../sandbox/stripe/stripe.constants';
import { stripeClockNow } from '../sandbox/stripe/stripe.controls';
import { ensureStripeCustomer, getBillingProfile, savePaymentMethod, type BillingProfile } from '../wallet/top-ups';
import { PLATFORM_PLANS, type PlanCatalogue } from './plans';
import { stripeClient, type StripeClientOptions } from './stripe.client';

/**
 * Who sells the plan and through which Stripe account. Every billing verb
 * takes a scope instead of reaching for the platform's Stripe client, so the
 * same code bills the platform's tiers today and an agency's own tiers on its
 * connected account later (a scope with `stripeAccount: 'acct_...'` and the
 * agency's catalogue; docs/decisions/0004).
 */
export interface BillingScope {
  env: Env;
  db: D1Database;
  /** null: the platform's own Stripe account; `acct_...`: a connected account. */
  stripeAccount: string | null;
  catalogue: PlanCatalogue;
  stripe: Stripe;
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
}

/** Stripe calls made by billing retry a little more than the default: renewals and dunning run unattended. */
const BILLING_STRIPE_OPTIONS: StripeClientOptions = { maxNetworkRetries: 3 };

/** The billing clock of a Stripe account (see BillingScope.now). */
export async function billingNow(env: Env, stripeAccount: string | null): Promise<number> {
  if (env.PROVIDER_MODE === 'live') return Date.now();
  return (await stripeClockNow(env, stripeAccount ?? PLATFORM_ACCOUNT)) * 1000;
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
    catalogue: PLATFORM_PLANS,
    stripe: stripeClient(env, { ...BILLING_STRIPE_OPTIONS, ...stripe }),
    now: () => billingNow(env, null),
    customer: (accountId) => ensureStripeCustomer(env, accountId),
    profile: (accountId) => getBillingProfile(env.DB, accountId),
    saveCard: (accountId, paymentMethod) => savePaymentMethod(env, accountId, paymentMethod),
  };
}

/**
 * The scope a Stripe event belongs to: events of the platform account carry
 * no `account`; events of connected accounts name theirs. Connected-account
 * plans are not sold yet, so their events are not billing's (null).
 */
export function scopeForStripeAccount(env: Env, stripeAccount: string | null | undefined): BillingScope | null {
  if (stripeAccount) return null;
  return platformBilling(env);
}
