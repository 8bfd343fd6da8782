import { createdFilter, listObject, listParams, type Emu } from '../stripe.context';
import { stripeId } from '../stripe.ids';
import type { StripeObject } from '../stripe.store';
import {
  bool,
  int,
  invalidRequest,
  list,
  mergeMetadata,
  obj,
  oneOf,
  onlyParams,
  requireStr,
  str,
  StripeApiError,
  type Metadata,
  type Param,
  type Params,
} from '../stripe.wire';
import { PLATFORM_APPLICATION } from '../stripe.constants';
import type { Interval, Price } from './catalog';
import { applicationFeePercent } from './connect';
import type { Customer } from './customers';
import {
  attemptInvoicePayment,
  draftInvoice,
  finalizeInvoice,
  formatMoney,
  pendingInvoiceItems,
  productName,
  voidInvoice,
  type Invoice,
  type InvoiceItem,
  type LineSource,
  type PaymentOutcome,
} from './invoices';
import type { Reply } from './payment-intents';
import type { PaymentMethod } from './payment-methods';

export interface SubscriptionItem extends StripeObject {
  object: 'subscription_item';
  price: Price;
  quantity: number;
  current_period_start: number;
  current_period_end: number;
  subscription: string;
  metadata: Metadata;
}

export type SubscriptionStatus = 'incomplete' | 'incomplete_expired' | 'trialing' | 'active' | 'past_due' | 'canceled' | 'unpaid' | 'paused';

export interface Subscription extends StripeObject {
  object: 'subscription';
  customer: string;
  status: SubscriptionStatus;
  created: number;
  currency: string;
  billing_cycle_anchor: number;
  cancel_at: number | null;
  cancel_at_period_end: boolean;
  canceled_at: number | null;
  ended_at: number | null;
  cancellation_details: { comment: string | null; feedback: string | null; reason: string | null };
  default_payment_method: string | null;
  description: string | null;
  items: { object: 'list'; data: SubscriptionItem[]; has_more: boolean; total_count: number; url: string };
  latest_invoice: string | null;
  metadata: Metadata;
  trial_start: number | null;
  trial_end: number | null;
  test_clock: string | null;
  /** On a connected account: the platform's share of each invoice, in percent. */
  application_fee_percent: number | null;
}

/** An incomplete subscription whose first invoice is not paid within 23 hours expires, as on Stripe. */
const INCOMPLETE_EXPIRES_AFTER = 23 * 3600;

// ---------------------------------------------------------------- billing periods

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
}

/** The n-th period boundary after `anchor`; months keep the anchor's day, clamped to short months (Jan 31 → Feb 28 → Mar 31). */
export function periodBoundary(anchor: number, interval: Interval, count: number, n: number): number {
  if (interval === 'day') return anchor + n * count * 86_400;
  if (interval === 'week') return anchor + n * count * 7 * 86_400;
  const d = new Date(anchor * 1000);
  const months = d.getUTCMonth() + n * count * (interval === 'year' ? 12 : 1);
  const year = d.getUTCFullYear() + Math.floor(months / 12);
  const month = ((months % 12) + 12) % 12;
  const day = Math.min(d.getUTCDate(), daysInMonth(year, month));
  return Date.UTC(year, month, day, d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()) / 1000;
}

/** The first boundary strictly after `after`. */
export function nextBoundary(anchor: number, interval: Interval, count: number, after: number): number {
  for (let n = 1; n < 10_000; n++) {
    const b = periodBoundary(anchor, interval, count, n);
    if (b > after) return b;
  }
  throw new Error('billing period out of range');
}

function recurringOf(price: Price): { interval: Interval; interval_count: number } {
  if (!price.recurring)
    throw invalidRequest(`The price specified is set to \`type=one_time\` but this field only accepts prices with \`type=recurring\`.`, 'items');
  return price.recurring;
}

function periodEnd(sub: Subscription): number {
  return sub.items.data[0].current_period_end;
}

function periodStart(sub: Subscription): number {
  return sub.items.data[0].current_period_start;
}

/** When the subscription next needs the clock's attention (renewal, cancellation, expiry), or null. */
function dueAt(sub: Subscription): number | null {
  if (sub.status === 'canceled' || sub.status === 'incomplete_expired') return null;
  if (sub.status === 'incomplete') return sub.created + INCOMPLETE_EXPIRES_AFTER;
  const end = periodEnd(sub);
  return sub.cancel_at !== null ? Math.min(sub.cancel_at, end) : end;
}

