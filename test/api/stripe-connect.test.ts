import { env, exports } from 'cloudflare:workers';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stripeClient, verifyStripeWebhook } from '../../workers/billing/stripe.client';
import { PLATFORM_APPLICATION } from '../../workers/sandbox/stripe/stripe.constants';
import { advanceStripeClock, stripeClockNow, stripeWebhookDeliveries } from '../../workers/sandbox/stripe/stripe.controls';
import { deliverPendingStripeWebhooks, setWebhookDispatcher, type WebhookDispatcher } from '../../workers/sandbox/stripe/stripe.webhooks';

/**
 * Top-level fields of Stripe's example objects (shared/specs/stripe
 * fixtures3.json, stripe/openapi f6c2a48, MIT) for the Connect objects the
 * sandbox emulates.
 */
const FIXTURE_KEYS: Record<string, string[]> = {
  account: [
    'business_profile',
    'business_type',
    'capabilities',
    'charges_enabled',
    'controller',
    'country',
    'created',
    'default_currency',
    'details_submitted',
    'email',
    'external_accounts',
    'future_requirements',
    'id',
    'metadata',
    'object',
    'payouts_enabled',
    'requirements',
    'settings',
    'tos_acceptance',
    'type',
  ],
  account_link: ['created', 'expires_at', 'object', 'url'],
  application_fee: [
    'account',
    'amount',
    'amount_refunded',
    'application',
    'balance_transaction',
    'charge',
    'created',
    'currency',
    'fee_source',
    'id',
    'livemode',
    'object',
    'originating_transaction',
    'refunded',
    'refunds',
  ],
};
const missingKeys = (object: object, kind: string) => FIXTURE_KEYS[kind].filter((k) => !(k in object));

interface Received {
  url: string;
  signature: string;
  body: string;
  event: Stripe.Event;
}

/** Stands in for the product's webhook route, so these tests see exactly what Stripe would send. */
const received: Received[] = [];
let previous: WebhookDispatcher | null = null;
beforeAll(() => {
  previous = setWebhookDispatcher(async (request) => {
    const body = await request.text();
    received.push({ url: request.url, signature: request.headers.get('stripe-signature') ?? '', body, event: JSON.parse(body) as Stripe.Event });
    return new Response(null, { status: 200 });
  });
});
afterAll(() => {
  setWebhookDispatcher(previous);
});

const RETURN_URL = 'http://localhost:8787/agency/billing?stripe=return';
const REFRESH_URL = 'http://localhost:8787/agency/billing?stripe=refresh';

/** Follows an account link as a browser would, without following the redirect. */
async function visit(url: string): Promise<Response> {
  const u = new URL(url);
  return exports.default.fetch(`http://localhost${u.pathname}${u.search}`, { redirect: 'manual' });
}

async function onboardedAccount(platform: Stripe): Promise<Stripe.Account> {
  const account = await platform.accounts.create({ type: 'standard', email: `agency.${crypto.randomUUID()}@example.com` });
  const link = await platform.accountLinks.create({ account: account.id, type: 'account_onboarding', return_url: RETURN_URL, refresh_url: REFRESH_URL });
  expect((await visit(link.url)).status).toBe(302);
  return platform.accounts.retrieve(account.id);
}

/** A customer of the connected account on a monthly price, paying with `card`. */
async function connectedSubscriber(connected: Stripe, card: string, unitAmount: number, feePercent: number): Promise<Stripe.Subscription> {
  const customer = await connected.customers.create({
    email: `client.${crypto.randomUUID()}@example.com`,
    payment_method: card,
    invoice_settings: { default_payment_method: card },
  });
  const price = await connected.prices.create({
    currency: 'usd',
    unit_amount: unitAmount,
    recurring: { interval: 'month' },
    product_data: { name: 'Agency Basic' },
  });
  return connected.subscriptions.create({
    customer: customer.id,
    items: [{ price: price.id }],
    application_fee_percent: feePercent,
    expand: ['latest_invoice.payments'],
  });
}

