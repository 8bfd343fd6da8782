import { createdFilter, listObject, listParams, type Emu } from '../stripe.context';
import { stripeId } from '../stripe.ids';
import type { StripeObject } from '../stripe.store';
import {
  bool,
  int,
  invalidRequest,
  mergeMetadata,
  obj,
  oneOf,
  onlyParams,
  requireStr,
  str,
  type Metadata,
  type Params,
  type StripeErrorBody,
} from '../stripe.wire';
import { PLATFORM_APPLICATION } from '../stripe.constants';
import type { Price, Product } from './catalog';
import { feeFromPercent } from './connect';
import type { Customer } from './customers';
import { confirmPaymentIntent, checkCurrency, newPaymentIntent, type PaymentIntent, type Reply } from './payment-intents';
import type { PaymentMethod } from './payment-methods';
import { subscriptionFollowsInvoice } from './subscriptions';

export interface LineItem extends StripeObject {
  object: 'line_item';
  amount: number;
  period: { start: number; end: number };
}

export interface InvoiceItem extends StripeObject {
  object: 'invoiceitem';
  amount: number;
  currency: string;
  customer: string;
  description: string | null;
  invoice: string | null;
  proration: boolean;
  period: { start: number; end: number };
  parent: { subscription_details: { subscription: string; subscription_item: string | null } | null; type: 'subscription_details' } | null;
  pricing: { price_details: { price: string; product: string } | null; type: 'price_details'; unit_amount_decimal: string | null } | null;
  quantity: number;
  metadata: Metadata;
}

export type InvoiceStatus = 'draft' | 'open' | 'paid' | 'uncollectible' | 'void';

export interface Invoice extends StripeObject {
  object: 'invoice';
  status: InvoiceStatus;
  customer: string;
  currency: string;
  created: number;
  amount_due: number;
  amount_paid: number;
  amount_remaining: number;
  attempt_count: number;
  attempted: boolean;
  billing_reason: string;
  default_payment_method: string | null;
  lines: { object: 'list'; data: LineItem[]; has_more: boolean; url: string };
  metadata: Metadata;
  next_payment_attempt: number | null;
  number: string | null;
  parent: { quote_details: null; subscription_details: { metadata: Metadata; subscription: string } | null; type: 'subscription_details' } | null;
  period_start: number;
  period_end: number;
  starting_balance: number;
  ending_balance: number | null;
  subtotal: number;
  total: number;
  subscription: string | null;
  status_transitions: { finalized_at: number | null; marked_uncollectible_at: number | null; paid_at: number | null; voided_at: number | null };
  /** On a connected account only: the platform's fee, set when the invoice is finalized. */
  application_fee_amount?: number | null;
}

export interface InvoicePayment extends StripeObject {
  object: 'invoice_payment';
  invoice: string;
  status: 'open' | 'paid' | 'canceled';
  payment: { payment_intent: string; type: 'payment_intent' };
}

/** What a line is made from: a subscription item's period, or a pending invoice item. */
export interface LineSource {
  amount: number;
  description: string;
  period: { start: number; end: number };
  quantity: number;
  price: Price | null;
  proration: boolean;
  subscription: string | null;
  subscriptionItem: string | null;
  invoiceItem: string | null;
  metadata?: Metadata;
}