export function saveSubscription(emu: Emu, sub: Subscription): void {
  emu.store.save(sub, { dueAt: dueAt(sub) });
}

// ---------------------------------------------------------------- items and lines

function plan(price: Price): Record<string, unknown> {
  return {
    id: price.id,
    object: 'plan',
    active: price.active,
    amount: price.unit_amount,
    amount_decimal: price.unit_amount === null ? null : String(price.unit_amount),
    billing_scheme: 'per_unit',
    created: price.created,
    currency: price.currency,
    interval: price.recurring?.interval ?? 'month',
    interval_count: price.recurring?.interval_count ?? 1,
    livemode: false,
    metadata: price.metadata,
    meter: null,
    nickname: price.nickname,
    product: price.product,
    tiers_mode: null,
    transform_usage: null,
    trial_period_days: null,
    usage_type: 'licensed',
  };
}

function newItem(subId: string, price: Price, quantity: number, start: number, end: number, metadata: Metadata): SubscriptionItem {
  return {
    id: stripeId('si'),
    object: 'subscription_item',
    billing_thresholds: null,
    created: start,
    current_period_end: end,
    current_period_start: start,
    discounts: [],
    metadata,
    plan: plan(price),
    price,
    quantity,
    subscription: subId,
    tax_rates: [],
  };
}

function itemLine(emu: Emu, sub: Subscription, item: SubscriptionItem, start: number, end: number, trial: boolean): LineSource {
  const unit = item.price.unit_amount ?? 0;
  const name = productName(emu, item.price.product);
  const interval = item.price.recurring?.interval ?? 'month';
  return {
    amount: trial ? 0 : unit * item.quantity,
    description: trial ? `Trial period for ${name}` : `${item.quantity} × ${name} (at ${formatMoney(unit, item.price.currency)} / ${interval})`,
    period: { start, end },
    quantity: item.quantity,
    price: item.price,
    proration: false,
    subscription: sub.id,
    subscriptionItem: item.id,
    invoiceItem: null,
  };
}

function itemsList(subId: string, items: SubscriptionItem[]): Subscription['items'] {
  return { object: 'list', data: items, has_more: false, total_count: items.length, url: `/v1/subscription_items?subscription=${subId}` };
}

interface ItemInput {
  id?: string;
  price?: string;
  quantity?: number;
  deleted?: boolean;
  metadata?: Params;
}

function readItems(raw: Param[] | undefined): ItemInput[] {
  if (!raw) return [];
  return raw.map((entry, i) => {
    if (typeof entry !== 'object' || Array.isArray(entry)) throw invalidRequest(`Invalid hash: items[${i}].`, `items[${i}]`);
    const quantity = typeof entry.quantity === 'string' ? Number(entry.quantity) : undefined;
    if (quantity !== undefined && (!Number.isInteger(quantity) || quantity < 0))
      throw invalidRequest(`Invalid integer: ${String(entry.quantity)}`, `items[${i}][quantity]`);
    if (entry.price_data !== undefined) throw invalidRequest('The sandbox takes items[][price]; create the price first.', `items[${i}][price_data]`);
    return {
      id: typeof entry.id === 'string' ? entry.id : undefined,
      price: typeof entry.price === 'string' ? entry.price : typeof entry.plan === 'string' ? entry.plan : undefined,
      quantity,
      deleted: entry.deleted === 'true',
      metadata: typeof entry.metadata === 'object' && !Array.isArray(entry.metadata) ? entry.metadata : undefined,
    };
  });
}

// ---------------------------------------------------------------- the subscription follows its invoices

/**
 * After a payment attempt on a subscription's invoice: a paid invoice makes
 * an incomplete or past-due subscription active; a failed renewal makes an
 * active one past_due. Records customer.subscription.updated on a change.
 */
export function subscriptionFollowsInvoice(emu: Emu, invoice: Invoice, outcome: PaymentOutcome, at: number): void {
  const subId = invoice.parent?.subscription_details?.subscription;
  if (!subId) return;
  const sub = emu.store.get<Subscription>(subId);
  if (sub?.object !== 'subscription') return;
  let status = sub.status;
  if (outcome === 'paid' && (status === 'incomplete' || status === 'past_due' || status === 'unpaid')) {
    // Paying an older invoice does not clear a newer unpaid one.
    const latest = sub.latest_invoice ? emu.store.get<Invoice>(sub.latest_invoice) : null;
    if (!latest || latest.id === invoice.id || latest.status === 'paid') status = 'active';
  }
  if (outcome !== 'paid' && (status === 'active' || status === 'trialing') && invoice.billing_reason !== 'subscription_create') status = 'past_due';
  if (status === sub.status) return;
  const after: Subscription = { ...sub, status };
  emu.store.save(after, { dueAt: dueAt(after) });
  emu.emit('customer.subscription.updated', after, { previous: { status: sub.status }, at });
}