describe('Stripe sandbox: Connect accounts and onboarding', () => {
  it("creates standard and express accounts that cannot take charges until onboarded, shaped like Stripe's", async () => {
    const platform = stripeClient(env);
    const standard = await platform.accounts.create({
      type: 'standard',
      email: 'owner@agency.example',
      business_profile: { name: 'Bright Agency' },
      metadata: { agency: 'agy_1' },
    });
    expect(standard).toMatchObject({
      object: 'account',
      type: 'standard',
      charges_enabled: false,
      payouts_enabled: false,
      details_submitted: false,
      email: 'owner@agency.example',
      country: 'US',
      metadata: { agency: 'agy_1' },
    });
    expect(standard.id).toMatch(/^acct_1[A-Za-z0-9]{15}$/);
    expect(standard.requirements?.currently_due).toContain('external_account');
    expect(standard.business_profile?.name).toBe('Bright Agency');
    expect(missingKeys(standard, 'account')).toEqual([]);
    const express = await platform.accounts.create({ type: 'express' });
    expect(express).toMatchObject({ type: 'express', controller: { stripe_dashboard: { type: 'express' } }, charges_enabled: false });

    expect((await platform.accounts.retrieve(standard.id)).id).toBe(standard.id);
    const listed = (await platform.accounts.list({ limit: 100 })).data.map((a) => a.id);
    expect(listed).toEqual(expect.arrayContaining([standard.id, express.id]));
    expect(listed.indexOf(express.id)).toBeLessThan(listed.indexOf(standard.id));

    await expect(platform.accounts.create({})).rejects.toMatchObject({ statusCode: 400, param: 'type' });
    await expect(platform.accounts.create({ type: 'custom' })).rejects.toMatchObject({ statusCode: 400, param: 'type' });
    await expect(platform.accounts.retrieve('acct_1NoSuchAccount000')).rejects.toMatchObject({ statusCode: 404 });
    await expect(stripeClient(env, { stripeAccount: standard.id }).accounts.create({ type: 'standard' })).rejects.toMatchObject({
      statusCode: 400,
      code: 'platform_account_required',
    });
  });

  it('an account link opens the sandbox onboarding, which completes it, sends the browser back, and tells the platform with account.updated', async () => {
    const platform = stripeClient(env);
    const account = await platform.accounts.create({ type: 'express', email: 'express@agency.example' });
    const link = await platform.accountLinks.create({ account: account.id, type: 'account_onboarding', return_url: RETURN_URL, refresh_url: REFRESH_URL });
    expect(missingKeys(link, 'account_link')).toEqual([]);
    expect(link.expires_at - link.created).toBe(300);
    const url = new URL(link.url);
    expect(`${url.origin}${url.pathname}`).toBe('http://localhost:8787/sandbox/stripe/_emulator/connect/onboard');
    expect(url.searchParams.get('account')).toBe(account.id);

    const first = await visit(link.url);
    expect(first.status).toBe(302);
    expect(first.headers.get('location')).toBe(RETURN_URL);
    const after = await platform.accounts.retrieve(account.id);
    expect(after).toMatchObject({
      charges_enabled: true,
      payouts_enabled: true,
      details_submitted: true,
      capabilities: { card_payments: 'active', transfers: 'active' },
      requirements: { currently_due: [], disabled_reason: null },
    });

    // Links are single-use: a second visit goes to refresh_url, where the platform makes a new one.
    const again = await visit(link.url);
    expect(again.status).toBe(302);
    expect(again.headers.get('location')).toBe(REFRESH_URL);
    expect((await visit(`${url.origin}${url.pathname}?account=${account.id}&link=alink_forged`)).status).toBe(404);

    // account.updated is a Connect event: it names the account and comes from the account, to the platform's Connect endpoint.
    await deliverPendingStripeWebhooks(env, { account: account.id });
    const updated = received.filter((r) => r.event.type === 'account.updated' && r.event.account === account.id);
    expect(updated).toHaveLength(1);
    expect(updated[0].url).toBe('http://localhost/api/webhooks/stripe');
    const verified = await verifyStripeWebhook(env, updated[0].body, updated[0].signature);
    expect(verified.data.object).toMatchObject({ id: account.id, charges_enabled: true });
    expect(verified.data.previous_attributes).toMatchObject({ charges_enabled: false, details_submitted: false });
    expect((await stripeWebhookDeliveries(env, account.id)).map((d) => d.endpoint_id)).toEqual(['we_sandbox_connect']);

    // Updating the account from the platform is an account.updated from the account too.
    const renamed = await platform.accounts.update(account.id, { email: 'billing@agency.example', metadata: { plan: 'gold' } });
    expect(renamed).toMatchObject({ email: 'billing@agency.example', metadata: { plan: 'gold' } });
    await deliverPendingStripeWebhooks(env, { account: account.id });
    const second = received.filter((r) => r.event.type === 'account.updated' && r.event.account === account.id)[1];
    expect(second?.event.data).toMatchObject({
      object: { email: 'billing@agency.example' },
      previous_attributes: { email: 'express@agency.example', metadata: { plan: null } },
    });
    await expect(
      platform.accountLinks.create({ account: account.id, type: 'account_onboarding', return_url: 'not a url', refresh_url: REFRESH_URL }),
    ).rejects.toMatchObject({ statusCode: 400, param: 'return_url' });
  });
});