export function formatMoney(amount: number, currency: string): string {
  const abs = Math.abs(amount);
  const text = `${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
  const sign = amount < 0 ? '-' : '';
  return currency === 'usd' ? `${sign}$${text}` : `${sign}${text} ${currency.toUpperCase()}`;
}

export function productName(emu: Emu, productId: string): string {
  return emu.store.get<Product>(productId)?.name ?? productId;
}

function lineFrom(invoiceId: string, currency: string, source: LineSource): LineItem {
  const unit = source.price?.unit_amount ?? null;
  return {
    id: stripeId('il'),
    object: 'line_item',
    amount: source.amount,
    currency,
    description: source.description,
    discount_amounts: [],
    discountable: !source.proration,
    discounts: [],
    invoice: invoiceId,
    livemode: false,
    metadata: source.metadata ?? {},
    parent: source.invoiceItem
      ? {
          invoice_item_details: {
            invoice_item: source.invoiceItem,
            proration: source.proration,
            proration_details: { credited_items: null },
            subscription: source.subscription,
          },
          subscription_item_details: null,
          type: 'invoice_item_details',
        }
      : {
          invoice_item_details: null,
          subscription_item_details: {
            invoice_item: null,
            proration: false,
            proration_details: { credited_items: null },
            subscription: source.subscription,
            subscription_item: source.subscriptionItem,
          },
          type: 'subscription_item_details',
        },
    period: source.period,
    pretax_credit_amounts: [],
    pricing: source.price
      ? {
          price_details: { price: source.price.id, product: source.price.product },
          type: 'price_details',
          unit_amount_decimal: unit === null ? null : String(unit),
        }
      : null,
    quantity: source.quantity,
    quantity_decimal: String(source.quantity),
    subscription: source.subscription,
    subtotal: source.amount,
    taxes: [],
  };
}

/** Pending invoice items (prorations, one-off charges) waiting for the customer's next invoice. */
export function pendingInvoiceItems(emu: Emu, customerId: string, subscriptionId: string | null): InvoiceItem[] {
  return emu.store
    .all<InvoiceItem>('invoiceitem', { customer: customerId })
    .filter((ii) => ii.invoice === null && (ii.parent?.subscription_details?.subscription ?? null) === subscriptionId)
    .reverse();
}

export function sourceFromInvoiceItem(emu: Emu, ii: InvoiceItem): LineSource {
  const priceId = ii.pricing?.price_details?.price;
  return {
    amount: ii.amount,
    description: ii.description ?? '',
    period: ii.period,
    quantity: ii.quantity,
    price: priceId ? emu.store.get<Price>(priceId) : null,
    proration: ii.proration,
    subscription: ii.parent?.subscription_details?.subscription ?? null,
    subscriptionItem: ii.parent?.subscription_details?.subscription_item ?? null,
    invoiceItem: ii.id,
    metadata: ii.metadata,
  };
}

/**
 * A draft invoice with its lines; pending invoice items on it are claimed
 * (their `invoice` set). Records invoice.created.
 */
export function draftInvoice(
  emu: Emu,
  input: {
    customer: Customer;
    currency: string;
    subscription: { id: string; metadata: Metadata } | null;
    billingReason: string;
    sources: LineSource[];
    invoiceItems: InvoiceItem[];
    periodStart: number;
    periodEnd: number;
    at: number;
    description?: string | null;
    metadata?: Metadata;
    defaultPaymentMethod?: string | null;
    autoAdvance?: boolean;
  },
): Invoice {
  const id = stripeId('in');
  const lines = [...input.sources, ...input.invoiceItems.map((ii) => sourceFromInvoiceItem(emu, ii))].map((s) => lineFrom(id, input.currency, s));
  const subtotal = lines.reduce((sum, l) => sum + l.amount, 0);
  const c = input.customer;
  const invoice: Invoice = {
    id,
    object: 'invoice',
    account_country: 'US',
    account_name: 'Sandbox',
    account_tax_ids: null,
    amount_due: Math.max(0, subtotal),
    amount_overpaid: 0,
    amount_paid: 0,
    amount_remaining: Math.max(0, subtotal),
    amount_shipping: 0,
    application: emu.connected ? PLATFORM_APPLICATION : null,
    ...(emu.connected ? { application_fee_amount: null } : {}),
    attempt_count: 0,
    attempted: false,
    auto_advance: input.autoAdvance ?? true,
    automatic_tax: { disabled_reason: null, enabled: false, liability: null, provider: null, status: null },
    automatically_finalizes_at: null,
    billing_reason: input.billingReason,
    collection_method: 'charge_automatically',
    created: input.at,
    currency: input.currency,
    custom_fields: null,
    customer: c.id,
    customer_account: null,
    customer_address: c.address,
    customer_email: c.email,
    customer_name: c.name,
    customer_phone: (c.phone as string | null) ?? null,
    customer_shipping: null,
    customer_tax_exempt: (c.tax_exempt as string) ?? 'none',
    customer_tax_ids: [],
    default_payment_method: input.defaultPaymentMethod ?? null,
    default_source: null,
    default_tax_rates: [],
    description: input.description ?? null,
    discounts: [],
    due_date: null,
    effective_at: null,
    ending_balance: null,
    footer: null,
    from_invoice: null,
    hosted_invoice_url: null,
    invoice_pdf: null,
    issuer: { type: 'self' },
    last_finalization_error: null,
    latest_revision: null,
    lines: listObject(`/v1/invoices/${id}/lines`, lines, false),
    livemode: false,
    metadata: input.metadata ?? {},
    next_payment_attempt: null,
    number: null,
    on_behalf_of: null,
    parent: input.subscription
      ? {
          quote_details: null,
          subscription_details: { metadata: input.subscription.metadata, subscription: input.subscription.id },
          type: 'subscription_details',
        }
      : null,
    payment_settings: { default_mandate: null, payment_method_options: null, payment_method_types: null },
    period_end: input.periodEnd,
    period_start: input.periodStart,
    post_payment_credit_notes_amount: 0,
    pre_payment_credit_notes_amount: 0,
    receipt_number: null,
    rendering: null,
    shipping_cost: null,
    shipping_details: null,
    starting_balance: 0,
    statement_descriptor: null,
    status: 'draft',
    status_transitions: { finalized_at: null, marked_uncollectible_at: null, paid_at: null, voided_at: null },
    subscription: input.subscription?.id ?? null,
    subtotal,
    subtotal_excluding_tax: subtotal,
    test_clock: c.test_clock,
    total: subtotal,
    total_discount_amounts: [],
    total_excluding_tax: subtotal,
    total_pretax_credit_amounts: [],
    total_taxes: [],
    webhooks_delivered_at: null,
  };
  emu.store.save(invoice, { parent: input.subscription?.id ?? null });
  for (const ii of input.invoiceItems) emu.store.save({ ...ii, invoice: id });
  emu.emit('invoice.created', invoice, { at: input.at });
  return invoice;
}

/**
 * Finalizes a draft: numbers it, applies the customer's credit balance, and
 * records invoice.finalized. An invoice with nothing to pay is paid at once.
 */
export function finalizeInvoice(emu: Emu, draft: Invoice, at: number): Invoice {
  if (draft.status !== 'draft')
    throw invalidRequest(`This invoice is already finalized, you can't re-finalize a non-draft invoice.`, undefined, 'invoice_not_editable');
  const customer = emu.find<Customer>(draft.customer, 'customer', 'customer', 'customer');
  const starting = Number(customer.balance ?? 0);
  const applied = draft.total + starting;
  const ending = Math.min(0, applied);
  const amountDue = Math.max(0, applied);
  const number = `${customer.invoice_prefix}-${String(customer.next_invoice_sequence).padStart(4, '0')}`;
  emu.store.save({ ...customer, balance: ending, next_invoice_sequence: customer.next_invoice_sequence + 1 });
  // A subscription on a connected account with application_fee_percent takes that share of what the invoice asks for.
  const subId = draft.parent?.subscription_details?.subscription;
  const percent = emu.connected && subId ? ((emu.store.get(subId)?.application_fee_percent as number | null | undefined) ?? null) : null;
  let invoice: Invoice = {
    ...draft,
    ...(emu.connected ? { application_fee_amount: percent === null ? (draft.application_fee_amount ?? null) : feeFromPercent(amountDue, percent) } : {}),
    status: 'open',
    number,
    starting_balance: starting,
    ending_balance: ending,
    amount_due: amountDue,
    amount_remaining: amountDue,
    effective_at: at,
    status_transitions: { ...draft.status_transitions, finalized_at: at },
  };
  emu.store.save(invoice);
  emu.emit('invoice.finalized', invoice, { at });
  if (amountDue === 0) {
    invoice = { ...invoice, status: 'paid', status_transitions: { ...invoice.status_transitions, paid_at: at } };
    emu.store.save(invoice);
    emu.emit('invoice.paid', invoice, { at });
    emu.emit('invoice.payment_succeeded', invoice, { at });
  }
  return invoice;
}