// ---------------------------------------------------------------- handlers

const CREATE_PARAMS = [
  'customer',
  'items',
  'default_payment_method',
  'payment_behavior',
  'metadata',
  'cancel_at_period_end',
  'cancel_at',
  'trial_period_days',
  'trial_end',
  'description',
  'collection_method',
  'proration_behavior',
  'off_session',
  'currency',
  'payment_settings',
  'default_tax_rates',
  'automatic_tax',
  'trial_from_plan',
  'billing_cycle_anchor',
  'days_until_due',
  'application_fee_percent',
  'transfer_data',
  'on_behalf_of',
  'discounts',
  'promotion_code',
  'coupon',
];

function resolveDefaultPaymentMethod(emu: Emu, ref: string, customerId: string, param: string): string {
  const pm = emu.find<PaymentMethod>(ref, 'payment_method', 'PaymentMethod', param);
  if (pm.customer !== customerId) {
    throw invalidRequest(
      `The customer does not have a payment method with the ID ${ref}. The payment method must be attached to the customer.`,
      param,
      'resource_missing',
    );
  }
  return pm.id;
}

// POST /v1/subscriptions – the first invoice is finalized and charged at once
export function createSubscription(emu: Emu, params: Params): Reply {
  onlyParams(params, CREATE_PARAMS);
  const customer = emu.find<Customer>(requireStr(params, 'customer'), 'customer', 'customer', 'customer');
  const collection = oneOf(params, 'collection_method', ['charge_automatically', 'send_invoice'] as const);
  if (collection === 'send_invoice') throw invalidRequest('The sandbox emulates charge_automatically subscriptions only.', 'collection_method');
  if (params.coupon !== undefined || params.discounts !== undefined || params.promotion_code !== undefined)
    throw invalidRequest('The sandbox does not emulate discounts yet.', 'discounts');
  const inputs = readItems(list(params, 'items'));
  if (inputs.length === 0) throw invalidRequest('Missing required param: items.', 'items', 'parameter_missing');
  const prices = inputs.map((input, i) => {
    if (!input.price) throw invalidRequest(`Missing required param: items[${i}][price].`, `items[${i}][price]`, 'parameter_missing');
    const price = emu.find<Price>(input.price, 'price', 'price', `items[${i}][price]`);
    if (!price.active) throw invalidRequest(`The price specified is inactive. This field only accepts active prices.`, `items[${i}][price]`);
    return price;
  });
  const { interval, interval_count } = recurringOf(prices[0]);
  for (const p of prices) {
    const r = recurringOf(p);
    if (r.interval !== interval || r.interval_count !== interval_count)
      throw invalidRequest('Currency and interval fields must match across all plans on this subscription.', 'items');
    if (p.currency !== prices[0].currency) throw invalidRequest('Currency and interval fields must match across all plans on this subscription.', 'items');
  }
  const behavior =
    oneOf(params, 'payment_behavior', ['allow_incomplete', 'error_if_incomplete', 'default_incomplete', 'pending_if_incomplete'] as const) ??
    'allow_incomplete';
  const at = emu.nowFor(customer.id);
  const trialEndParam = str(params, 'trial_end');
  const trialDays = int(params, 'trial_period_days');
  let trialEnd: number | null = null;
  if (trialEndParam && trialEndParam !== 'now') {
    trialEnd = Number(trialEndParam);
    if (!Number.isInteger(trialEnd) || trialEnd <= at) throw invalidRequest('Invalid timestamp: must be an integer Unix timestamp in the future.', 'trial_end');
  } else if (trialDays !== undefined && trialDays > 0) trialEnd = at + trialDays * 86_400;

  const dpmRef = str(params, 'default_payment_method') || null;
  const dpm = dpmRef ? resolveDefaultPaymentMethod(emu, dpmRef, customer.id, 'default_payment_method') : null;
  if (!dpm && !customer.invoice_settings.default_payment_method && behavior !== 'default_incomplete' && trialEnd === null) {
    throw invalidRequest(
      'This customer has no attached payment source or default payment method. Please consider adding a default payment method. For more information, visit https://stripe.com/docs/billing/subscriptions/payment-methods-setting#payment-method-priority.',
      undefined,
      'resource_missing',
    );
  }

  const feePercent = applicationFeePercent(emu, params) ?? null;
  const id = stripeId('sub');
  const anchor = trialEnd ?? at;
  const end = trialEnd ?? periodBoundary(anchor, interval, interval_count, 1);
  const items = inputs.map((input, i) =>
    newItem(id, prices[i], input.quantity ?? 1, at, end, input.metadata ? mergeMetadata({}, { metadata: input.metadata }) : {}),
  );
  const cancelAtPeriodEnd = bool(params, 'cancel_at_period_end') ?? false;
  const cancelAt = int(params, 'cancel_at') ?? (cancelAtPeriodEnd ? end : null);
  let sub: Subscription = {
    id,
    object: 'subscription',
    application: emu.connected ? PLATFORM_APPLICATION : null,
    application_fee_percent: feePercent,
    automatic_tax: { disabled_reason: null, enabled: false, liability: null },
    billing_cycle_anchor: anchor,
    billing_cycle_anchor_config: null,
    billing_mode: { flexible: null, type: 'classic', updated_at: at },
    billing_schedules: [],
    billing_thresholds: null,
    cancel_at: cancelAt,
    cancel_at_period_end: cancelAtPeriodEnd,
    canceled_at: cancelAt !== null ? at : null,
    cancellation_details: { comment: null, feedback: null, reason: cancelAt !== null ? 'cancellation_requested' : null },
    collection_method: 'charge_automatically',
    created: at,
    currency: prices[0].currency,
    customer: customer.id,
    customer_account: null,
    days_until_due: null,
    default_payment_method: dpm,
    default_source: null,
    default_tax_rates: [],
    description: str(params, 'description') || null,
    discounts: [],
    ended_at: null,
    invoice_settings: { account_tax_ids: null, issuer: { type: 'self' } },
    items: itemsList(id, items),
    latest_invoice: null,
    livemode: false,
    managed_payments: null,
    metadata: mergeMetadata({}, params),
    next_pending_invoice_item_invoice: null,
    on_behalf_of: null,
    pause_collection: null,
    payment_settings: { payment_method_options: null, payment_method_types: null, save_default_payment_method: 'off' },
    pending_invoice_item_interval: null,
    pending_setup_intent: null,
    pending_update: null,
    schedule: null,
    start_date: at,
    status: trialEnd !== null ? 'trialing' : 'incomplete',
    test_clock: customer.test_clock,
    transfer_data: null,
    trial_end: trialEnd,
    trial_settings: { end_behavior: { missing_payment_method: 'create_invoice' } },
    trial_start: trialEnd !== null ? at : null,
  };
  saveSubscription(emu, sub);

  let invoice = draftInvoice(emu, {
    customer,
    currency: sub.currency,
    subscription: { id, metadata: sub.metadata },
    billingReason: 'subscription_create',
    sources: items.map((item) => itemLine(emu, sub, item, at, end, trialEnd !== null)),
    // Pending one-off invoice items of the customer ride along on the first invoice, as on Stripe.
    invoiceItems: pendingInvoiceItems(emu, customer.id, null).filter((ii) => ii.currency === prices[0].currency),
    periodStart: at,
    periodEnd: at,
    at,
  });
  invoice = finalizeInvoice(emu, invoice, at);
  let error = null;
  if (invoice.status === 'open' && behavior !== 'default_incomplete') {
    const result = attemptInvoicePayment(emu, invoice, { at });
    invoice = result.invoice;
    error = result.error;
  }
  if (error && behavior === 'error_if_incomplete') throw new StripeApiError(error.type === 'card_error' ? 402 : 400, error);
  const status: SubscriptionStatus = trialEnd !== null ? 'trialing' : invoice.status === 'paid' ? 'active' : 'incomplete';
  sub = { ...sub, status, latest_invoice: invoice.id };
  saveSubscription(emu, sub);
  emu.emit('customer.subscription.created', sub, { at });
  return { status: 200, body: sub };
}

