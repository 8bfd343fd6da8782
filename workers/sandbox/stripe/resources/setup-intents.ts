import { createdFilter, listObject, listParams, type Emu } from '../stripe.context';
import { clientSecret, stripeId } from '../stripe.ids';
import type { StripeObject } from '../stripe.store';
import { bool, invalidRequest, mergeMetadata, oneOf, onlyParams, str, type Metadata, type Params } from '../stripe.wire';
import type { Customer } from './customers';
import { attachPaymentMethod, cardOf, declineError, resolvePaymentMethod, type PaymentMethod } from './payment-methods';
import type { Reply } from './payment-intents';

export interface SetupIntent extends StripeObject {
  object: 'setup_intent';
  customer: string | null;
  payment_method: string | null;
  status: 'requires_payment_method' | 'requires_confirmation' | 'requires_action' | 'processing' | 'canceled' | 'succeeded';
  metadata: Metadata;
  created: number;
  last_setup_error: Record<string, unknown> | null;
}

const OPEN = ['requires_payment_method', 'requires_confirmation', 'requires_action'];

/**
 * Confirms a SetupIntent: a good card is saved (attached to the customer);
 * a card that is declined outright fails with a card error; a card that
 * always needs 3D Secure waits in requires_action.
 */
function confirmSetupIntent(emu: Emu, si: SetupIntent): Reply {
  if (!si.payment_method) {
    throw invalidRequest("You cannot confirm this SetupIntent because it's missing a payment method.", undefined, 'setup_intent_unexpected_state');
  }
  const pm = emu.find<PaymentMethod>(si.payment_method, 'payment_method', 'PaymentMethod', 'payment_method');
  const card = cardOf(pm);
  const at = emu.nowFor(si.customer);
  const attempt = stripeId('setatt');

  if (card.behavior === 'decline') {
    const failure = declineError(card);
    const after: SetupIntent = {
      ...si,
      status: 'requires_payment_method',
      latest_attempt: attempt,
      last_setup_error: { ...failure, payment_method: pm },
      payment_method: null,
    };
    emu.store.save(after);
    emu.emit('setup_intent.setup_failed', after, { at });
    return { status: 402, body: { error: { ...failure, setup_intent: after, payment_method: pm } } };
  }
  if (card.behavior === 'authentication_required') {
    const after: SetupIntent = {
      ...si,
      status: 'requires_action',
      latest_attempt: attempt,
      next_action: {
        type: 'use_stripe_sdk',
        use_stripe_sdk: { type: 'three_d_secure_redirect', stripe_js: `https://hooks.stripe.com/3d_secure_2/hosted?merchant=sandbox&setup_intent=${si.id}` },
      },
    };
    emu.store.save(after);
    emu.emit('setup_intent.requires_action', after, { at });
    return { status: 200, body: after };
  }
  if (si.customer) {
    const customer = emu.find<Customer>(si.customer, 'customer', 'customer', 'customer');
    attachPaymentMethod(emu, pm, customer);
  }
  const after: SetupIntent = { ...si, status: 'succeeded', latest_attempt: attempt, last_setup_error: null, next_action: null };
  emu.store.save(after);
  emu.emit('setup_intent.succeeded', after, { at });
  return { status: 200, body: after };
}

function paymentMethodFor(emu: Emu, ref: string | undefined, customerId: string | null): string | null {
  if (!ref) return null;
  const pm = resolvePaymentMethod(emu, ref, 'payment_method');
  if (pm.customer && pm.customer !== customerId) {
    throw invalidRequest(`The provided PaymentMethod ${pm.id} belongs to another customer.`, 'payment_method', 'payment_method_unexpected_state');
  }
  return pm.id;
}

const CREATE_PARAMS = [
  'customer',
  'payment_method',
  'confirm',
  'usage',
  'payment_method_types',
  'metadata',
  'description',
  'automatic_payment_methods',
  'return_url',
  'single_use',
  'mandate_data',
  'payment_method_options',
  'on_behalf_of',
  'use_stripe_sdk',
  'flow_directions',
  'attach_to_self',
  'payment_method_configuration',
  'excluded_payment_method_types',
];

