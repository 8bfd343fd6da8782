import { cardByFingerprint, fingerprintOf, isTestToken, testCardFor, type TestCard } from '../stripe.cards';
import type { Emu } from '../stripe.context';
import { stripeId } from '../stripe.ids';
import type { StripeObject } from '../stripe.store';
import { cardErrorBody, invalidRequest, mergeMetadata, obj, onlyParams, requireStr, str, StripeApiError, type Metadata, type Params } from '../stripe.wire';
import type { Customer } from './customers';

export interface Address {
  city: string | null;
  country: string | null;
  line1: string | null;
  line2: string | null;
  postal_code: string | null;
  state: string | null;
}

export interface PaymentMethod extends StripeObject {
  object: 'payment_method';
  customer: string | null;
  created: number;
  metadata: Metadata;
  billing_details: { address: Address; email: string | null; name: string | null; phone: string | null; tax_id: string | null };
  card: { brand: string; last4: string; fingerprint: string; exp_month: number; exp_year: number; funding: string; [k: string]: unknown };
}

export const EMPTY_ADDRESS: Address = { city: null, country: null, line1: null, line2: null, postal_code: null, state: null };

export function addressFrom(params: Params | undefined, current: Address | null = null): Address | null {
  if (!params) return current;
  const base = current ?? EMPTY_ADDRESS;
  const read = (k: keyof Address) => (typeof params[k] === 'string' ? (params[k] as string) || null : base[k]);
  return { city: read('city'), country: read('country'), line1: read('line1'), line2: read('line2'), postal_code: read('postal_code'), state: read('state') };
}

function billingDetailsFrom(params: Params | undefined, current?: PaymentMethod['billing_details']): PaymentMethod['billing_details'] {
  const base = current ?? { address: { ...EMPTY_ADDRESS }, email: null, name: null, phone: null, tax_id: null };
  if (!params) return base;
  const read = (k: 'email' | 'name' | 'phone') => (typeof params[k] === 'string' ? (params[k] as string) || null : base[k]);
  return {
    address: addressFrom(obj(params, 'address'), base.address) ?? { ...EMPTY_ADDRESS },
    email: read('email'),
    name: read('name'),
    phone: read('phone'),
    tax_id: base.tax_id,
  };
}

const LAST4 = (card: TestCard) => card.number.slice(-4);

/** Creates (and saves) a new PaymentMethod for a test card. */
export function mintPaymentMethod(emu: Emu, card: TestCard, extra: { billing_details?: Params; metadata?: Params; at?: number } = {}): PaymentMethod {
  const created = extra.at ?? emu.now;
  const year = new Date(created * 1000).getUTCFullYear();
  const pm: PaymentMethod = {
    id: stripeId('pm'),
    object: 'payment_method',
    allow_redisplay: 'unspecified',
    billing_details: billingDetailsFrom(extra.billing_details),
    card: {
      brand: card.brand,
      checks: { address_line1_check: null, address_postal_code_check: null, cvc_check: 'pass' },
      country: 'US',
      display_brand: card.brand,
      exp_month: 12,
      exp_year: year + 3,
      fingerprint: fingerprintOf(card.number),
      funding: card.funding,
      generated_from: null,
      last4: LAST4(card),
      networks: { available: [card.brand], preferred: null },
      regulated_status: 'unregulated',
      three_d_secure_usage: { supported: true },
      wallet: null,
    },
    created,
    customer: null,
    customer_account: null,
    livemode: false,
    metadata: extra.metadata ? mergeMetadata({}, { metadata: extra.metadata }) : {},
    type: 'card',
  };
  emu.store.save(pm);
  return pm;
}

/** The test card behind a saved PaymentMethod. */
export function cardOf(pm: PaymentMethod): TestCard {
  const card = cardByFingerprint(pm.card.fingerprint);
  if (!card) throw new Error(`payment method ${pm.id} has no known test card`);
  return card;
}

/**
 * A PaymentMethod by id, or a new one when given a test token such as
 * `pm_card_visa` (each use of a token mints a new PaymentMethod, as on Stripe).
 */
export function resolvePaymentMethod(emu: Emu, reference: string, param: string): PaymentMethod {
  if (isTestToken(reference)) {
    const card = testCardFor(reference);
    if (!card) throw invalidRequest(`No such PaymentMethod: '${reference}'`, param, 'resource_missing', 404);
    return mintPaymentMethod(emu, card);
  }
  return emu.find<PaymentMethod>(reference, 'payment_method', 'PaymentMethod', param);
}

export function declineError(card: TestCard, extra: Record<string, unknown> = {}) {
  const decline = card.decline ?? { code: 'card_declined', declineCode: 'generic_decline', message: 'Your card was declined.' };
  return cardErrorBody(decline.code, decline.message, decline.declineCode, extra);
}

