import { listObject, listParams, type Emu } from '../stripe.context';
import { invoicePrefix, stripeId } from '../stripe.ids';
import type { StripeObject } from '../stripe.store';
import { int, invalidRequest, mergeMetadata, obj, onlyParams, str, strList, type Metadata, type Params } from '../stripe.wire';
import { addressFrom, attachPaymentMethod, resolvePaymentMethod, type Address, type PaymentMethod } from './payment-methods';

export interface Customer extends StripeObject {
  object: 'customer';
  created: number;
  email: string | null;
  name: string | null;
  metadata: Metadata;
  address: Address | null;
  invoice_prefix: string;
  next_invoice_sequence: number;
  invoice_settings: { custom_fields: null; default_payment_method: string | null; footer: string | null; rendering_options: null };
  test_clock: string | null;
  deleted?: true;
}

const WRITABLE = [
  'address',
  'balance',
  'description',
  'email',
  'invoice_prefix',
  'invoice_settings',
  'metadata',
  'name',
  'next_invoice_sequence',
  'phone',
  'preferred_locales',
  'shipping',
  'tax_exempt',
];

function textOrNull(params: Params, name: string, current: string | null): string | null {
  const v = str(params, name);
  if (v === undefined) return current;
  return v === '' ? null : v;
}

/** Resolves `invoice_settings[default_payment_method]`: it must be one of the customer's saved cards. */
function defaultPaymentMethod(emu: Emu, customer: Customer, params: Params, minted: Map<string, string>): string | null | undefined {
  const settings = obj(params, 'invoice_settings');
  if (!settings || settings.default_payment_method === undefined) return undefined;
  const ref = settings.default_payment_method;
  if (ref === '') return null;
  if (typeof ref !== 'string') throw invalidRequest('Invalid string: invoice_settings[default_payment_method].', 'invoice_settings[default_payment_method]');
  const id = minted.get(ref) ?? ref;
  const pm = emu.store.get<PaymentMethod>(id);
  if (pm?.object !== 'payment_method' || pm.customer !== customer.id) {
    throw invalidRequest(
      `The customer does not have a payment method with the ID ${ref}. The payment method must be attached to the customer.`,
      'invoice_settings[default_payment_method]',
      'resource_missing',
    );
  }
  return id;
}

// POST /v1/customers
export function createCustomer(emu: Emu, params: Params): Customer {
  onlyParams(params, [...WRITABLE, 'payment_method', 'test_clock', 'source', 'tax_id_data']);
  const clock = str(params, 'test_clock') || null;
  if (clock) emu.find(clock, 'test_helpers.test_clock', 'test clock', 'test_clock');
  const customer: Customer = {
    id: stripeId('cus'),
    object: 'customer',
    address: addressFrom(obj(params, 'address')),
    balance: int(params, 'balance') ?? 0,
    created: emu.clockTime(clock),
    currency: null,
    default_source: null,
    delinquent: false,
    description: textOrNull(params, 'description', null),
    discount: null,
    email: textOrNull(params, 'email', null),
    invoice_prefix: str(params, 'invoice_prefix') || invoicePrefix(),
    invoice_settings: { custom_fields: null, default_payment_method: null, footer: null, rendering_options: null },
    livemode: false,
    metadata: mergeMetadata({}, params),
    name: textOrNull(params, 'name', null),
    next_invoice_sequence: int(params, 'next_invoice_sequence') ?? 1,
    phone: textOrNull(params, 'phone', null),
    preferred_locales: strList(params, 'preferred_locales') ?? [],
    shipping: null,
    tax_exempt: str(params, 'tax_exempt') || 'none',
    test_clock: clock,
  };
  emu.store.save(customer);
  emu.emit('customer.created', customer);

  // `payment_method` attaches a card at creation; the same token may then be named as the default.
  const minted = new Map<string, string>();
  const pmRef = str(params, 'payment_method');
  if (pmRef) {
    const pm = attachPaymentMethod(emu, resolvePaymentMethod(emu, pmRef, 'payment_method'), customer, 'payment_method');
    minted.set(pmRef, pm.id);
  }
  const dpm = defaultPaymentMethod(emu, customer, params, minted);
  if (dpm !== undefined && dpm !== null) {
    const updated: Customer = { ...customer, invoice_settings: { ...customer.invoice_settings, default_payment_method: dpm } };
    emu.store.save(updated);
    return updated;
  }
  return customer;
}