export type PaymentOutcome = 'paid' | 'failed' | 'requires_action';

/** The card an invoice is charged to: the one given, the invoice's, the subscription's, then the customer's default. */
function invoicePaymentMethod(emu: Emu, invoice: Invoice, explicit: string | null): PaymentMethod | null {
  const subId = invoice.parent?.subscription_details?.subscription;
  const sub = subId ? emu.store.get(subId) : null;
  const customer = emu.store.get<Customer>(invoice.customer);
  const id =
    explicit ??
    invoice.default_payment_method ??
    (typeof sub?.default_payment_method === 'string' ? sub.default_payment_method : null) ??
    customer?.invoice_settings.default_payment_method ??
    null;
  return id ? emu.store.get<PaymentMethod>(id) : null;
}

/**
 * One payment attempt on an open invoice, through a PaymentIntent (reused
 * across attempts, as Stripe does). There are no automatic retries
 * (`next_payment_attempt` stays null): the product's dunning decides.
 */
export function attemptInvoicePayment(
  emu: Emu,
  open: Invoice,
  options: { paymentMethod?: string | null; at: number },
): { invoice: Invoice; outcome: PaymentOutcome; error: StripeErrorBody | null } {
  const at = options.at;
  const pm = invoicePaymentMethod(emu, open, options.paymentMethod ?? null);
  let invoice: Invoice = { ...open, attempted: true, attempt_count: open.attempt_count + 1, next_payment_attempt: null };
  if (!pm) {
    emu.store.save(invoice);
    emu.emit('invoice.payment_failed', invoice, { at });
    return {
      invoice,
      outcome: 'failed',
      error: {
        type: 'invalid_request_error',
        code: 'invoice_no_payment_method_types',
        message: 'This invoice cannot be paid: the customer has no default payment method and none was given.',
      },
    };
  }
  const payments = emu.store.all<InvoicePayment>('invoice_payment', { parent: invoice.id });
  const reusable = payments.find((p) => p.status === 'open');
  let pi = reusable ? emu.store.get<PaymentIntent>(reusable.payment.payment_intent) : null;
  if (!pi || !['requires_payment_method', 'requires_confirmation', 'requires_action'].includes(pi.status)) {
    pi = newPaymentIntent(emu, {
      amount: invoice.amount_remaining,
      currency: invoice.currency,
      customer: invoice.customer,
      payment_method: pm.id,
      description:
        invoice.billing_reason === 'subscription_create'
          ? 'Subscription creation'
          : invoice.billing_reason === 'subscription_update'
            ? 'Subscription update'
            : invoice.billing_reason === 'subscription_cycle'
              ? 'Subscription cycle'
              : `Invoice ${invoice.number ?? invoice.id}`,
      metadata: {},
      application_fee_amount: invoice.application_fee_amount ?? null,
      at,
    });
    const payment: InvoicePayment = {
      id: stripeId('inpay'),
      object: 'invoice_payment',
      amount_paid: null,
      amount_requested: invoice.amount_remaining,
      created: at,
      currency: invoice.currency,
      invoice: invoice.id,
      is_default: true,
      livemode: false,
      payment: { payment_intent: pi.id, type: 'payment_intent' },
      status: 'open',
      status_transitions: { canceled_at: null, paid_at: null },
    };
    for (const p of payments) if (p.is_default) emu.store.save({ ...p, is_default: false });
    emu.store.save(payment, { parent: invoice.id });
  } else {
    pi = { ...pi, payment_method: pm.id, status: 'requires_confirmation' };
    emu.store.save(pi);
  }
  // Billing confirms as Stripe Billing does: a card that needs 3D Secure leaves the intent in requires_action.
  const result = confirmPaymentIntent(emu, pi, { offSession: false, at });
  const payment = emu.store.all<InvoicePayment>('invoice_payment', { parent: invoice.id }).find((p) => p.payment.payment_intent === result.pi.id);

  if (result.pi.status === 'succeeded') {
    if (payment)
      emu.store.save(
        { ...payment, status: 'paid', amount_paid: result.pi.amount, status_transitions: { canceled_at: null, paid_at: at } },
        { parent: invoice.id },
      );
    invoice = {
      ...invoice,
      status: 'paid',
      amount_paid: invoice.amount_paid + invoice.amount_remaining,
      amount_remaining: 0,
      status_transitions: { ...invoice.status_transitions, paid_at: at },
    };
    emu.store.save(invoice);
    emu.emit('invoice.paid', invoice, { at });
    emu.emit('invoice.payment_succeeded', invoice, { at });
    return { invoice, outcome: 'paid', error: null };
  }
  emu.store.save(invoice);
  if (result.pi.status === 'requires_action') {
    emu.emit('invoice.payment_action_required', invoice, { at });
    return {
      invoice,
      outcome: 'requires_action',
      error: {
        type: 'card_error',
        code: 'invoice_payment_intent_requires_action',
        message: 'This payment requires additional user action before it can be completed successfully.',
        payment_intent: result.pi,
      },
    };
  }
  emu.emit('invoice.payment_failed', invoice, { at });
  return { invoice, outcome: 'failed', error: result.error };
}

