import { createdFilter, listObject, listParams, type Emu } from '../stripe.context';
import { clientSecret, stripeId } from '../stripe.ids';
import type { StripeObject } from '../stripe.store';
import { bool, int, invalidRequest, mergeMetadata, oneOf, onlyParams, requireStr, str, type Metadata, type Params, type StripeErrorBody } from '../stripe.wire';
import { PLATFORM_APPLICATION } from '../stripe.constants';
import { collectApplicationFee } from './connect';
import type { Customer } from './customers';
import { attachPaymentMethod, cardOf, declineError, resolvePaymentMethod, type PaymentMethod } from './payment-methods';

export type PaymentIntentStatus =
  | 'requires_payment_method'
  | 'requires_confirmation'
  | 'requires_action'
  | 'processing'
  | 'requires_capture'
  | 'canceled'
  | 'succeeded';

export interface PaymentIntent extends StripeObject {
  object: 'payment_intent';
  amount: number;
  amount_received: number;
  currency: string;
  customer: string | null;
  created: number;
  description: string | null;
  metadata: Metadata;
  payment_method: string | null;
  status: PaymentIntentStatus;
  last_payment_error: Record<string, unknown> | null;
  latest_charge: string | null;
  next_action: Record<string, unknown> | null;
  setup_future_usage: string | null;
  canceled_at: number | null;
  /** On a connected account: the platform's fee on the payment (direct charges). */
  application_fee_amount: number | null;
}

export interface Charge extends StripeObject {
  object: 'charge';
  status: 'succeeded' | 'failed';
}

/** Smallest amounts Stripe accepts, in the currency's minor unit. */
const MINIMUM_AMOUNT: Record<string, number> = { usd: 50, eur: 50, gbp: 30, cad: 50, aud: 50 };

export function checkAmount(amount: number, currency: string, param = 'amount'): void {
  if (amount < 0) throw invalidRequest('This value must be greater than or equal to 0.', param);
  const min = MINIMUM_AMOUNT[currency];
  if (min !== undefined && amount > 0 && amount < min) {
    throw invalidRequest(`Amount must be at least ${(min / 100).toFixed(2)} ${currency}`, param, 'amount_too_small');
  }
}

export function checkCurrency(currency: string, param = 'currency'): string {
  const c = currency.toLowerCase();
  if (!/^[a-z]{3}$/.test(c)) throw invalidRequest(`Invalid currency: ${currency}. Stripe currently supports these currencies: usd, eur, gbp, ...`, param);
  return c;
}

function newCharge(emu: Emu, pi: PaymentIntent, pm: PaymentMethod, failure: StripeErrorBody | null, at: number): Charge {
  const succeeded = failure === null;
  const id = stripeId('ch');
  // A direct charge on a connected account pays the platform its fee once it succeeds.
  const feeAmount = emu.connected && pi.application_fee_amount ? pi.application_fee_amount : null;
  const fee = succeeded && feeAmount ? collectApplicationFee(emu, { id, currency: pi.currency, created: at }, feeAmount) : null;
  const charge: Charge = {
    id,
    object: 'charge',
    amount: pi.amount,
    amount_captured: succeeded ? pi.amount : 0,
    amount_refunded: 0,
    application: emu.connected ? PLATFORM_APPLICATION : null,
    application_fee: fee,
    application_fee_amount: feeAmount,
    balance_transaction: succeeded ? stripeId('txn') : null,
    billing_details: pm.billing_details,
    calculated_statement_descriptor: 'SANDBOX',
    captured: succeeded,
    created: at,
    currency: pi.currency,
    customer: pi.customer,
    description: pi.description,
    disputed: false,
    failure_balance_transaction: null,
    failure_code: failure?.code ?? null,
    failure_message: failure?.message ?? null,
    fraud_details: {},
    livemode: false,
    metadata: pi.metadata,
    on_behalf_of: null,
    outcome: succeeded
      ? {
          advice_code: null,
          network_advice_code: null,
          network_decline_code: null,
          network_status: 'approved_by_network',
          reason: null,
          risk_level: 'normal',
          risk_score: 20,
          seller_message: 'Payment complete.',
          type: 'authorized',
        }
      : {
          advice_code: 'try_again_later',
          network_advice_code: null,
          network_decline_code: null,
          network_status: 'declined_by_network',
          reason: failure?.decline_code ?? failure?.code ?? 'generic_decline',
          risk_level: 'normal',
          risk_score: 20,
          seller_message: 'The bank did not return any further details with this decline.',
          type: 'issuer_declined',
        },
    paid: succeeded,
    payment_intent: pi.id,
    payment_method: pm.id,
    payment_method_details: {
      card: {
        amount_authorized: succeeded ? pi.amount : null,
        brand: pm.card.brand,
        checks: pm.card.checks,
        country: 'US',
        exp_month: pm.card.exp_month,
        exp_year: pm.card.exp_year,
        fingerprint: pm.card.fingerprint,
        funding: pm.card.funding,
        last4: pm.card.last4,
        network: pm.card.brand,
        three_d_secure: null,
        wallet: null,
      },
      type: 'card',
    },
    receipt_email: null,
    receipt_number: null,
    receipt_url: null,
    refunded: false,
    refunds: null,
    review: null,
    shipping: null,
    source: null,
    source_transfer: null,
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    status: succeeded ? 'succeeded' : 'failed',
    transfer_data: null,
    transfer_group: null,
  };
  charge.refunds = listObject(`/v1/charges/${charge.id}/refunds`, [], false);
  emu.store.save(charge, { parent: pi.id });
  emu.emit(succeeded ? 'charge.succeeded' : 'charge.failed', charge, { at });
  return charge;
}