// GET /v1/subscriptions/:id
export function retrieveSubscription(emu: Emu, _params: Params, [id]: string[]): Subscription {
  return emu.find<Subscription>(id, 'subscription', 'subscription');
}

/** The pair of proration invoice items for one item change: credit the unused old, charge the remaining new. */
function prorate(
  emu: Emu,
  sub: Subscription,
  change: { itemId: string; before: { price: Price; quantity: number } | null; after: { price: Price; quantity: number } | null },
  at: number,
): InvoiceItem[] {
  const start = periodStart(sub);
  const end = periodEnd(sub);
  const total = end - start;
  const remaining = end - at;
  if (total <= 0 || remaining <= 0) return [];
  const date = new Date(at * 1000).toISOString().slice(0, 10);
  const make = (side: { price: Price; quantity: number }, sign: 1 | -1): InvoiceItem => {
    const full = (side.price.unit_amount ?? 0) * side.quantity;
    const amount = sign * Math.round((full * remaining) / total);
    const name = productName(emu, side.price.product);
    const quantityText = side.quantity === 1 ? '' : `${side.quantity} × `;
    const ii: InvoiceItem = {
      id: stripeId('ii'),
      object: 'invoiceitem',
      amount,
      currency: sub.currency,
      customer: sub.customer,
      customer_account: null,
      date: at,
      description: sign < 0 ? `Unused time on ${quantityText}${name} after ${date}` : `Remaining time on ${quantityText}${name} after ${date}`,
      discountable: false,
      discounts: [],
      invoice: null,
      livemode: false,
      metadata: {},
      net_amount: amount,
      parent: { subscription_details: { subscription: sub.id, subscription_item: change.itemId }, type: 'subscription_details' },
      period: { start: at, end },
      pricing: {
        price_details: { price: side.price.id, product: side.price.product },
        type: 'price_details',
        unit_amount_decimal: String(side.price.unit_amount ?? 0),
      },
      proration: true,
      proration_details: { discount_amounts: [] },
      quantity: side.quantity,
      quantity_decimal: String(side.quantity),
      tax_rates: [],
      test_clock: sub.test_clock,
    };
    emu.store.save(ii, { parent: sub.id });
    emu.emit('invoiceitem.created', ii, { at });
    return ii;
  };
  const out: InvoiceItem[] = [];
  if (change.before) out.push(make(change.before, -1));
  if (change.after) out.push(make(change.after, 1));
  return out;
}