describe('Stripe sandbox: application fees', () => {
  it('a subscription on a connected account with application_fee_percent pays the platform its share of each paid invoice', async () => {
    const platform = stripeClient(env);
    const account = await onboardedAccount(platform);
    const connected = stripeClient(env, { stripeAccount: account.id });
    const sub = await connectedSubscriber(connected, 'pm_card_visa', 14900, 10);
    expect(sub).toMatchObject({ status: 'active', application_fee_percent: 10, application: PLATFORM_APPLICATION });
    const invoice = sub.latest_invoice as Stripe.Invoice & { application_fee_amount: number | null };
    expect(invoice).toMatchObject({ status: 'paid', amount_paid: 14900, application_fee_amount: 1490 });

    const intentId = invoice.payments?.data[0].payment.payment_intent as string;
    const intent = await connected.paymentIntents.retrieve(intentId);
    expect(intent.application_fee_amount).toBe(1490);
    const charge = await connected.charges.retrieve(intent.latest_charge as string);
    expect(charge).toMatchObject({ application_fee_amount: 1490, application: PLATFORM_APPLICATION });
    expect(charge.application_fee).toMatch(/^fee_1/);

    // The fee is the platform's object, listed on the platform account.
    const fees = await platform.applicationFees.list({ charge: charge.id });
    expect(fees.data).toHaveLength(1);
    const fee = fees.data[0];
    expect(fee).toMatchObject({
      id: charge.application_fee,
      object: 'application_fee',
      account: account.id,
      amount: 1490,
      amount_refunded: 0,
      currency: 'usd',
      charge: charge.id,
      refunded: false,
      application: PLATFORM_APPLICATION,
      originating_transaction: null,
      fee_source: { charge: charge.id, type: 'charge' },
    });
    expect(missingKeys(fee, 'application_fee')).toEqual([]);
    expect((await platform.applicationFees.retrieve(fee.id)).amount).toBe(1490);
    await expect(connected.applicationFees.retrieve(fee.id)).rejects.toMatchObject({ statusCode: 404 });
    // The platform is told of its fee by an event of its own: one not addressed to the connected account.
    const created = (await platform.events.list({ type: 'application_fee.created' })).data.filter(
      (e) => (e.data.object as Stripe.ApplicationFee).id === fee.id,
    );
    expect(created).toHaveLength(1);
    expect(created[0]).not.toHaveProperty('account');
  });

  it("renewals on the connected account follow the platform's clock and each paid one records a fee; a declined one records none", async () => {
    const platform = stripeClient(env);
    const account = await onboardedAccount(platform);
    const connected = stripeClient(env, { stripeAccount: account.id });
    const paying = await connectedSubscriber(connected, 'pm_card_visa', 2999, 12.5);
    expect((paying.latest_invoice as Stripe.Invoice & { application_fee_amount: number }).application_fee_amount).toBe(375);
    const failing = await connectedSubscriber(connected, 'pm_card_chargeCustomerFail', 2999, 12.5);
    expect(failing.status).toBe('incomplete');

    // One sandbox, one "now": moving the platform's clock carries its connected accounts along.
    await advanceStripeClock(env, { days: 32 });
    expect(Math.abs((await stripeClockNow(env, account.id)) - (await stripeClockNow(env)))).toBeLessThan(5);
    const renewals = (await connected.invoices.list({ subscription: paying.id })).data;
    expect(renewals.map((i) => [i.billing_reason, i.status])).toEqual([
      ['subscription_cycle', 'paid'],
      ['subscription_create', 'paid'],
    ]);
    const fees = (await platform.applicationFees.list({ limit: 100 })).data.filter((f) => f.account === account.id);
    expect(fees.map((f) => f.amount)).toEqual([375, 375]);

    // The platform's own subscriptions cannot take an application fee.
    const customer = await platform.customers.create({ payment_method: 'pm_card_visa', invoice_settings: { default_payment_method: 'pm_card_visa' } });
    const price = await platform.prices.create({
      currency: 'usd',
      unit_amount: 1000,
      recurring: { interval: 'month' },
      product_data: { name: 'Platform plan' },
    });
    await expect(platform.subscriptions.create({ customer: customer.id, items: [{ price: price.id }], application_fee_percent: 10 })).rejects.toMatchObject({
      statusCode: 400,
      param: 'application_fee_percent',
    });
    await expect(connected.subscriptions.update(paying.id, { application_fee_percent: 120 })).rejects.toMatchObject({
      statusCode: 400,
      param: 'application_fee_percent',
    });
  });
});