export interface ConfirmOptions {
  offSession: boolean;
  errorOnRequiresAction?: boolean;
  at: number;
}

/**
 * Confirms a PaymentIntent with its payment method, the way Stripe's test
 * cards behave. Saves the result and records the events; returns the card
 * error to answer (402) when the payment failed.
 */
export function confirmPaymentIntent(emu: Emu, pi: PaymentIntent, options: ConfirmOptions): { pi: PaymentIntent; error: StripeErrorBody | null } {
  if (!pi.payment_method) {
    throw invalidRequest(
      "You cannot confirm this PaymentIntent because it's missing a payment method. You can either update the PaymentIntent with a payment method and then confirm it again, or confirm it again directly with a payment method.",
      undefined,
      'payment_intent_unexpected_state',
    );
  }
  const pm = emu.find<PaymentMethod>(pi.payment_method, 'payment_method', 'PaymentMethod', 'payment_method');
  const card = cardOf(pm);
  const at = options.at;

  const needsAuth = card.behavior === 'authentication_required';
  if (needsAuth && !options.offSession && !options.errorOnRequiresAction) {
    const after: PaymentIntent = {
      ...pi,
      status: 'requires_action',
      next_action: {
        type: 'use_stripe_sdk',
        use_stripe_sdk: {
          type: 'three_d_secure_redirect',
          stripe_js: `https://hooks.stripe.com/3d_secure_2/hosted?merchant=sandbox&payment_intent=${pi.id}`,
          source: `src_${pi.id.slice(3, 27)}`,
        },
      },
      last_payment_error: null,
    };
    emu.store.save(after);
    emu.emit('payment_intent.requires_action', after, { at });
    return { pi: after, error: null };
  }

  if (card.behavior === 'succeed') {
    const charge = newCharge(emu, pi, pm, null, at);
    const after: PaymentIntent = {
      ...pi,
      status: 'succeeded',
      amount_received: pi.amount,
      latest_charge: charge.id,
      last_payment_error: null,
      next_action: null,
      amount_capturable: 0,
    };
    emu.store.save(after);
    emu.emit('payment_intent.succeeded', after, { at });
    if (after.setup_future_usage && after.customer && !pm.customer) {
      const customer = emu.store.get<Customer>(after.customer);
      if (customer) attachPaymentMethod(emu, pm, customer);
    }
    return { pi: after, error: null };
  }

  // Declined: a failed charge, the intent back to requires_payment_method with the reason.
  const failure = declineError(card);
  const charge = newCharge(emu, pi, pm, failure, at);
  const lastPaymentError = { ...failure, charge: charge.id, payment_method: emu.store.get(pm.id) };
  const after: PaymentIntent = { ...pi, status: 'requires_payment_method', latest_charge: charge.id, last_payment_error: lastPaymentError, next_action: null };
  emu.store.save(after);
  emu.emit('payment_intent.payment_failed', after, { at });
  return { pi: after, error: { ...failure, charge: charge.id, payment_intent: after, payment_method: emu.store.get(pm.id) } };
}