// GET /v1/customers/:id – a deleted customer answers `{ id, object, deleted: true }`
export function retrieveCustomer(emu: Emu, _params: Params, [id]: string[]): StripeObject {
  const customer = emu.store.get<Customer>(id);
  if (customer?.object !== 'customer') return emu.find(id, 'customer', 'customer');
  return customer;
}

// POST /v1/customers/:id
export function updateCustomer(emu: Emu, params: Params, [id]: string[]): Customer {
  onlyParams(params, [...WRITABLE, 'default_source', 'source']);
  const customer = emu.find<Customer>(id, 'customer', 'customer');
  const dpm = defaultPaymentMethod(emu, customer, params, new Map());
  const settings = obj(params, 'invoice_settings');
  const after: Customer = {
    ...customer,
    address: params.address === '' ? null : addressFrom(obj(params, 'address'), customer.address),
    balance: int(params, 'balance') ?? customer.balance,
    description: textOrNull(params, 'description', customer.description as string | null),
    email: textOrNull(params, 'email', customer.email),
    invoice_prefix: str(params, 'invoice_prefix') || customer.invoice_prefix,
    invoice_settings: {
      ...customer.invoice_settings,
      default_payment_method: dpm === undefined ? customer.invoice_settings.default_payment_method : dpm,
      footer: settings && typeof settings.footer === 'string' ? settings.footer || null : customer.invoice_settings.footer,
    },
    metadata: mergeMetadata(customer.metadata, params),
    name: textOrNull(params, 'name', customer.name),
    next_invoice_sequence: int(params, 'next_invoice_sequence') ?? customer.next_invoice_sequence,
    phone: textOrNull(params, 'phone', customer.phone as string | null),
    preferred_locales: strList(params, 'preferred_locales') ?? customer.preferred_locales,
    tax_exempt: str(params, 'tax_exempt') || customer.tax_exempt,
  };
  emu.saveAndEmitUpdate('customer.updated', customer, after);
  return after;
}

// GET /v1/customers
export function listCustomers(emu: Emu, params: Params): unknown {
  onlyParams(params, ['email', 'limit', 'starting_after', 'ending_before', 'created', 'test_clock']);
  const email = str(params, 'email');
  const clock = str(params, 'test_clock');
  const page = emu.store.page<Customer>(
    'customer',
    {},
    listParams(params),
    (c) => !c.deleted && (email === undefined || c.email === email) && (clock === undefined || c.test_clock === clock),
  );
  return listObject('/v1/customers', page.data, page.has_more);
}

// GET /v1/customers/:id/payment_methods
export function listCustomerPaymentMethods(emu: Emu, params: Params, [id]: string[]): unknown {
  onlyParams(params, ['type', 'limit', 'starting_after', 'ending_before', 'allow_redisplay']);
  emu.find<Customer>(id, 'customer', 'customer');
  const type = str(params, 'type');
  const page = emu.store.page<PaymentMethod>('payment_method', { customer: id }, listParams(params), (pm) => type === undefined || pm.type === type);
  return listObject(`/v1/customers/${id}/payment_methods`, page.data, page.has_more);
}

// GET /v1/payment_methods?customer=
export function listPaymentMethods(emu: Emu, params: Params): unknown {
  onlyParams(params, ['customer', 'type', 'limit', 'starting_after', 'ending_before', 'allow_redisplay']);
  const customer = str(params, 'customer');
  if (customer) emu.find<Customer>(customer, 'customer', 'customer', 'customer');
  const type = str(params, 'type');
  const page = emu.store.page<PaymentMethod>(
    'payment_method',
    customer ? { customer } : {},
    listParams(params),
    (pm) => (type === undefined || pm.type === type) && (customer !== undefined || pm.customer !== null),
  );
  return listObject('/v1/payment_methods', page.data, page.has_more);
}
