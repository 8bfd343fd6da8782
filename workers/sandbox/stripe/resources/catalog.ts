import { createdFilter, listObject, listParams, type Emu } from '../stripe.context';
import { stripeId } from '../stripe.ids';
import type { StripeObject } from '../stripe.store';
import { bool, int, invalidRequest, mergeMetadata, obj, oneOf, onlyParams, requireStr, str, strList, type Metadata, type Params } from '../stripe.wire';
import { checkCurrency } from './payment-intents';

export interface Product extends StripeObject {
  object: 'product';
  name: string;
  active: boolean;
  default_price: string | null;
  metadata: Metadata;
  created: number;
}

export type Interval = 'day' | 'week' | 'month' | 'year';

export interface Price extends StripeObject {
  object: 'price';
  active: boolean;
  currency: string;
  product: string;
  unit_amount: number | null;
  lookup_key: string | null;
  nickname: string | null;
  recurring: { interval: Interval; interval_count: number; meter: null; trial_period_days: number | null; usage_type: 'licensed' } | null;
  type: 'one_time' | 'recurring';
  metadata: Metadata;
  created: number;
}

// ---------------------------------------------------------------- products

function newProduct(emu: Emu, params: Params, id?: string): Product {
  const now = emu.now;
  return {
    id: id ?? stripeId('prod'),
    object: 'product',
    active: bool(params, 'active') ?? true,
    created: now,
    default_price: null,
    description: str(params, 'description') || null,
    images: strList(params, 'images') ?? [],
    livemode: false,
    marketing_features: [],
    metadata: mergeMetadata({}, params),
    name: requireStr(params, 'name'),
    package_dimensions: null,
    shippable: null,
    statement_descriptor: str(params, 'statement_descriptor') || null,
    tax_code: str(params, 'tax_code') || null,
    type: 'service',
    unit_label: str(params, 'unit_label') || null,
    updated: now,
    url: str(params, 'url') || null,
  };
}

// POST /v1/products – `id` may be chosen, as on Stripe; `default_price_data` creates its price
export function createProduct(emu: Emu, params: Params): Product {
  onlyParams(params, [
    'id',
    'name',
    'active',
    'description',
    'images',
    'metadata',
    'statement_descriptor',
    'tax_code',
    'unit_label',
    'url',
    'default_price_data',
    'marketing_features',
    'shippable',
    'package_dimensions',
  ]);
  const id = str(params, 'id');
  if (id !== undefined && emu.store.get(id)) throw invalidRequest(`Product already exists.`, 'id', 'resource_already_exists');
  let product = newProduct(emu, params, id || undefined);
  emu.store.save(product);
  const dpd = obj(params, 'default_price_data');
  if (dpd) {
    const price = newPrice(emu, dpd, product.id, 'default_price_data');
    emu.store.save(price, { parent: product.id });
    emu.emit('price.created', price);
    product = { ...product, default_price: price.id };
    emu.store.save(product);
  }
  emu.emit('product.created', product);
  return product;
}

// GET /v1/products/:id
export function retrieveProduct(emu: Emu, _params: Params, [id]: string[]): Product {
  return emu.find<Product>(id, 'product', 'product');
}

// POST /v1/products/:id
export function updateProduct(emu: Emu, params: Params, [id]: string[]): Product {
  onlyParams(params, [
    'name',
    'active',
    'description',
    'images',
    'metadata',
    'statement_descriptor',
    'tax_code',
    'unit_label',
    'url',
    'default_price',
    'marketing_features',
  ]);
  const product = emu.find<Product>(id, 'product', 'product');
  const defaultPrice = str(params, 'default_price');
  if (defaultPrice) {
    const price = emu.find<Price>(defaultPrice, 'price', 'price', 'default_price');
    if (price.product !== product.id) throw invalidRequest('The default price must belong to this product.', 'default_price');
  }
  const after: Product = {
    ...product,
    name: str(params, 'name') || product.name,
    active: bool(params, 'active') ?? product.active,
    description: str(params, 'description') !== undefined ? str(params, 'description') || null : product.description,
    default_price: defaultPrice !== undefined ? defaultPrice || null : product.default_price,
    metadata: mergeMetadata(product.metadata, params),
    updated: emu.now,
  };
  emu.saveAndEmitUpdate('product.updated', product, after);
  return after;
}

// GET /v1/products
export function listProducts(emu: Emu, params: Params): unknown {
  onlyParams(params, ['active', 'ids', 'created', 'limit', 'starting_after', 'ending_before', 'shippable', 'url']);
  const active = bool(params, 'active');
  const ids = strList(params, 'ids');
  const created = createdFilter(params);
  const page = emu.store.page<Product>(
    'product',
    {},
    listParams(params),
    (p) => (active === undefined || p.active === active) && (!ids || ids.includes(p.id)) && created(p.created),
  );
  return listObject('/v1/products', page.data, page.has_more);
}

// ---------------------------------------------------------------- prices