describe('Stripe sandbox: Connect webhooks', () => {
  it("connected accounts' events go to the platform's Connect endpoints and name the account; the platform's own endpoints hear only the platform", async () => {
    const platform = stripeClient(env);
    const connectEndpoint = await platform.webhookEndpoints.create({
      url: 'http://localhost/hooks/connect',
      enabled_events: ['customer.created'],
      connect: true,
    });
    const accountEndpoint = await platform.webhookEndpoints.create({ url: 'http://localhost/hooks/account', enabled_events: ['customer.created'] });
    const account = await platform.accounts.create({ type: 'standard' });
    const connected = stripeClient(env, { stripeAccount: account.id });
    const theirs = await connected.customers.create({ email: 'theirs@client.example' });
    const ours = await platform.customers.create({ email: 'ours@platform.example' });
    await deliverPendingStripeWebhooks(env, { account: account.id });
    await deliverPendingStripeWebhooks(env);

    const to = (url: string, id: string) => received.filter((r) => r.url === url && (r.event.data.object as { id: string }).id === id);
    const viaConnect = to(connectEndpoint.url, theirs.id);
    expect(viaConnect).toHaveLength(1);
    expect(viaConnect[0].event).toMatchObject({ type: 'customer.created', account: account.id });
    await expect(
      Stripe.webhooks.constructEventAsync(
        viaConnect[0].body,
        viaConnect[0].signature,
        connectEndpoint.secret as string,
        300,
        Stripe.createSubtleCryptoProvider(),
      ),
    ).resolves.toMatchObject({ account: account.id });
    expect(to(connectEndpoint.url, ours.id)).toEqual([]);
    expect(to(accountEndpoint.url, theirs.id)).toEqual([]);
    expect(to(accountEndpoint.url, ours.id)).toHaveLength(1);
    expect(to('http://localhost/api/webhooks/stripe', theirs.id)[0]?.event.account).toBe(account.id);
    // The platform's endpoints are not the connected account's: it lists none of its own.
    expect((await connected.webhookEndpoints.list()).data).toEqual([]);
    await expect(connected.webhookEndpoints.create({ url: 'https://example.com/x', enabled_events: ['*'], connect: true })).rejects.toMatchObject({
      statusCode: 400,
      param: 'connect',
    });
    await platform.webhookEndpoints.del(connectEndpoint.id);
    await platform.webhookEndpoints.del(accountEndpoint.id);
  });
});