// POST /v1/setup_intents
export function createSetupIntent(emu: Emu, params: Params): Reply {
  onlyParams(params, CREATE_PARAMS);
  const customerId = str(params, 'customer') || null;
  if (customerId) emu.find<Customer>(customerId, 'customer', 'customer', 'customer');
  const pmId = paymentMethodFor(emu, str(params, 'payment_method'), customerId);
  const types = params.payment_method_types;
  const id = stripeId('seti');
  const at = emu.nowFor(customerId);
  const si: SetupIntent = {
    id,
    object: 'setup_intent',
    application: null,
    automatic_payment_methods: types ? null : { allow_redirects: 'always', enabled: true },
    cancellation_reason: null,
    client_secret: clientSecret(id),
    created: at,
    customer: customerId,
    customer_account: null,
    description: str(params, 'description') || null,
    excluded_payment_method_types: null,
    flow_directions: null,
    last_setup_error: null,
    latest_attempt: null,
    livemode: false,
    mandate: null,
    metadata: mergeMetadata({}, params),
    next_action: null,
    on_behalf_of: null,
    payment_method: pmId,
    payment_method_configuration_details: null,
    payment_method_options: { card: { mandate_options: null, network: null, request_three_d_secure: 'automatic' } },
    payment_method_types: Array.isArray(types) ? types : typeof types === 'string' ? [types] : ['card'],
    single_use_mandate: null,
    status: pmId ? 'requires_confirmation' : 'requires_payment_method',
    usage: oneOf(params, 'usage', ['off_session', 'on_session'] as const) ?? 'off_session',
  };
  emu.store.save(si);
  emu.emit('setup_intent.created', si, { at });
  if (!(bool(params, 'confirm') ?? false)) return { status: 200, body: si };
  return confirmSetupIntent(emu, si);
}

// GET /v1/setup_intents/:id
export function retrieveSetupIntent(emu: Emu, _params: Params, [id]: string[]): SetupIntent {
  return emu.find<SetupIntent>(id, 'setup_intent', 'setup_intent');
}

// POST /v1/setup_intents/:id
export function updateSetupIntent(emu: Emu, params: Params, [id]: string[]): SetupIntent {
  onlyParams(params, [
    'customer',
    'payment_method',
    'metadata',
    'description',
    'payment_method_types',
    'attach_to_self',
    'flow_directions',
    'payment_method_options',
  ]);
  const si = emu.find<SetupIntent>(id, 'setup_intent', 'setup_intent');
  const customerId = str(params, 'customer') || si.customer;
  if (customerId) emu.find<Customer>(customerId, 'customer', 'customer', 'customer');
  const pmId = str(params, 'payment_method') !== undefined ? paymentMethodFor(emu, str(params, 'payment_method'), customerId) : si.payment_method;
  const after: SetupIntent = {
    ...si,
    customer: customerId,
    payment_method: pmId,
    description: str(params, 'description') !== undefined ? str(params, 'description') || null : si.description,
    metadata: mergeMetadata(si.metadata, params),
    status: OPEN.includes(si.status) ? (pmId ? 'requires_confirmation' : 'requires_payment_method') : si.status,
  };
  emu.store.save(after);
  return after;
}

// POST /v1/setup_intents/:id/confirm
export function confirmSetupHandler(emu: Emu, params: Params, [id]: string[]): Reply {
  onlyParams(params, ['payment_method', 'return_url', 'mandate_data', 'payment_method_options', 'use_stripe_sdk']);
  const si = emu.find<SetupIntent>(id, 'setup_intent', 'setup_intent');
  if (!OPEN.includes(si.status)) {
    throw invalidRequest(`This SetupIntent's status is ${si.status}, and it cannot be confirmed.`, undefined, 'setup_intent_unexpected_state');
  }
  const pmId = str(params, 'payment_method') ? paymentMethodFor(emu, str(params, 'payment_method'), si.customer) : si.payment_method;
  const ready: SetupIntent = { ...si, payment_method: pmId };
  emu.store.save(ready);
  return confirmSetupIntent(emu, ready);
}

// POST /v1/setup_intents/:id/cancel
export function cancelSetupIntent(emu: Emu, params: Params, [id]: string[]): SetupIntent {
  onlyParams(params, ['cancellation_reason']);
  const si = emu.find<SetupIntent>(id, 'setup_intent', 'setup_intent');
  if (!OPEN.includes(si.status))
    throw invalidRequest(`You cannot cancel this SetupIntent because it has a status of ${si.status}.`, undefined, 'setup_intent_unexpected_state');
  const after: SetupIntent = {
    ...si,
    status: 'canceled',
    cancellation_reason: oneOf(params, 'cancellation_reason', ['abandoned', 'duplicate', 'requested_by_customer'] as const) ?? null,
    next_action: null,
  };
  emu.store.save(after);
  emu.emit('setup_intent.canceled', after, { at: emu.nowFor(si.customer) });
  return after;
}

// GET /v1/setup_intents
export function listSetupIntents(emu: Emu, params: Params): unknown {
  onlyParams(params, ['customer', 'payment_method', 'created', 'limit', 'starting_after', 'ending_before', 'attach_to_self']);
  const customer = str(params, 'customer');
  const pm = str(params, 'payment_method');
  const created = createdFilter(params);
  const page = emu.store.page<SetupIntent>(
    'setup_intent',
    customer ? { customer } : {},
    listParams(params),
    (si) => created(si.created) && (pm === undefined || si.payment_method === pm),
  );
  return listObject('/v1/setup_intents', page.data, page.has_more);
}
