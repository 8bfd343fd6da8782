import type Stripe from 'stripe';
import { formatUsd } from '../platform/money';
import { scopeForStripeAccount, type BillingScope } from './billing.scope';
import { caseForInvoice, resolveDunning, startDunning } from './dunning';
import { accountOfCustomer, getSubscriptionRow, invoiceSubscriptionId, syncSubscription } from './subscriptions';
import { formatDay, recordBillingEvent } from './timeline';

/**
 * Billing's Stripe webhooks. Each handler finds the account by the Stripe
 * customer (never by metadata a caller could set), then re-reads the object
 * from Stripe and acts on its current state: an event delivered twice, late,
 * or before an earlier one ends in the same place. The webhook route stores
 * event ids so each is handled once; these handlers are idempotent anyway,
 * so a retry after a partial failure is safe.
 */

type EventHandler = (env: Env, event: Stripe.Event) => Promise<void>;

const customerId = (customer: string | Stripe.Customer | Stripe.DeletedCustomer | null): string | null =>
  customer === null ? null : typeof customer === 'string' ? customer : customer.id;

/**
 * The account whose Stripe customer this is, read from the object as Stripe
 * has it now (the event's copy is only a hint: it must name the same
 * customer, or the event is not acted on).
 */
async function accountOfObject(scope: BillingScope, hinted: string | null, current: string | null): Promise<string | null> {
  if (!current || current !== hinted) return null;
  return accountOfCustomer(scope, current);
}

/** customer.subscription.created / updated / deleted: mirror the subscription as it is now. */
const handleSubscriptionEvent: EventHandler = async (env, event) => {
  const scope = await scopeForStripeAccount(env, event.account);
  if (!scope) return;
  const snapshot = event.data.object as Stripe.Subscription;
  const hinted = customerId(snapshot.customer);
  if (!hinted || !(await accountOfCustomer(scope, hinted))) return;
  const subscription = await scope.stripe.subscriptions.retrieve(snapshot.id);
  const accountId = await accountOfObject(scope, hinted, customerId(subscription.customer));
  if (!accountId) return;
  await syncSubscription(scope, accountId, subscription);
};

/**
 * invoice.paid / payment_failed / payment_action_required: a paid invoice
 * settles its dunning case (or is noted on the timeline when it renews the
 * plan); a subscription invoice that failed and is still open starts one.
 */
const handleInvoiceEvent: EventHandler = async (env, event) => {
  const scope = await scopeForStripeAccount(env, event.account);
  if (!scope) return;
  const snapshot = event.data.object as Stripe.Invoice;
  const hinted = customerId(snapshot.customer);
  if (!hinted || !snapshot.id || !(await accountOfCustomer(scope, hinted))) return;
  const invoice = await scope.stripe.invoices.retrieve(snapshot.id);
  const accountId = await accountOfObject(scope, hinted, customerId(invoice.customer));
  if (!accountId) return;
  const existing = await caseForInvoice(scope.db, invoice.id);
  // A dunning case is settled only by its own account's invoice on its own Stripe account.
  if (existing && (existing.account_id !== accountId || existing.stripe_account !== scope.stripeAccount)) return;

  if (invoice.status === 'paid') {
    if (existing && existing.status !== 'closed') {
      await resolveDunning(scope, existing, invoice, 'webhook');
      return;
    }
    if (invoice.billing_reason === 'subscription_cycle' && invoice.amount_paid > 0) {
      const lineEnd = Math.max(0, ...invoice.lines.data.map((l) => l.period.end)) * 1000;
      await recordBillingEvent(scope.db, {
        accountId,
        kind: 'invoice_paid',
        message: `Renewal paid: $${formatUsd(invoice.amount_paid * 10_000).replace(/(\.\d\d)00$/, '$1')}${invoice.number ? ` (invoice ${invoice.number})` : ''}${lineEnd ? `, covering the plan until ${formatDay(lineEnd)}` : ''}.`,
        data: { invoice_id: invoice.id, number: invoice.number, amount: formatUsd(invoice.amount_paid * 10_000) },
        dedupeKey: `invoice-paid:${invoice.id}`,
        occurredAt: (invoice.status_transitions.paid_at ?? invoice.created) * 1000,
      });
    }
    return;
  }

  const subscriptionId = invoiceSubscriptionId(invoice);
  const renewsPlan = invoice.billing_reason === 'subscription_cycle' || invoice.billing_reason === 'subscription_update';
  if (invoice.status !== 'open' || invoice.attempt_count < 1 || !renewsPlan || !subscriptionId || existing) return;
  const row = await getSubscriptionRow(scope.db, accountId);
  // Only the subscription the account follows can put it into dunning.
  if (!row || row.stripe_subscription_id !== subscriptionId || row.plan === 'free') return;
  await startDunning(scope, accountId, invoice, row.plan);
};

/** Joined into the webhook route's HANDLERS map. */
export const BILLING_WEBHOOK_HANDLERS: Record<string, EventHandler> = {
  'customer.subscription.created': handleSubscriptionEvent,
  'customer.subscription.updated': handleSubscriptionEvent,
  'customer.subscription.deleted': handleSubscriptionEvent,
  'invoice.paid': handleInvoiceEvent,
  'invoice.payment_failed': handleInvoiceEvent,
  'invoice.payment_action_required': handleInvoiceEvent,
};