export function newPaymentIntent(
  emu: Emu,
  input: {
    amount: number;
    currency: string;
    customer: string | null;
    payment_method: string | null;
    description: string | null;
    metadata: Metadata;
    setup_future_usage?: string | null;
    payment_method_types?: string[];
    application_fee_amount?: number | null;
    at: number;
  },
): PaymentIntent {
  const id = stripeId('pi');
  const pi: PaymentIntent = {
    id,
    object: 'payment_intent',
    amount: input.amount,
    amount_capturable: 0,
    amount_details: { tip: {} },
    amount_received: 0,
    application: emu.connected ? PLATFORM_APPLICATION : null,
    application_fee_amount: input.application_fee_amount ?? null,
    automatic_payment_methods: input.payment_method_types ? null : { allow_redirects: 'always', enabled: true },
    canceled_at: null,
    cancellation_reason: null,
    capture_method: 'automatic_async',
    client_secret: clientSecret(id),
    confirmation_method: 'automatic',
    created: input.at,
    currency: input.currency,
    customer: input.customer,
    customer_account: null,
    description: input.description,
    excluded_payment_method_types: null,
    last_payment_error: null,
    latest_charge: null,
    livemode: false,
    managed_payments: null,
    metadata: input.metadata,
    next_action: null,
    on_behalf_of: null,
    payment_method: input.payment_method,
    payment_method_configuration_details: null,
    payment_method_options: { card: { installments: null, mandate_options: null, network: null, request_three_d_secure: 'automatic' } },
    payment_method_types: input.payment_method_types ?? ['card'],
    processing: null,
    receipt_email: null,
    review: null,
    setup_future_usage: input.setup_future_usage ?? null,
    shipping: null,
    source: null,
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    status: input.payment_method ? 'requires_confirmation' : 'requires_payment_method',
    transfer_data: null,
    transfer_group: null,
  };
  emu.store.save(pi, { parent: null });
  emu.emit('payment_intent.created', pi, { at: input.at });
  return pi;
}

/** The answer of a create/confirm: the intent, or a 402 carrying it. */
export type Reply = { status: number; body: unknown };

function replyFor(result: { pi: PaymentIntent; error: StripeErrorBody | null }): Reply {
  if (result.error) return { status: 402, body: { error: result.error } };
  return { status: 200, body: result.pi };
}

function paymentMethodFor(emu: Emu, params: Params, customer: Customer | null): string | null {
  const ref = str(params, 'payment_method');
  if (!ref) return null;
  const pm = resolvePaymentMethod(emu, ref, 'payment_method');
  if (customer && pm.customer && pm.customer !== customer.id) {
    throw invalidRequest(`The provided PaymentMethod ${pm.id} belongs to another customer.`, 'payment_method', 'payment_method_unexpected_state');
  }
  if (!customer && pm.customer) {
    throw invalidRequest(
      'The provided PaymentMethod was previously attached to a Customer. To use it, pass the Customer too.',
      'payment_method',
      'payment_method_unexpected_state',
    );
  }
  return pm.id;
}

function offSessionParam(params: Params): boolean {
  const raw = str(params, 'off_session');
  if (raw === undefined || raw === '' || raw === 'false') return false;
  if (raw === 'true' || raw === 'one_off' || raw === 'recurring') return true;
  throw invalidRequest(`Invalid off_session: ${raw}`, 'off_session');
}

const CREATE_PARAMS = [
  'amount',
  'currency',
  'customer',
  'payment_method',
  'payment_method_types',
  'confirm',
  'off_session',
  'description',
  'metadata',
  'receipt_email',
  'setup_future_usage',
  'statement_descriptor',
  'statement_descriptor_suffix',
  'capture_method',
  'confirmation_method',
  'automatic_payment_methods',
  'return_url',
  'error_on_requires_action',
  'mandate',
  'payment_method_options',
  'use_stripe_sdk',
  'shipping',
  'transfer_group',
  'on_behalf_of',
  'transfer_data',
  'application_fee_amount',
  'payment_method_configuration',
  'excluded_payment_method_types',
];

/** `application_fee_amount` on a connected account's PaymentIntent; the platform's own intents keep ignoring it, as they always have here. */
function applicationFeeAmount(emu: Emu, params: Params, amount: number): number | null {
  if (!emu.connected) return null;
  const fee = int(params, 'application_fee_amount');
  if (fee === undefined) return null;
  if (fee < 0 || fee > amount) throw invalidRequest('The application fee must be between 0 and the amount of the payment.', 'application_fee_amount');
  return fee;
}

