import type Stripe from 'stripe';
import { queryFirst } from '../platform/db';
import { createLogger } from '../platform/logger';
import type { BillingScope } from './billing.scope';
import { planOfPrice } from './prices';
import { billingEventStatement } from './timeline';

/**
 * The D1 mirror of an account's Stripe subscription. Whatever changes it
 * (our own API call, a webhook, a retry) writes what Stripe says *now*:
 * callers pass a subscription they just retrieved or got back from Stripe,
 * never an event's snapshot, so late and out-of-order events cannot roll
 * the mirror back.
 */

export interface SubscriptionRow {
  account_id: string;
  /** A platform PlanId, or the key of the agency tier when `stripe_account` is the agency's. */
  plan: string;
  stripe_account: string | null;
  stripe_customer_id: string | null;
  stripe_subscription_id: string | null;
  stripe_price_id: string | null;
  stripe_status: Stripe.Subscription.Status | null;
  current_period_start: number | null;
  current_period_end: number | null;
  cancel_at_period_end: number;
  custom_price_micros: number | null;
  version: number;
  created_at: number;
  updated_at: number;
}

/** Subscription statuses that still entitle the account to its plan (past_due: dunning is working on it). */
const LIVE: ReadonlySet<string> = new Set(['active', 'trialing', 'past_due']);

export function isLiveStatus(status: string | null | undefined): boolean {
  return status !== null && status !== undefined && LIVE.has(status);
}

/** Ended for good: nothing more will be billed on it. */
export function isEndedStatus(status: string | null | undefined): boolean {
  return status === 'canceled' || status === 'incomplete_expired';
}

/** Set on cancellations made by dunning, so the mirror does not announce the end a second time. */
export const DUNNING_CANCEL_COMMENT = 'dunning: payment failed four times';

const log = createLogger({ component: 'billing' });

export async function getSubscriptionRow(db: D1Database, accountId: string): Promise<SubscriptionRow | null> {
  return queryFirst<SubscriptionRow>(db, 'SELECT * FROM subscriptions WHERE account_id = ?', accountId);
}

export function subscriptionPeriod(sub: Stripe.Subscription): { start: number; end: number } {
  const item = sub.items.data[0];
  return { start: item.current_period_start * 1000, end: item.current_period_end * 1000 };
}

/**
 * Writes the account's row from a subscription as Stripe has it now.
 * Returns the row after the write, or the unchanged row when the
 * subscription is not the one the account follows (an older one ending, or
 * one that is not ours).
 */
export async function syncSubscription(
  scope: BillingScope,
  accountId: string,
  sub: Stripe.Subscription,
  options: { bumpVersion?: boolean } = {},
): Promise<SubscriptionRow | null> {
  const row = await getSubscriptionRow(scope.db, accountId);
  const tracked = row?.stripe_subscription_id ?? null;
  const ended = isEndedStatus(sub.status);
  if (tracked && tracked !== sub.id) {
    // Another subscription than the one we follow: an old one ending changes nothing;
    // a live one replaces ours only when ours is over.
    if (ended || isLiveStatus(row?.stripe_status)) return row;
  }
  if (sub.status === 'incomplete') return row;
  const now = Date.now();
  const period = subscriptionPeriod(sub);
  const customer = typeof sub.customer === 'string' ? sub.customer : sub.customer.id;
  if (ended) {
    if (!row || (tracked !== null && tracked !== sub.id)) return row;
    const statements = [
      scope.db
        .prepare(
          `UPDATE subscriptions SET plan = 'free', stripe_status = ?, cancel_at_period_end = 0, version = version + ?, updated_at = ? WHERE account_id = ? AND stripe_subscription_id = ?`,
        )
        .bind(sub.status, options.bumpVersion ? 1 : 0, now, accountId, sub.id),
    ];
    if (row.plan !== 'free' && sub.cancellation_details?.comment !== DUNNING_CANCEL_COMMENT) {
      const endedAt = (sub.ended_at ?? sub.canceled_at ?? Math.floor(now / 1000)) * 1000;
      statements.push(
        billingEventStatement(scope.db, {
          accountId,
          kind: 'subscription_ended',
          message: `The ${scope.catalogue.plans[row.plan]?.name ?? row.plan} subscription ended. The account is on Free now and keeps all its data; choose a plan to get its features back.`,
          data: { subscription_id: sub.id, plan: row.plan },
          dedupeKey: `subscription-ended:${sub.id}`,
          occurredAt: endedAt,
        }),
      );
    }
    await scope.db.batch(statements);
    return getSubscriptionRow(scope.db, accountId);
  }
  const price = sub.items.data[0]?.price;
  const plan = planOfPrice(scope.catalogue, price);
  if (!plan) {
    log.warn('subscription with a price that sells no plan', { subscription: sub.id, account_id: accountId });
    return row;
  }
  await scope.db
    .prepare(
      `INSERT INTO subscriptions (account_id, plan, stripe_account, stripe_customer_id, stripe_subscription_id, stripe_price_id, stripe_status,
         current_period_start, current_period_end, cancel_at_period_end, version, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (account_id) DO UPDATE SET plan = excluded.plan, stripe_account = excluded.stripe_account, stripe_customer_id = excluded.stripe_customer_id,
         stripe_subscription_id = excluded.stripe_subscription_id, stripe_price_id = excluded.stripe_price_id, stripe_status = excluded.stripe_status,
         current_period_start = excluded.current_period_start, current_period_end = excluded.current_period_end,
         cancel_at_period_end = excluded.cancel_at_period_end, version = subscriptions.version + ?, updated_at = excluded.updated_at`,
    )
    .bind(
      accountId,
      plan,
      scope.stripeAccount,
      customer,
      sub.id,
      price.id,
      sub.status,
      period.start,
      period.end,
      sub.cancel_at_period_end ? 1 : 0,
      options.bumpVersion ? 1 : 0,
      now,
      now,
      options.bumpVersion ? 1 : 0,
    )
    .run();
  return getSubscriptionRow(scope.db, accountId);
}

/** The subscription an invoice bills, if any. */
export function invoiceSubscriptionId(invoice: Stripe.Invoice): string | null {
  const ref = invoice.parent?.subscription_details?.subscription;
  if (!ref) return null;
  return typeof ref === 'string' ? ref : ref.id;
}

/** The account a Stripe customer of the scope's Stripe account belongs to. */
export async function accountOfCustomer(scope: BillingScope, customerId: string): Promise<string | null> {
  return scope.accountOfCustomer(customerId);
}