// ---------------------------------------------------------------- handlers

export const INVOICE_INCLUDABLES = {
  invoice: {
    payments: (emu: Emu, owner: StripeObject) => {
      const data = emu.store.all<InvoicePayment>('invoice_payment', { parent: owner.id });
      return listObject(`/v1/invoice_payments?invoice=${owner.id}`, data, false);
    },
  },
};

// GET /v1/invoices
export function listInvoices(emu: Emu, params: Params): unknown {
  onlyParams(params, ['customer', 'subscription', 'status', 'collection_method', 'created', 'due_date', 'limit', 'starting_after', 'ending_before']);
  const customer = str(params, 'customer');
  const subscription = str(params, 'subscription');
  const status = oneOf(params, 'status', ['draft', 'open', 'paid', 'uncollectible', 'void'] as const);
  const created = createdFilter(params);
  const page = emu.store.page<Invoice>(
    'invoice',
    { ...(customer ? { customer } : {}), ...(subscription ? { parent: subscription } : {}) },
    listParams(params),
    (i) => (status === undefined || i.status === status) && created(i.created),
  );
  return listObject('/v1/invoices', page.data, page.has_more);
}

// GET /v1/invoices/:id
export function retrieveInvoice(emu: Emu, _params: Params, [id]: string[]): Invoice {
  return emu.find<Invoice>(id, 'invoice', 'invoice');
}