/** Attaches a PaymentMethod to a customer; a card that is declined outright cannot be attached. */
export function attachPaymentMethod(emu: Emu, pm: PaymentMethod, customer: Customer, param = 'customer'): PaymentMethod {
  if (pm.customer === customer.id) return pm;
  if (pm.customer) throw invalidRequest('The payment method you provided has already been attached to a customer.', param, 'payment_method_unexpected_state');
  const card = cardOf(pm);
  if (card.behavior === 'decline') throw new StripeApiError(402, declineError(card));
  const after: PaymentMethod = { ...pm, customer: customer.id };
  emu.store.save(after);
  emu.emit('payment_method.attached', after);
  return after;
}

export function detachPaymentMethod(emu: Emu, pm: PaymentMethod): PaymentMethod {
  if (!pm.customer)
    throw invalidRequest(
      'The payment method you provided is not attached to a customer so detachment is impossible.',
      undefined,
      'payment_method_unexpected_state',
    );
  const customer = emu.store.get<Customer>(pm.customer);
  const after: PaymentMethod = { ...pm, customer: null };
  emu.store.save(after);
  emu.emit('payment_method.detached', after, { previous: { customer: pm.customer } });
  if (customer && customer.invoice_settings.default_payment_method === pm.id) {
    const updated: Customer = { ...customer, invoice_settings: { ...customer.invoice_settings, default_payment_method: null } };
    emu.saveAndEmitUpdate('customer.updated', customer, updated);
  }
  return after;
}

// ---------------------------------------------------------------- handlers

// POST /v1/payment_methods – a card PaymentMethod from a test token or test card number
export function createPaymentMethod(emu: Emu, params: Params): PaymentMethod {
  onlyParams(params, ['type', 'card', 'billing_details', 'metadata', 'allow_redisplay', 'customer', 'payment_method']);
  const type = requireStr(params, 'type');
  if (type !== 'card') throw invalidRequest(`The sandbox supports card payment methods only, not '${type}'.`, 'type', 'payment_method_invalid_parameter');
  const cardParams = obj(params, 'card');
  if (!cardParams) throw missingCard();
  const reference = typeof cardParams.token === 'string' ? cardParams.token : typeof cardParams.number === 'string' ? cardParams.number : undefined;
  if (!reference) throw missingCard();
  const card = testCardFor(reference);
  if (!card) {
    if (typeof cardParams.token === 'string') throw invalidRequest(`No such token: '${reference}'`, 'card[token]', 'resource_missing', 404);
    throw new StripeApiError(402, cardErrorBody('incorrect_number', 'Your card number is incorrect.', undefined, { param: 'number' }));
  }
  return mintPaymentMethod(emu, card, { billing_details: obj(params, 'billing_details'), metadata: obj(params, 'metadata') });
}

function missingCard() {
  return invalidRequest('Missing required param: card[token] (or card[number] with a test card number).', 'card', 'parameter_missing');
}

// GET /v1/payment_methods/:id
export function retrievePaymentMethod(emu: Emu, _params: Params, [id]: string[]): PaymentMethod {
  return emu.find<PaymentMethod>(id, 'payment_method', 'PaymentMethod');
}

// POST /v1/payment_methods/:id – billing details, metadata, expiry
export function updatePaymentMethod(emu: Emu, params: Params, [id]: string[]): PaymentMethod {
  onlyParams(params, ['billing_details', 'metadata', 'card', 'allow_redisplay']);
  const pm = emu.find<PaymentMethod>(id, 'payment_method', 'PaymentMethod');
  const cardParams = obj(params, 'card');
  const after: PaymentMethod = {
    ...pm,
    billing_details: billingDetailsFrom(obj(params, 'billing_details'), pm.billing_details),
    metadata: mergeMetadata(pm.metadata, params),
    allow_redisplay: str(params, 'allow_redisplay') ?? pm.allow_redisplay,
    card: {
      ...pm.card,
      ...(typeof cardParams?.exp_month === 'string' ? { exp_month: Number(cardParams.exp_month) } : {}),
      ...(typeof cardParams?.exp_year === 'string' ? { exp_year: Number(cardParams.exp_year) } : {}),
    },
  };
  emu.saveAndEmitUpdate('payment_method.updated', pm, after);
  return after;
}

// POST /v1/payment_methods/:id/attach
export function attachHandler(emu: Emu, params: Params, [id]: string[]): PaymentMethod {
  onlyParams(params, ['customer']);
  const customer = emu.find<Customer>(requireStr(params, 'customer'), 'customer', 'customer', 'customer');
  const pm = resolvePaymentMethod(emu, id, 'payment_method');
  return attachPaymentMethod(emu, pm, customer);
}

// POST /v1/payment_methods/:id/detach
export function detachHandler(emu: Emu, params: Params, [id]: string[]): PaymentMethod {
  onlyParams(params, []);
  return detachPaymentMethod(emu, emu.find<PaymentMethod>(id, 'payment_method', 'PaymentMethod'));
}