function newPrice(emu: Emu, params: Params, productId: string, prefix = ''): Price {
  const name = (n: string) => (prefix ? `${prefix}[${n}]` : n);
  const currency = checkCurrency(requireStr(params, 'currency'), name('currency'));
  const unitAmount =
    int(params, 'unit_amount') ?? (typeof params.unit_amount_decimal === 'string' ? Math.round(Number(params.unit_amount_decimal)) : undefined);
  if (unitAmount === undefined) throw invalidRequest(`Missing required param: ${name('unit_amount')}.`, name('unit_amount'), 'parameter_missing');
  if (unitAmount < 0) throw invalidRequest('This value must be greater than or equal to 0.', name('unit_amount'));
  const rec = obj(params, 'recurring');
  let recurring: Price['recurring'] = null;
  if (rec) {
    const interval = oneOf(rec, 'interval', ['day', 'week', 'month', 'year'] as const);
    if (!interval) throw invalidRequest(`Missing required param: ${name('recurring[interval]')}.`, name('recurring[interval]'), 'parameter_missing');
    const count = int(rec, 'interval_count') ?? 1;
    if (count < 1) throw invalidRequest('Invalid interval_count: must be at least 1.', name('recurring[interval_count]'));
    recurring = { interval, interval_count: count, meter: null, trial_period_days: int(rec, 'trial_period_days') ?? null, usage_type: 'licensed' };
  }
  const lookupKey = str(params, 'lookup_key') || null;
  return {
    id: stripeId('price'),
    object: 'price',
    active: bool(params, 'active') ?? true,
    billing_scheme: 'per_unit',
    created: emu.now,
    currency,
    custom_unit_amount: null,
    livemode: false,
    lookup_key: lookupKey,
    metadata: mergeMetadata({}, params),
    nickname: str(params, 'nickname') || null,
    product: productId,
    recurring,
    tax_behavior: str(params, 'tax_behavior') || 'unspecified',
    tiers_mode: null,
    transform_quantity: null,
    type: recurring ? 'recurring' : 'one_time',
    unit_amount: unitAmount,
    unit_amount_decimal: String(unitAmount),
  };
}

/** A lookup key names one active price; `transfer_lookup_key` moves it from the price that had it. */
function claimLookupKey(emu: Emu, price: Price, transfer: boolean): void {
  if (!price.lookup_key) return;
  const holder = emu.store.all<Price>('price').find((p) => p.id !== price.id && p.lookup_key === price.lookup_key);
  if (!holder) return;
  if (!transfer) throw invalidRequest(`A price (\`${holder.id}\`) already uses that lookup key.`, 'lookup_key');
  const after: Price = { ...holder, lookup_key: null };
  emu.saveAndEmitUpdate('price.updated', holder, after);
}

// POST /v1/prices – for an existing `product` or with inline `product_data`
export function createPrice(emu: Emu, params: Params): Price {
  onlyParams(params, [
    'currency',
    'unit_amount',
    'unit_amount_decimal',
    'recurring',
    'product',
    'product_data',
    'nickname',
    'lookup_key',
    'metadata',
    'active',
    'tax_behavior',
    'transfer_lookup_key',
    'billing_scheme',
  ]);
  let productId = str(params, 'product');
  const productData = obj(params, 'product_data');
  if (productId) emu.find<Product>(productId, 'product', 'product', 'product');
  else if (productData) {
    const product = newProduct(emu, productData, undefined);
    emu.store.save(product);
    emu.emit('product.created', product);
    productId = product.id;
  } else throw invalidRequest('You must specify either `product` or `product_data` when creating a price.', 'product', 'parameter_missing');
  const price = newPrice(emu, params, productId);
  claimLookupKey(emu, price, bool(params, 'transfer_lookup_key') ?? false);
  emu.store.save(price, { parent: productId });
  emu.emit('price.created', price);
  return price;
}

// GET /v1/prices/:id
export function retrievePrice(emu: Emu, _params: Params, [id]: string[]): Price {
  return emu.find<Price>(id, 'price', 'price');
}

// POST /v1/prices/:id – amounts are fixed once created, as on Stripe
export function updatePrice(emu: Emu, params: Params, [id]: string[]): Price {
  onlyParams(params, ['active', 'metadata', 'nickname', 'lookup_key', 'transfer_lookup_key', 'tax_behavior']);
  const price = emu.find<Price>(id, 'price', 'price');
  const after: Price = {
    ...price,
    active: bool(params, 'active') ?? price.active,
    metadata: mergeMetadata(price.metadata, params),
    nickname: str(params, 'nickname') !== undefined ? str(params, 'nickname') || null : price.nickname,
    lookup_key: str(params, 'lookup_key') !== undefined ? str(params, 'lookup_key') || null : price.lookup_key,
  };
  claimLookupKey(emu, after, bool(params, 'transfer_lookup_key') ?? false);
  emu.saveAndEmitUpdate('price.updated', price, after);
  return after;
}

// GET /v1/prices
export function listPrices(emu: Emu, params: Params): unknown {
  onlyParams(params, ['active', 'currency', 'product', 'type', 'lookup_keys', 'recurring', 'created', 'limit', 'starting_after', 'ending_before']);
  const active = bool(params, 'active');
  const currency = str(params, 'currency');
  const product = str(params, 'product');
  const type = str(params, 'type');
  const lookupKeys = strList(params, 'lookup_keys');
  const interval = obj(params, 'recurring')?.interval;
  const created = createdFilter(params);
  const page = emu.store.page<Price>(
    'price',
    product ? { parent: product } : {},
    listParams(params),
    (p) =>
      (active === undefined || p.active === active) &&
      (currency === undefined || p.currency === currency) &&
      (type === undefined || p.type === type) &&
      (!lookupKeys || (p.lookup_key !== null && lookupKeys.includes(p.lookup_key))) &&
      (interval === undefined || p.recurring?.interval === interval) &&
      created(p.created),
  );
  return listObject('/v1/prices', page.data, page.has_more);
}