// GET /v1/invoices/:id/lines
export function listInvoiceLines(emu: Emu, params: Params, [id]: string[]): unknown {
  const invoice = emu.find<Invoice>(id, 'invoice', 'invoice');
  const { limit, startingAfter } = listParams(params);
  let lines = invoice.lines.data;
  if (startingAfter) lines = lines.slice(lines.findIndex((l) => l.id === startingAfter) + 1);
  return listObject(`/v1/invoices/${id}/lines`, lines.slice(0, limit), lines.length > limit);
}

// POST /v1/invoices – a one-off invoice, optionally sweeping in the customer's pending invoice items
export function createInvoice(emu: Emu, params: Params): Invoice {
  onlyParams(params, [
    'customer',
    'auto_advance',
    'collection_method',
    'currency',
    'description',
    'metadata',
    'pending_invoice_items_behavior',
    'default_payment_method',
    'subscription',
    'footer',
    'days_until_due',
    'due_date',
  ]);
  const customer = emu.find<Customer>(requireStr(params, 'customer'), 'customer', 'customer', 'customer');
  const collection = oneOf(params, 'collection_method', ['charge_automatically', 'send_invoice'] as const);
  if (collection === 'send_invoice') throw invalidRequest('The sandbox emulates charge_automatically invoices only.', 'collection_method');
  const include = (oneOf(params, 'pending_invoice_items_behavior', ['include', 'exclude'] as const) ?? 'exclude') === 'include';
  const items = include ? pendingInvoiceItems(emu, customer.id, null) : [];
  const currency = str(params, 'currency') ? checkCurrency(str(params, 'currency') as string) : (items[0]?.currency ?? 'usd');
  const dpm = str(params, 'default_payment_method') || null;
  if (dpm) emu.find<PaymentMethod>(dpm, 'payment_method', 'PaymentMethod', 'default_payment_method');
  const at = emu.nowFor(customer.id);
  return draftInvoice(emu, {
    customer,
    currency,
    subscription: null,
    billingReason: 'manual',
    sources: [],
    invoiceItems: items.filter((ii) => ii.currency === currency),
    periodStart: at,
    periodEnd: at,
    at,
    description: str(params, 'description') || null,
    metadata: mergeMetadata({}, params),
    defaultPaymentMethod: dpm,
    autoAdvance: bool(params, 'auto_advance') ?? false,
  });
}