const UPDATE_PARAMS = [
  'items',
  'proration_behavior',
  'proration_date',
  'cancel_at_period_end',
  'cancel_at',
  'default_payment_method',
  'metadata',
  'description',
  'payment_behavior',
  'trial_end',
  'off_session',
  'cancellation_details',
  'billing_cycle_anchor',
  'payment_settings',
  'default_tax_rates',
  'collection_method',
  'application_fee_percent',
];

// POST /v1/subscriptions/:id – items (with prorations), cancel at period end, default card, metadata
export function updateSubscription(emu: Emu, params: Params, [id]: string[]): Reply {
  onlyParams(params, UPDATE_PARAMS);
  const sub = emu.find<Subscription>(id, 'subscription', 'subscription');
  const at = emu.nowFor(sub.customer);
  const keys = Object.keys(params).filter((k) => k !== 'expand');
  if ((sub.status === 'canceled' || sub.status === 'incomplete_expired') && keys.some((k) => k !== 'metadata' && k !== 'cancellation_details')) {
    throw invalidRequest('A canceled subscription can only update its cancellation_details and metadata.', undefined, 'subscription_canceled');
  }
  const behavior = oneOf(params, 'proration_behavior', ['create_prorations', 'none', 'always_invoice'] as const) ?? 'create_prorations';
  const paymentBehavior =
    oneOf(params, 'payment_behavior', ['allow_incomplete', 'error_if_incomplete', 'default_incomplete', 'pending_if_incomplete'] as const) ??
    'allow_incomplete';
  const prorationAt = int(params, 'proration_date') ?? at;

  // Items: change price/quantity of existing ones, add new ones, delete with `deleted`.
  let items = sub.items.data.map((i) => ({ ...i }));
  const changes: Array<{ itemId: string; before: { price: Price; quantity: number } | null; after: { price: Price; quantity: number } | null }> = [];
  readItems(list(params, 'items')).forEach((input, i) => {
    if (input.id) {
      const idx = items.findIndex((it) => it.id === input.id);
      if (idx < 0) throw invalidRequest(`Invalid subscription_item id: ${input.id}`, `items[${i}][id]`, 'resource_missing');
      const current = items[idx];
      if (input.deleted) {
        changes.push({ itemId: current.id, before: { price: current.price, quantity: current.quantity }, after: null });
        items.splice(idx, 1);
        return;
      }
      const price = input.price ? emu.find<Price>(input.price, 'price', 'price', `items[${i}][price]`) : current.price;
      const quantity = input.quantity ?? current.quantity;
      if (price.id !== current.price.id || quantity !== current.quantity) {
        changes.push({ itemId: current.id, before: { price: current.price, quantity: current.quantity }, after: { price, quantity } });
      }
      items[idx] = {
        ...current,
        price,
        plan: plan(price),
        quantity,
        metadata: input.metadata ? mergeMetadata(current.metadata, { metadata: input.metadata }) : current.metadata,
      };
      return;
    }
    if (!input.price) throw invalidRequest(`Missing required param: items[${i}][price].`, `items[${i}][price]`, 'parameter_missing');
    const price = emu.find<Price>(input.price, 'price', 'price', `items[${i}][price]`);
    const item = newItem(
      sub.id,
      price,
      input.quantity ?? 1,
      periodStart(sub),
      periodEnd(sub),
      input.metadata ? mergeMetadata({}, { metadata: input.metadata }) : {},
    );
    items.push(item);
    changes.push({ itemId: item.id, before: null, after: { price, quantity: item.quantity } });
  });
  if (items.length === 0) throw invalidRequest('A subscription must have at least one active plan. To cancel a subscription, send a DELETE request.', 'items');
  const base = recurringOf(sub.items.data[0].price);
  for (const item of items) {
    const r = recurringOf(item.price);
    if (r.interval !== base.interval || r.interval_count !== base.interval_count || item.price.currency !== sub.currency) {
      throw invalidRequest('The sandbox keeps a subscription on one billing interval and currency; changing them is not emulated.', 'items');
    }
  }
  items = items.map((it) => ({ ...it, current_period_start: periodStart(sub), current_period_end: periodEnd(sub) }));

  const dpmRef = str(params, 'default_payment_method');
  const dpm =
    dpmRef === undefined ? sub.default_payment_method : dpmRef === '' ? null : resolveDefaultPaymentMethod(emu, dpmRef, sub.customer, 'default_payment_method');

  let cancelAt = sub.cancel_at;
  let cancelAtPeriodEnd = sub.cancel_at_period_end;
  let canceledAt = sub.canceled_at;
  let reason = sub.cancellation_details.reason;
  const capeParam = bool(params, 'cancel_at_period_end');
  const cancelAtParam = str(params, 'cancel_at');
  if (capeParam !== undefined) {
    cancelAtPeriodEnd = capeParam;
    cancelAt = capeParam ? periodEnd(sub) : null;
  }
  if (cancelAtParam !== undefined) {
    cancelAt = cancelAtParam === '' ? null : Number(cancelAtParam);
    cancelAtPeriodEnd = cancelAt !== null && cancelAt === periodEnd(sub);
  }
  if (cancelAt !== sub.cancel_at) {
    canceledAt = cancelAt === null ? null : at;
    reason = cancelAt === null ? null : 'cancellation_requested';
  }
  const details = obj(params, 'cancellation_details');
  const feePercent = applicationFeePercent(emu, params);

  let status = sub.status;
  let trialEnd = sub.trial_end;
  let anchor = sub.billing_cycle_anchor;
  if (str(params, 'trial_end') === 'now' && sub.status === 'trialing') {
    // The trial ends now: the period closes here and the first paid period starts (renewed below).
    trialEnd = at;
    anchor = at;
    items = items.map((it) => ({ ...it, current_period_end: at }));
  }

  let after: Subscription = {
    ...sub,
    items: itemsList(sub.id, items),
    default_payment_method: dpm,
    cancel_at: cancelAt,
    cancel_at_period_end: cancelAtPeriodEnd,
    canceled_at: canceledAt,
    cancellation_details: {
      comment: details && typeof details.comment === 'string' ? details.comment || null : sub.cancellation_details.comment,
      feedback: details && typeof details.feedback === 'string' ? details.feedback || null : sub.cancellation_details.feedback,
      reason,
    },
    description: str(params, 'description') !== undefined ? str(params, 'description') || null : sub.description,
    metadata: mergeMetadata(sub.metadata, params),
    status,
    trial_end: trialEnd,
    billing_cycle_anchor: anchor,
    application_fee_percent: feePercent === undefined ? sub.application_fee_percent : feePercent,
  };

  // Prorations while not trialing; `always_invoice` bills them now, otherwise they wait for the next invoice.
  const prorations = behavior !== 'none' && sub.status !== 'trialing' ? changes.flatMap((c) => prorate(emu, after, c, prorationAt)) : [];
  let error = null;
  if (behavior === 'always_invoice' && prorations.length > 0) {
    const customer = emu.find<Customer>(sub.customer, 'customer', 'customer', 'customer');
    let invoice = draftInvoice(emu, {
      customer,
      currency: sub.currency,
      subscription: { id: sub.id, metadata: after.metadata },
      billingReason: 'subscription_update',
      sources: [],
      invoiceItems: pendingInvoiceItems(emu, sub.customer, sub.id),
      periodStart: prorationAt,
      periodEnd: prorationAt,
      at,
    });
    invoice = finalizeInvoice(emu, invoice, at);
    if (invoice.status === 'open') {
      const result = attemptInvoicePayment(emu, invoice, { at, paymentMethod: dpm });
      invoice = result.invoice;
      error = result.error;
      if (error && paymentBehavior === 'error_if_incomplete') throw new StripeApiError(error.type === 'card_error' ? 402 : 400, error);
      if (result.outcome !== 'paid' && (status === 'active' || status === 'trialing')) status = 'past_due';
    }
    after = { ...after, latest_invoice: invoice.id, status };
  }

  saveSubscription(emu, after);
  const previous = previousOf(sub, after);
  if (previous) emu.emit('customer.subscription.updated', after, { previous, at });
  // A trial ended with trial_end=now renews at once.
  if (trialEnd !== sub.trial_end) advanceSubscription(emu, sub.id, at);
  return { status: 200, body: emu.store.get(sub.id) };
}