// POST /v1/payment_intents
export function createPaymentIntent(emu: Emu, params: Params): Reply {
  onlyParams(params, CREATE_PARAMS);
  const amount = int(params, 'amount');
  if (amount === undefined) throw invalidRequest('Missing required param: amount.', 'amount', 'parameter_missing');
  const currency = checkCurrency(requireStr(params, 'currency'));
  checkAmount(amount, currency);
  const customerId = str(params, 'customer') || null;
  const customer = customerId ? emu.find<Customer>(customerId, 'customer', 'customer', 'customer') : null;
  const confirm = bool(params, 'confirm') ?? false;
  const offSession = offSessionParam(params);
  if (offSession && !confirm) throw invalidRequest('You can only pass in `off_session` when `confirm` is set to true.', 'off_session');
  const capture = oneOf(params, 'capture_method', ['automatic', 'automatic_async', 'manual'] as const);
  if (capture === 'manual') throw invalidRequest('The sandbox does not emulate manual capture yet; use capture_method=automatic.', 'capture_method');
  const sfu = oneOf(params, 'setup_future_usage', ['off_session', 'on_session'] as const) ?? null;
  if (sfu && !customer) throw invalidRequest('A customer is required when setup_future_usage is set.', 'customer');
  const types = params.payment_method_types;
  const at = emu.nowFor(customerId);
  const pi = newPaymentIntent(emu, {
    amount,
    currency,
    customer: customerId,
    payment_method: paymentMethodFor(emu, params, customer),
    description: str(params, 'description') || null,
    metadata: mergeMetadata({}, params),
    setup_future_usage: sfu,
    payment_method_types: Array.isArray(types) ? (types as string[]) : typeof types === 'string' ? [types] : undefined,
    application_fee_amount: applicationFeeAmount(emu, params, amount),
    at,
  });
  const withReceipt: PaymentIntent = {
    ...pi,
    receipt_email: str(params, 'receipt_email') || null,
    statement_descriptor: str(params, 'statement_descriptor') || null,
    statement_descriptor_suffix: str(params, 'statement_descriptor_suffix') || null,
  };
  emu.store.save(withReceipt);
  if (!confirm) return { status: 200, body: withReceipt };
  return replyFor(confirmPaymentIntent(emu, withReceipt, { offSession, errorOnRequiresAction: bool(params, 'error_on_requires_action') ?? false, at }));
}

// GET /v1/payment_intents/:id
export function retrievePaymentIntent(emu: Emu, _params: Params, [id]: string[]): PaymentIntent {
  return emu.find<PaymentIntent>(id, 'payment_intent', 'payment_intent');
}

const OPEN: PaymentIntentStatus[] = ['requires_payment_method', 'requires_confirmation', 'requires_action'];

// POST /v1/payment_intents/:id
export function updatePaymentIntent(emu: Emu, params: Params, [id]: string[]): PaymentIntent {
  onlyParams(params, [
    'amount',
    'currency',
    'customer',
    'description',
    'metadata',
    'payment_method',
    'receipt_email',
    'setup_future_usage',
    'statement_descriptor',
    'statement_descriptor_suffix',
    'payment_method_types',
    'shipping',
  ]);
  const pi = emu.find<PaymentIntent>(id, 'payment_intent', 'payment_intent');
  const onlyMetadata = Object.keys(params).every((k) => k === 'metadata' || k === 'description' || k === 'expand');
  if (!OPEN.includes(pi.status) && !onlyMetadata) {
    throw invalidRequest(
      `This PaymentIntent's status is ${pi.status}, so it can no longer be updated except for its metadata and description.`,
      undefined,
      'payment_intent_unexpected_state',
    );
  }
  const customerId = str(params, 'customer') || pi.customer;
  const customer = customerId ? emu.find<Customer>(customerId, 'customer', 'customer', 'customer') : null;
  const amount = int(params, 'amount') ?? pi.amount;
  const currency = str(params, 'currency') ? checkCurrency(str(params, 'currency') as string) : pi.currency;
  checkAmount(amount, currency);
  const pmId = str(params, 'payment_method') !== undefined ? paymentMethodFor(emu, params, customer) : pi.payment_method;
  const after: PaymentIntent = {
    ...pi,
    amount,
    currency,
    customer: customerId,
    description: str(params, 'description') !== undefined ? str(params, 'description') || null : pi.description,
    metadata: mergeMetadata(pi.metadata, params),
    payment_method: pmId,
    status: OPEN.includes(pi.status) ? (pmId ? 'requires_confirmation' : 'requires_payment_method') : pi.status,
  };
  emu.saveAndEmitUpdate('payment_intent.updated', pi, after);
  return after;
}

