import { env, exports } from 'cloudflare:workers';
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { stripeClient, verifyStripeWebhook } from '../../workers/billing/stripe.client';
import { stripeClockNow } from '../../workers/sandbox/stripe/stripe.controls';
import { stripeEmulator } from '../../workers/sandbox/stripe/stripe.emulator';

/** What the emulator answers on the wire, as far as these tests read it. */
interface WireBody {
  error?: { type: string; code?: string; message: string; param?: string };
  object?: string;
  data?: Array<{ id: string }>;
  now?: number;
  [key: string]: unknown;
}

/** A raw request to the emulator as mounted on the Worker (/sandbox/stripe), the way curl would send it. */
async function raw(
  method: string,
  path: string,
  options: { body?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: WireBody; headers: Headers }> {
  const res = await exports.default.fetch(`http://localhost/sandbox/stripe${path}`, {
    method,
    headers: {
      authorization: 'Bearer sk_test_sandbox',
      ...(options.body !== undefined ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      ...(options.headers ?? {}),
    },
    body: options.body,
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as WireBody, headers: res.headers };
}

/**
 * Top-level fields of Stripe's own example objects: stripe/openapi
 * `openapi/fixtures3.json` (commit f6c2a48, MIT), as kept in
 * shared/specs/stripe. Every emulated object must carry all of them.
 */
const FIXTURE_KEYS: Record<string, string[]> = {
  event: ['api_version', 'created', 'data', 'id', 'livemode', 'object', 'pending_webhooks', 'request', 'type'],
  customer: [
    'address',
    'balance',
    'created',
    'currency',
    'default_source',
    'delinquent',
    'description',
    'discount',
    'email',
    'id',
    'invoice_prefix',
    'invoice_settings',
    'livemode',
    'metadata',
    'name',
    'next_invoice_sequence',
    'object',
    'phone',
    'preferred_locales',
    'shipping',
    'tax_exempt',
    'test_clock',
  ],
  payment_method: ['allow_redisplay', 'billing_details', 'card', 'created', 'customer', 'customer_account', 'id', 'livemode', 'metadata', 'object', 'type'],
  setup_intent: [
    'application',
    'automatic_payment_methods',
    'cancellation_reason',
    'client_secret',
    'created',
    'customer',
    'description',
    'excluded_payment_method_types',
    'flow_directions',
    'id',
    'last_setup_error',
    'latest_attempt',
    'livemode',
    'mandate',
    'metadata',
    'next_action',
    'object',
    'on_behalf_of',
    'payment_method',
    'payment_method_configuration_details',
    'payment_method_options',
    'payment_method_types',
    'single_use_mandate',
    'status',
    'usage',
  ],
  payment_intent: [
    'amount',
    'amount_capturable',
    'amount_details',
    'amount_received',
    'application',
    'application_fee_amount',
    'automatic_payment_methods',
    'canceled_at',
    'cancellation_reason',
    'capture_method',
    'client_secret',
    'confirmation_method',
    'created',
    'currency',
    'customer',
    'customer_account',
    'description',
    'excluded_payment_method_types',
    'id',
    'last_payment_error',
    'latest_charge',
    'livemode',
    'managed_payments',
    'metadata',
    'next_action',
    'object',
    'on_behalf_of',
    'payment_method',
    'payment_method_configuration_details',
    'payment_method_options',
    'payment_method_types',
    'processing',
    'receipt_email',
    'review',
    'setup_future_usage',
    'shipping',
    'source',
    'statement_descriptor',
    'statement_descriptor_suffix',
    'status',
    'transfer_data',
    'transfer_group',
  ],
  charge: [
    'amount',
    'amount_captured',
    'amount_refunded',
    'application',
    'application_fee',
    'application_fee_amount',
    'balance_transaction',
    'billing_details',
    'calculated_statement_descriptor',
    'captured',
    'created',
    'currency',
    'customer',
    'description',
    'disputed',
    'failure_balance_transaction',
    'failure_code',
    'failure_message',
    'fraud_details',
    'id',
    'livemode',
    'metadata',
    'object',
    'on_behalf_of',
    'outcome',
    'paid',
    'payment_intent',
    'payment_method',
    'payment_method_details',
    'receipt_email',
    'receipt_number',
    'receipt_url',
    'refunded',
    'refunds',
    'review',
    'shipping',
    'source',
    'source_transfer',
    'statement_descriptor',
    'statement_descriptor_suffix',
    'status',
    'transfer_data',
    'transfer_group',
  ],
  product: [
    'active',
    'created',
    'default_price',
    'description',
    'id',
    'images',
    'livemode',
    'marketing_features',
    'metadata',
    'name',
    'object',
    'package_dimensions',
    'shippable',
    'statement_descriptor',
    'tax_code',
    'type',
    'unit_label',
    'updated',
    'url',
  ],
  price: [
    'active',
    'billing_scheme',
    'created',
    'currency',
    'custom_unit_amount',
    'id',
    'livemode',
    'lookup_key',
    'metadata',
    'nickname',
    'object',
    'product',
    'recurring',
    'tax_behavior',
    'tiers_mode',
    'transform_quantity',
    'type',
    'unit_amount',
    'unit_amount_decimal',
  ],
  subscription: [
    'application',
    'application_fee_percent',
    'automatic_tax',
    'billing_cycle_anchor',
    'billing_cycle_anchor_config',
    'billing_mode',
    'billing_schedules',
    'billing_thresholds',
    'cancel_at',
    'cancel_at_period_end',
    'canceled_at',
    'cancellation_details',
    'collection_method',
    'created',
    'currency',
    'customer',
    'customer_account',
    'days_until_due',
    'default_payment_method',
    'default_source',
    'default_tax_rates',
    'description',
    'discounts',
    'ended_at',
    'id',
    'invoice_settings',
    'items',
    'latest_invoice',
    'livemode',
    'managed_payments',
    'metadata',
    'next_pending_invoice_item_invoice',
    'object',
    'on_behalf_of',
    'pause_collection',
    'payment_settings',
    'pending_invoice_item_interval',
    'pending_setup_intent',
    'pending_update',
    'schedule',
    'start_date',
    'status',
    'test_clock',
    'transfer_data',
    'trial_end',
    'trial_settings',
    'trial_start',
  ],
  subscription_item: [
    'billing_thresholds',
    'created',
    'current_period_end',
    'current_period_start',
    'discounts',
    'id',
    'metadata',
    'object',
    'plan',
    'price',
    'quantity',
    'subscription',
    'tax_rates',
  ],
  invoice: [
    'account_country',
    'account_name',
    'account_tax_ids',
    'amount_due',
    'amount_overpaid',
    'amount_paid',
    'amount_remaining',
    'amount_shipping',
    'application',
    'attempt_count',
    'attempted',
    'auto_advance',
    'automatic_tax',
    'automatically_finalizes_at',
    'billing_reason',
    'collection_method',
    'created',
    'currency',
    'custom_fields',
    'customer',
    'customer_account',
    'customer_address',
    'customer_email',
    'customer_name',
    'customer_phone',
    'customer_shipping',
    'customer_tax_exempt',
    'customer_tax_ids',
    'default_payment_method',
    'default_source',
    'default_tax_rates',
    'description',
    'discounts',
    'due_date',
    'effective_at',
    'ending_balance',
    'footer',
    'from_invoice',
    'hosted_invoice_url',
    'id',
    'invoice_pdf',
    'issuer',
    'last_finalization_error',
    'latest_revision',
    'lines',
    'livemode',
    'metadata',
    'next_payment_attempt',
    'number',
    'object',
    'on_behalf_of',
    'parent',
    'payment_settings',
    'period_end',
    'period_start',
    'post_payment_credit_notes_amount',
    'pre_payment_credit_notes_amount',
    'receipt_number',
    'rendering',
    'shipping_cost',
    'shipping_details',
    'starting_balance',
    'statement_descriptor',
    'status',
    'status_transitions',
    'subscription',
    'subtotal',
    'subtotal_excluding_tax',
    'test_clock',
    'total',
    'total_discount_amounts',
    'total_excluding_tax',
    'total_pretax_credit_amounts',
    'total_taxes',
    'webhooks_delivered_at',
  ],
  line_item: [
    'amount',
    'currency',
    'description',
    'discount_amounts',
    'discountable',
    'discounts',
    'id',
    'invoice',
    'livemode',
    'metadata',
    'object',
    'parent',
    'period',
    'pretax_credit_amounts',
    'pricing',
    'quantity',
    'quantity_decimal',
    'subscription',
    'subtotal',
    'taxes',
  ],
  invoice_payment: [
    'amount_paid',
    'amount_requested',
    'created',
    'currency',
    'id',
    'invoice',
    'is_default',
    'livemode',
    'object',
    'payment',
    'status',
    'status_transitions',
  ],
  invoiceitem: [
    'amount',
    'currency',
    'customer',
    'customer_account',
    'date',
    'description',
    'discountable',
    'discounts',
    'id',
    'invoice',
    'livemode',
    'metadata',
    'net_amount',
    'object',
    'parent',
    'period',
    'pricing',
    'proration',
    'quantity',
    'quantity_decimal',
    'tax_rates',
    'test_clock',
  ],
  webhook_endpoint: ['api_version', 'application', 'created', 'description', 'enabled_events', 'id', 'livemode', 'metadata', 'object', 'status', 'url'],
  'test_helpers.test_clock': ['created', 'deletes_after', 'frozen_time', 'id', 'livemode', 'name', 'object', 'status', 'status_details'],
};

function missingKeys(object: object, kind: string): string[] {
  return FIXTURE_KEYS[kind].filter((k) => !(k in object));
}

describe('Stripe sandbox: wire protocol', () => {
  it('refuses requests without a test key, as Stripe does (401)', async () => {
    const none = await raw('GET', '/v1/customers', { headers: { authorization: '' } });
    expect(none.status).toBe(401);
    expect(none.body.error).toMatchObject({ type: 'invalid_request_error', message: expect.stringContaining('You did not provide an API key') });
    const live = await raw('GET', '/v1/customers', { headers: { authorization: 'Bearer sk_live_abcdefghijklmnop' } });
    expect(live.status).toBe(401);
    expect(live.body.error?.message).toMatch(/^Invalid API Key provided: sk_live_\*+mnop$/);
    await expect(
      new Stripe('sk_live_nope', {
        httpClient: Stripe.createFetchHttpClient((input, init) =>
          exports.default.fetch(String(input).replace('http://sandbox.internal', 'http://localhost/sandbox/stripe'), init),
        ),
        host: 'sandbox.internal',
        protocol: 'http',
        port: 80,
        maxNetworkRetries: 0,
      }).customers.list(),
    ).rejects.toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
  });

  it("reads bracket-notation form bodies and takes curl's Basic auth", async () => {
    const created = await raw('POST', '/v1/customers', {
      headers: { authorization: `Basic ${btoa('sk_test_curl:')}` },
      body: 'email=form%40example.com&metadata[plan]=pro&metadata[seats]=3&preferred_locales[]=en&preferred_locales[]=fr&address[city]=Lisbon',
    });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({
      object: 'customer',
      email: 'form@example.com',
      metadata: { plan: 'pro', seats: '3' },
      preferred_locales: ['en', 'fr'],
      address: { city: 'Lisbon', country: null },
    });
    expect(created.headers.get('request-id')).toMatch(/^req_/);
    const json = await raw('POST', '/v1/customers', { body: JSON.stringify({ email: 'x' }), headers: { 'content-type': 'application/json' } });
    expect(json.status).toBe(400);
  });

  it("answers errors in Stripe's envelope: 404 resource_missing, 400 for unknown or missing parameters", async () => {
    const missing = await raw('GET', '/v1/customers/cus_doesnotexist');
    expect(missing).toMatchObject({
      status: 404,
      body: { error: { type: 'invalid_request_error', code: 'resource_missing', param: 'id', message: "No such customer: 'cus_doesnotexist'" } },
    });
    const unknown = await raw('POST', '/v1/customers', { body: 'emial=typo%40example.com' });
    expect(unknown).toMatchObject({ status: 400, body: { error: { code: 'parameter_unknown', param: 'emial' } } });
    const noRoute = await raw('GET', '/v1/nothing_here');
    expect(noRoute.status).toBe(404);

    const stripe = stripeClient(env);
    await expect(stripe.customers.retrieve('cus_doesnotexist')).rejects.toMatchObject({
      type: 'StripeInvalidRequestError',
      statusCode: 404,
      code: 'resource_missing',
    });
    await expect(stripe.prices.create({ currency: 'usd', product_data: { name: 'No amount' } })).rejects.toMatchObject({
      statusCode: 400,
      code: 'parameter_missing',
      param: 'unit_amount',
    });
  });

  it('lists page newest first with limit and starting_after, as { object: "list", data, has_more, url }', async () => {
    const stripe = stripeClient(env);
    const names = ['Alpha', 'Beta', 'Gamma'].map((n) => `${n} ${crypto.randomUUID().slice(0, 6)}`);
    const products: Stripe.Product[] = [];
    for (const name of names) products.push(await stripe.products.create({ name, metadata: { batch: names[0] } }));
    const firstPage = await raw('GET', '/v1/products?limit=2');
    expect(firstPage.body).toMatchObject({ object: 'list', has_more: true, url: '/v1/products' });
    expect((firstPage.body.data ?? []).map((p) => p.id)).toEqual([products[2].id, products[1].id]);
    const next = await stripe.products.list({ limit: 2, starting_after: products[1].id });
    expect(next.data[0].id).toBe(products[0].id);
    const all = await stripe.products.list({ limit: 1 }).autoPagingToArray({ limit: 50 });
    expect(all.filter((p) => p.metadata.batch === names[0]).map((p) => p.name)).toEqual([...names].reverse());
  });

  it('expands ids into objects on request', async () => {
    const stripe = stripeClient(env);
    const customer = await stripe.customers.create({
      email: 'expand@example.com',
      payment_method: 'pm_card_visa',
      invoice_settings: { default_payment_method: 'pm_card_visa' },
    });
    const expanded = (await stripe.customers.retrieve(customer.id, { expand: ['invoice_settings.default_payment_method'] })) as Stripe.Customer;
    expect(expanded.invoice_settings.default_payment_method).toMatchObject({ object: 'payment_method', card: { last4: '4242' } });
    const pis = await stripe.paymentIntents.list({ customer: customer.id, expand: ['data.customer'] });
    expect(pis.data).toEqual([]);
  });

  it('keeps each account in its own Durable Object: a connected account (Stripe-Account) sees only its own objects, and its events name it', async () => {
    const platform = stripeClient(env);
    const agency = stripeClient(env, { stripeAccount: 'acct_agencyOne' });
    const theirs = await agency.customers.create({ email: 'client@agency.example' });
    expect((await agency.customers.retrieve(theirs.id)).id).toBe(theirs.id);
    await expect(platform.customers.retrieve(theirs.id)).rejects.toMatchObject({ statusCode: 404 });
    const events = await agency.events.list({ type: 'customer.created' });
    expect(events.data[0]).toMatchObject({ account: 'acct_agencyOne', data: { object: { id: theirs.id } } });
    expect((await raw('GET', '/v1/customers', { headers: { 'stripe-account': 'not-an-account' } })).status).toBe(403);
  });

  it("emits objects with every field of Stripe's own example objects (fixtures3.json), and events in exactly its envelope", async () => {
    const stripe = stripeClient(env);
    const customer = await stripe.customers.create({ email: 'fixture@example.com' });
    const setup = await stripe.setupIntents.create({ customer: customer.id, payment_method: 'pm_card_visa', confirm: true });
    const pm = await stripe.paymentMethods.retrieve(setup.payment_method as string);
    await stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: pm.id } });
    const pi = await stripe.paymentIntents.create({
      amount: 1000,
      currency: 'usd',
      customer: customer.id,
      payment_method: pm.id,
      confirm: true,
      off_session: true,
    });
    const charge = await stripe.charges.retrieve(pi.latest_charge as string);
    const product = await stripe.products.create({ name: 'Fixture plan' });
    const price = await stripe.prices.create({ product: product.id, currency: 'usd', unit_amount: 1000, recurring: { interval: 'month' } });
    const sub = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }], expand: ['latest_invoice.payments'] });
    const invoice = sub.latest_invoice as Stripe.Invoice;
    const item = await stripe.invoiceItems.create({ customer: customer.id, amount: 300, currency: 'usd', description: 'Setup fee' });
    const endpoint = await stripe.webhookEndpoints.create({ url: 'https://example.com/hooks', enabled_events: ['invoice.paid'] });
    const clock = await stripe.testHelpers.testClocks.create({ frozen_time: await stripeClockNow(env) });
    const [event] = (await stripe.events.list({ type: 'customer.created', limit: 1 })).data;

    const emitted: Array<[object, string]> = [
      [customer, 'customer'],
      [pm, 'payment_method'],
      [setup, 'setup_intent'],
      [pi, 'payment_intent'],
      [charge, 'charge'],
      [product, 'product'],
      [price, 'price'],
      [sub, 'subscription'],
      [sub.items.data[0], 'subscription_item'],
      [invoice, 'invoice'],
      [invoice.lines.data[0], 'line_item'],
      [invoice.payments?.data[0] as object, 'invoice_payment'],
      [item, 'invoiceitem'],
      [endpoint, 'webhook_endpoint'],
      [clock, 'test_helpers.test_clock'],
      [event, 'event'],
    ];
    for (const [object, kind] of emitted) expect({ kind, missing: missingKeys(object, kind) }).toEqual({ kind, missing: [] });
    expect(Object.keys(event).sort()).toEqual(FIXTURE_KEYS.event);
    expect(Object.keys(event.request as object).sort()).toEqual(['id', 'idempotency_key']);
  });

  it('exposes the clock and the webhook log over HTTP for outside tools', async () => {
    const before = Number((await raw('GET', '/_emulator/clock')).body.now);
    const advanced = await exports.default.fetch('http://localhost/sandbox/stripe/_emulator/clock/advance', {
      method: 'POST',
      headers: { authorization: 'Bearer sk_test_sandbox', 'content-type': 'application/json' },
      body: JSON.stringify({ days: 2 }),
    });
    expect(advanced.status).toBe(200);
    const after = ((await advanced.json()) as { now: number }).now;
    expect(after - before).toBeGreaterThanOrEqual(2 * 86_400);
    expect(after - before).toBeLessThan(2 * 86_400 + 60);
    const log = await raw('GET', '/_emulator/webhooks/deliveries');
    expect(Array.isArray(log.body.data)).toBe(true);
    expect((await raw('GET', '/_emulator/clock', { headers: { authorization: '' } })).status).toBe(401);
  });
});

describe('Stripe in live mode', () => {
  const live = { ...env, PROVIDER_MODE: 'live' } as Env;

  it('without its keys is a clear configuration error, never a silent fallback to the sandbox', async () => {
    expect(() => stripeClient(live)).toThrow(/not configured/);
    await expect(verifyStripeWebhook(live, '{}', 't=1,v1=00')).rejects.toMatchObject({ code: 'provider_unavailable' });
    const configured = stripeClient({ ...live, STRIPE_SECRET_KEY: 'sk_live_configured' } as Env);
    expect(configured).toBeInstanceOf(Stripe);
  });

  it('does not serve the emulator', async () => {
    const res = await stripeEmulator.fetch(new Request('http://localhost/v1/customers', { headers: { authorization: 'Bearer sk_test_sandbox' } }), live);
    expect(res.status).toBe(404);
  });
});