function previousOf(before: Subscription, after: Subscription): Record<string, unknown> | null {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(after) as Array<keyof Subscription>) {
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) out[key] = before[key] ?? null;
  }
  return Object.keys(out).length > 0 ? out : null;
}

/** Ends a subscription now (or at `at`): canceled, ended_at set, customer.subscription.deleted recorded. */
function endSubscription(emu: Emu, sub: Subscription, at: number, reason: string, status: SubscriptionStatus = 'canceled'): Subscription {
  const after: Subscription = {
    ...sub,
    status,
    canceled_at: sub.canceled_at ?? at,
    ended_at: at,
    cancellation_details: { ...sub.cancellation_details, reason: sub.cancellation_details.reason ?? reason },
  };
  saveSubscription(emu, after);
  emu.emit('customer.subscription.deleted', after, { at });
  return after;
}

// DELETE /v1/subscriptions/:id – cancels now
export function cancelSubscription(emu: Emu, params: Params, [id]: string[]): Subscription {
  onlyParams(params, ['invoice_now', 'prorate', 'cancellation_details']);
  const sub = emu.find<Subscription>(id, 'subscription', 'subscription');
  if (sub.status === 'canceled' || sub.status === 'incomplete_expired') {
    throw invalidRequest(`No such subscription: '${id}'`, 'id', 'resource_missing', 404);
  }
  const details = obj(params, 'cancellation_details');
  const withDetails: Subscription = {
    ...sub,
    canceled_at: null,
    cancellation_details: {
      comment: details && typeof details.comment === 'string' ? details.comment || null : sub.cancellation_details.comment,
      feedback: details && typeof details.feedback === 'string' ? details.feedback || null : sub.cancellation_details.feedback,
      reason: 'cancellation_requested',
    },
  };
  return endSubscription(emu, withDetails, emu.nowFor(sub.customer), 'cancellation_requested');
}