// POST /v1/invoices/:id
export function updateInvoice(emu: Emu, params: Params, [id]: string[]): Invoice {
  onlyParams(params, ['description', 'metadata', 'default_payment_method', 'auto_advance', 'footer']);
  const invoice = emu.find<Invoice>(id, 'invoice', 'invoice');
  const onlyMetadata = Object.keys(params).every((k) => k === 'metadata' || k === 'expand');
  if (invoice.status !== 'draft' && !onlyMetadata && invoice.status !== 'open')
    throw invalidRequest(`You can only update metadata on a ${invoice.status} invoice.`, undefined, 'invoice_not_editable');
  const dpm = str(params, 'default_payment_method');
  if (dpm) emu.find<PaymentMethod>(dpm, 'payment_method', 'PaymentMethod', 'default_payment_method');
  const after: Invoice = {
    ...invoice,
    description: str(params, 'description') !== undefined ? str(params, 'description') || null : (invoice.description as string | null),
    metadata: mergeMetadata(invoice.metadata, params),
    default_payment_method: dpm !== undefined ? dpm || null : invoice.default_payment_method,
    auto_advance: bool(params, 'auto_advance') ?? invoice.auto_advance,
  };
  emu.saveAndEmitUpdate('invoice.updated', invoice, after);
  return after;
}

// POST /v1/invoices/:id/finalize
export function finalizeHandler(emu: Emu, params: Params, [id]: string[]): Invoice {
  onlyParams(params, ['auto_advance']);
  const invoice = emu.find<Invoice>(id, 'invoice', 'invoice');
  return finalizeInvoice(emu, { ...invoice, auto_advance: bool(params, 'auto_advance') ?? invoice.auto_advance }, emu.nowFor(invoice.customer));
}

// POST /v1/invoices/:id/pay – charges the card now; a decline answers 402 and leaves the invoice open
export function payHandler(emu: Emu, params: Params, [id]: string[]): Reply {
  onlyParams(params, ['payment_method', 'off_session', 'paid_out_of_band', 'forgive', 'source', 'mandate']);
  let invoice = emu.find<Invoice>(id, 'invoice', 'invoice');
  const at = emu.nowFor(invoice.customer);
  if (invoice.status === 'paid') throw invalidRequest('Invoice is already paid', undefined, 'invoice_already_paid');
  if (invoice.status === 'void') throw invalidRequest(`This invoice is ${invoice.status} and cannot be paid.`, undefined, 'invoice_not_open');
  if (invoice.status === 'draft') invoice = finalizeInvoice(emu, invoice, at);
  if (invoice.status === 'paid') {
    subscriptionFollowsInvoice(emu, invoice, 'paid', at);
    return { status: 200, body: emu.store.get(invoice.id) };
  }
  if (bool(params, 'paid_out_of_band')) {
    const paid: Invoice = {
      ...invoice,
      status: 'paid',
      amount_paid: invoice.amount_remaining,
      amount_remaining: 0,
      status_transitions: { ...invoice.status_transitions, paid_at: at },
    };
    emu.store.save(paid);
    emu.emit('invoice.paid', paid, { at });
    subscriptionFollowsInvoice(emu, paid, 'paid', at);
    return { status: 200, body: emu.store.get(paid.id) };
  }
  const pmRef = str(params, 'payment_method') || null;
  if (pmRef) {
    const pm = emu.find<PaymentMethod>(pmRef, 'payment_method', 'PaymentMethod', 'payment_method');
    if (pm.customer && pm.customer !== invoice.customer)
      throw invalidRequest(`The provided PaymentMethod ${pm.id} belongs to another customer.`, 'payment_method');
  }
  const result = attemptInvoicePayment(emu, invoice, { paymentMethod: pmRef, at });
  subscriptionFollowsInvoice(emu, result.invoice, result.outcome, at);
  if (result.error) {
    const status = result.error.type === 'card_error' ? 402 : 400;
    return { status, body: { error: result.error } };
  }
  return { status: 200, body: emu.store.get(result.invoice.id) };
}