// POST /v1/payment_intents/:id/confirm
export function confirmHandler(emu: Emu, params: Params, [id]: string[]): Reply {
  onlyParams(params, [
    'payment_method',
    'off_session',
    'return_url',
    'setup_future_usage',
    'error_on_requires_action',
    'mandate',
    'payment_method_options',
    'receipt_email',
    'use_stripe_sdk',
    'capture_method',
    'payment_method_types',
  ]);
  const pi = emu.find<PaymentIntent>(id, 'payment_intent', 'payment_intent');
  if (!OPEN.includes(pi.status)) {
    throw invalidRequest(
      `This PaymentIntent's status is ${pi.status}, and it cannot be confirmed. It must be in one of requires_payment_method, requires_confirmation, requires_action.`,
      undefined,
      'payment_intent_unexpected_state',
    );
  }
  const customer = pi.customer ? emu.store.get<Customer>(pi.customer) : null;
  const pmId = str(params, 'payment_method') ? paymentMethodFor(emu, params, customer) : pi.payment_method;
  const sfu = oneOf(params, 'setup_future_usage', ['off_session', 'on_session'] as const);
  const ready: PaymentIntent = { ...pi, payment_method: pmId, setup_future_usage: sfu ?? pi.setup_future_usage };
  emu.store.save(ready);
  return replyFor(
    confirmPaymentIntent(emu, ready, {
      offSession: offSessionParam(params),
      errorOnRequiresAction: bool(params, 'error_on_requires_action') ?? false,
      at: emu.nowFor(pi.customer),
    }),
  );
}

// POST /v1/payment_intents/:id/cancel
export function cancelPaymentIntent(emu: Emu, params: Params, [id]: string[]): PaymentIntent {
  onlyParams(params, ['cancellation_reason']);
  const pi = emu.find<PaymentIntent>(id, 'payment_intent', 'payment_intent');
  if (!OPEN.includes(pi.status) && pi.status !== 'requires_capture') {
    throw invalidRequest(
      `You cannot cancel this PaymentIntent because it has a status of ${pi.status}. Only a PaymentIntent with one of the following statuses may be canceled: requires_payment_method, requires_capture, requires_confirmation, requires_action, processing.`,
      undefined,
      'payment_intent_unexpected_state',
    );
  }
  const reason = oneOf(params, 'cancellation_reason', ['duplicate', 'fraudulent', 'requested_by_customer', 'abandoned'] as const) ?? null;
  const at = emu.nowFor(pi.customer);
  const after: PaymentIntent = { ...pi, status: 'canceled', canceled_at: at, cancellation_reason: reason, next_action: null };
  emu.store.save(after);
  emu.emit('payment_intent.canceled', after, { at });
  return after;
}

// GET /v1/payment_intents
export function listPaymentIntents(emu: Emu, params: Params): unknown {
  onlyParams(params, ['customer', 'created', 'limit', 'starting_after', 'ending_before']);
  const customer = str(params, 'customer');
  const created = createdFilter(params);
  const page = emu.store.page<PaymentIntent>('payment_intent', customer ? { customer } : {}, listParams(params), (pi) => created(pi.created));
  return listObject('/v1/payment_intents', page.data, page.has_more);
}

// GET /v1/charges/:id
export function retrieveCharge(emu: Emu, _params: Params, [id]: string[]): Charge {
  return emu.find<Charge>(id, 'charge', 'charge');
}

// GET /v1/charges
export function listCharges(emu: Emu, params: Params): unknown {
  onlyParams(params, ['customer', 'payment_intent', 'created', 'limit', 'starting_after', 'ending_before']);
  const customer = str(params, 'customer');
  const pi = str(params, 'payment_intent');
  const created = createdFilter(params);
  const page = emu.store.page<Charge>('charge', { ...(customer ? { customer } : {}), ...(pi ? { parent: pi } : {}) }, listParams(params), (c) =>
    created(c.created as number),
  );
  return listObject('/v1/charges', page.data, page.has_more);
}