// GET /v1/subscriptions – not canceled by default; `status=all` includes every one
export function listSubscriptions(emu: Emu, params: Params): unknown {
  onlyParams(params, [
    'customer',
    'price',
    'status',
    'created',
    'limit',
    'starting_after',
    'ending_before',
    'collection_method',
    'test_clock',
    'current_period_end',
    'current_period_start',
  ]);
  const customer = str(params, 'customer');
  const price = str(params, 'price');
  const status = oneOf(params, 'status', [
    'active',
    'all',
    'canceled',
    'ended',
    'incomplete',
    'incomplete_expired',
    'past_due',
    'paused',
    'trialing',
    'unpaid',
  ] as const);
  const created = createdFilter(params);
  const keepStatus = (s: SubscriptionStatus) => {
    if (status === undefined) return s !== 'canceled' && s !== 'incomplete_expired';
    if (status === 'all') return true;
    if (status === 'ended') return s === 'canceled' || s === 'incomplete_expired';
    return s === status;
  };
  const page = emu.store.page<Subscription>(
    'subscription',
    customer ? { customer } : {},
    listParams(params),
    (s) => keepStatus(s.status) && (price === undefined || s.items.data.some((i) => i.price.id === price)) && created(s.created),
  );
  return listObject('/v1/subscriptions', page.data, page.has_more);
}