// POST /v1/invoices/:id/void
export function voidHandler(emu: Emu, params: Params, [id]: string[]): Invoice {
  onlyParams(params, []);
  const invoice = emu.find<Invoice>(id, 'invoice', 'invoice');
  if (invoice.status !== 'open' && invoice.status !== 'uncollectible')
    throw invalidRequest(`You can only void an open or uncollectible invoice; this one is ${invoice.status}.`, undefined, 'invoice_not_open');
  return voidInvoice(emu, invoice, emu.nowFor(invoice.customer));
}

export function voidInvoice(emu: Emu, invoice: Invoice, at: number): Invoice {
  const after: Invoice = { ...invoice, status: 'void', amount_remaining: 0, status_transitions: { ...invoice.status_transitions, voided_at: at } };
  emu.store.save(after);
  for (const p of emu.store.all<InvoicePayment>('invoice_payment', { parent: invoice.id })) {
    if (p.status !== 'open') continue;
    emu.store.save({ ...p, status: 'canceled', status_transitions: { canceled_at: at, paid_at: null } });
    const pi = emu.store.get<PaymentIntent>(p.payment.payment_intent);
    if (pi && pi.status !== 'succeeded' && pi.status !== 'canceled') {
      const canceled: PaymentIntent = { ...pi, status: 'canceled', canceled_at: at, cancellation_reason: 'void_invoice', next_action: null };
      emu.store.save(canceled);
      emu.emit('payment_intent.canceled', canceled, { at });
    }
  }
  emu.emit('invoice.voided', after, { at });
  return after;
}

// POST /v1/invoices/:id/mark_uncollectible
export function markUncollectibleHandler(emu: Emu, params: Params, [id]: string[]): Invoice {
  onlyParams(params, []);
  const invoice = emu.find<Invoice>(id, 'invoice', 'invoice');
  if (invoice.status !== 'open')
    throw invalidRequest(`You can only mark an open invoice uncollectible; this one is ${invoice.status}.`, undefined, 'invoice_not_open');
  const at = emu.nowFor(invoice.customer);
  const after: Invoice = { ...invoice, status: 'uncollectible', status_transitions: { ...invoice.status_transitions, marked_uncollectible_at: at } };
  emu.store.save(after);
  emu.emit('invoice.marked_uncollectible', after, { at });
  return after;
}

// DELETE /v1/invoices/:id – drafts only
export function deleteInvoice(emu: Emu, _params: Params, [id]: string[]): unknown {
  const invoice = emu.find<Invoice>(id, 'invoice', 'invoice');
  if (invoice.status !== 'draft') throw invalidRequest('You can only delete draft invoices.', undefined, 'invoice_not_editable');
  for (const ii of emu.store.all<InvoiceItem>('invoiceitem', { customer: invoice.customer })) if (ii.invoice === id) emu.store.save({ ...ii, invoice: null });
  emu.store.save({ id, object: 'invoice', deleted: true });
  emu.emit('invoice.deleted', invoice);
  return { id, object: 'invoice', deleted: true };
}

// ---------------------------------------------------------------- invoice items