// DELETE /v1/customers/:id – cancels the customer's subscriptions, as Stripe does
export function deleteCustomer(emu: Emu, _params: Params, [id]: string[]): unknown {
  const customer = emu.find<Customer>(id, 'customer', 'customer');
  const at = emu.nowFor(id);
  for (const sub of emu.store.all<Subscription>('subscription', { customer: id })) {
    if (sub.status !== 'canceled' && sub.status !== 'incomplete_expired') endSubscription(emu, sub, at, 'cancellation_requested');
  }
  emu.store.save({ id, object: 'customer', deleted: true });
  emu.emit('customer.deleted', customer, { at });
  return { id, object: 'customer', deleted: true };
}

// ---------------------------------------------------------------- the clock moves

/**
 * Brings one subscription up to time `until`: expires an unpaid incomplete
 * one after 23 hours, ends one whose cancellation time came, and renews at
 * each period end — a new period, an invoice (with pending prorations) that
 * is finalized and charged to the default card at once. A paid renewal keeps
 * it active (invoice.paid); a failed one makes it past_due
 * (invoice.payment_failed, no automatic retry: the product's dunning decides).
 */
export function advanceSubscription(emu: Emu, subId: string, until: number): void {
  for (let guard = 0; guard < 120; guard++) {
    const sub = emu.store.get<Subscription>(subId);
    if (sub?.object !== 'subscription') return;
    const due = dueAt(sub);
    if (due === null || due > until) {
      saveSubscription(emu, sub);
      return;
    }
    if (sub.status === 'incomplete') {
      const latest = sub.latest_invoice ? emu.store.get<Invoice>(sub.latest_invoice) : null;
      if (latest && latest.status === 'open') voidInvoice(emu, latest, due);
      endSubscription(emu, sub, due, 'payment_failed', 'incomplete_expired');
      return;
    }
    const end = periodEnd(sub);
    if (sub.cancel_at !== null && sub.cancel_at <= end) {
      endSubscription(emu, sub, sub.cancel_at, 'cancellation_requested');
      return;
    }
    renew(emu, sub, end);
  }
}

function renew(emu: Emu, sub: Subscription, at: number): void {
  const customer = emu.find<Customer>(sub.customer, 'customer', 'customer', 'customer');
  const { interval, interval_count } = recurringOf(sub.items.data[0].price);
  const wasTrial = sub.status === 'trialing';
  const newEnd = nextBoundary(sub.billing_cycle_anchor, interval, interval_count, at);
  const items = sub.items.data.map((i) => ({ ...i, current_period_start: at, current_period_end: newEnd }));
  let after: Subscription = { ...sub, items: itemsList(sub.id, items), status: wasTrial ? 'active' : sub.status };
  saveSubscription(emu, after);

  let invoice = draftInvoice(emu, {
    customer,
    currency: sub.currency,
    subscription: { id: sub.id, metadata: sub.metadata },
    billingReason: 'subscription_cycle',
    sources: items.map((item) => itemLine(emu, after, item, at, newEnd, false)),
    invoiceItems: pendingInvoiceItems(emu, sub.customer, sub.id),
    periodStart: periodStart(sub),
    periodEnd: at,
    at,
  });
  invoice = finalizeInvoice(emu, invoice, at);
  let outcome: PaymentOutcome = 'paid';
  if (invoice.status === 'open') outcome = attemptInvoicePayment(emu, invoice, { at }).outcome;
  let status = after.status;
  if (outcome === 'paid' && status === 'past_due') {
    const older = emu.store.all<Invoice>('invoice', { parent: sub.id }).some((i) => i.id !== invoice.id && i.status === 'open');
    if (!older) status = 'active';
  }
  if (outcome !== 'paid') status = 'past_due';
  after = { ...after, latest_invoice: invoice.id, status };
  saveSubscription(emu, after);
  const previous = previousOf(sub, after);
  if (previous) emu.emit('customer.subscription.updated', after, { previous, at });
}

/** Runs every subscription on one clock (null: the account's own) up to `until`. */
export function advanceSubscriptions(emu: Emu, until: number, clock: string | null): void {
  for (const id of emu.store.dueIds('subscription', until, clock)) advanceSubscription(emu, id, until);
}