// POST /v1/invoiceitems – a one-off charge (or credit) on the customer's next invoice
export function createInvoiceItem(emu: Emu, params: Params): InvoiceItem {
  onlyParams(params, [
    'customer',
    'amount',
    'currency',
    'description',
    'metadata',
    'price',
    'pricing',
    'quantity',
    'subscription',
    'invoice',
    'period',
    'discountable',
  ]);
  const customer = emu.find<Customer>(requireStr(params, 'customer'), 'customer', 'customer', 'customer');
  const quantity = int(params, 'quantity') ?? 1;
  const priceId = str(params, 'price') || (typeof obj(params, 'pricing')?.price === 'string' ? (obj(params, 'pricing')?.price as string) : undefined);
  const price = priceId ? emu.find<Price>(priceId, 'price', 'price', 'price') : null;
  const amount = price ? (price.unit_amount ?? 0) * quantity : int(params, 'amount');
  if (amount === undefined) throw invalidRequest('Missing required param: amount.', 'amount', 'parameter_missing');
  const currency = price ? price.currency : checkCurrency(requireStr(params, 'currency'));
  const subscription = str(params, 'subscription') || null;
  if (subscription) emu.find(subscription, 'subscription', 'subscription', 'subscription');
  const invoiceId = str(params, 'invoice') || null;
  if (invoiceId) {
    const inv = emu.find<Invoice>(invoiceId, 'invoice', 'invoice', 'invoice');
    if (inv.status !== 'draft') throw invalidRequest('You can only add invoice items to draft invoices.', 'invoice', 'invoice_not_editable');
  }
  const at = emu.nowFor(customer.id);
  const period = obj(params, 'period');
  const ii: InvoiceItem = {
    id: stripeId('ii'),
    object: 'invoiceitem',
    amount,
    currency,
    customer: customer.id,
    customer_account: null,
    date: at,
    description: str(params, 'description') || (price ? productName(emu, price.product) : null),
    discountable: bool(params, 'discountable') ?? true,
    discounts: [],
    invoice: null,
    livemode: false,
    metadata: mergeMetadata({}, params),
    net_amount: amount,
    parent: subscription ? { subscription_details: { subscription, subscription_item: null }, type: 'subscription_details' } : null,
    period: {
      start: period && typeof period.start === 'string' ? Number(period.start) : at,
      end: period && typeof period.end === 'string' ? Number(period.end) : at,
    },
    pricing: price
      ? { price_details: { price: price.id, product: price.product }, type: 'price_details', unit_amount_decimal: String(price.unit_amount) }
      : null,
    proration: false,
    proration_details: { discount_amounts: [] },
    quantity,
    quantity_decimal: String(quantity),
    tax_rates: [],
    test_clock: customer.test_clock,
  };
  emu.store.save(ii, { parent: subscription });
  emu.emit('invoiceitem.created', ii, { at });
  if (invoiceId) addItemToDraft(emu, emu.find<Invoice>(invoiceId, 'invoice', 'invoice', 'invoice'), ii);
  return emu.store.get<InvoiceItem>(ii.id) as InvoiceItem;
}

function addItemToDraft(emu: Emu, invoice: Invoice, ii: InvoiceItem): void {
  const line = lineFrom(invoice.id, invoice.currency, sourceFromInvoiceItem(emu, ii));
  const lines = [...invoice.lines.data, line];
  const subtotal = lines.reduce((s, l) => s + l.amount, 0);
  emu.store.save({ ...ii, invoice: invoice.id });
  emu.store.save({
    ...invoice,
    lines: { ...invoice.lines, data: lines },
    subtotal,
    subtotal_excluding_tax: subtotal,
    total: subtotal,
    total_excluding_tax: subtotal,
    amount_due: Math.max(0, subtotal),
    amount_remaining: Math.max(0, subtotal),
  });
}

// GET /v1/invoiceitems
export function listInvoiceItems(emu: Emu, params: Params): unknown {
  onlyParams(params, ['customer', 'invoice', 'pending', 'created', 'limit', 'starting_after', 'ending_before']);
  const customer = str(params, 'customer');
  const invoice = str(params, 'invoice');
  const pending = bool(params, 'pending');
  const page = emu.store.page<InvoiceItem>(
    'invoiceitem',
    customer ? { customer } : {},
    listParams(params),
    (ii) => (invoice === undefined || ii.invoice === invoice) && (pending === undefined || (ii.invoice === null) === pending),
  );
  return listObject('/v1/invoiceitems', page.data, page.has_more);
}

// GET /v1/invoiceitems/:id
export function retrieveInvoiceItem(emu: Emu, _params: Params, [id]: string[]): InvoiceItem {
  return emu.find<InvoiceItem>(id, 'invoiceitem', 'invoiceitem');
}
