import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import Stripe from 'stripe';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { stripeClient, verifyStripeWebhook } from '../../workers/billing/stripe.client';
import worker from '../../workers/dev';
import { PLATFORM_ACCOUNT, SANDBOX_STRIPE_WEBHOOK_SECRET, SANDBOX_WEBHOOKS_QUEUE } from '../../workers/sandbox/stripe/stripe.constants';
import { stripeWebhookDeliveries } from '../../workers/sandbox/stripe/stripe.controls';
import {
  deliverPendingStripeWebhooks,
  setWebhookDispatcher,
  signStripePayload,
  type SandboxWebhookMessage,
  type WebhookDispatcher,
} from '../../workers/sandbox/stripe/stripe.webhooks';

interface Received {
  url: string;
  signature: string;
  body: string;
  event: Stripe.Event;
}

/** Stands in for the product's webhook route: records what arrives and answers what the test says. */
const received: Received[] = [];
let answer: () => number = () => 200;
let previous: WebhookDispatcher | null = null;

beforeAll(() => {
  previous = setWebhookDispatcher(async (request) => {
    const body = await request.text();
    received.push({ url: request.url, signature: request.headers.get('stripe-signature') ?? '', body, event: JSON.parse(body) as Stripe.Event });
    return new Response(null, { status: answer() });
  });
});

afterAll(() => {
  setWebhookDispatcher(previous);
});

beforeEach(() => {
  answer = () => 200;
});

function receivedFor(objectId: string, type?: string): Received[] {
  return received.filter((r) => (r.event.data.object as { id?: string }).id === objectId && (type === undefined || r.event.type === type));
}

describe('Stripe sandbox webhooks', () => {
  it('every change is an event delivered to the default endpoint, signed so that verifyStripeWebhook accepts it', async () => {
    const stripe = stripeClient(env);
    const customer = await stripe.customers.create({ email: 'hooked@example.com' }, { idempotencyKey: 'hook-customer-1' });
    const setup = await stripe.setupIntents.create({ customer: customer.id, payment_method: 'pm_card_visa', confirm: true });
    const pi = await stripe.paymentIntents.create({
      amount: 1200,
      currency: 'usd',
      customer: customer.id,
      payment_method: setup.payment_method as string,
      confirm: true,
      off_session: true,
    });

    const deliveries = await deliverPendingStripeWebhooks(env);
    expect(deliveries.every((d) => d.status === 'delivered')).toBe(true);

    const [created] = receivedFor(customer.id, 'customer.created');
    expect(created.url).toBe('http://localhost/api/webhooks/stripe');
    expect(created.signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    const event = await verifyStripeWebhook(env, created.body, created.signature);
    expect(event).toMatchObject({
      object: 'event',
      type: 'customer.created',
      livemode: false,
      api_version: '2026-10-28.endive',
      request: { idempotency_key: 'hook-customer-1' },
    });
    expect(event.id).toMatch(/^evt_1/);
    expect(event.request?.id).toMatch(/^req_/);
    expect(event.data.object).toMatchObject({ id: customer.id, email: 'hooked@example.com' });

    expect(receivedFor(setup.payment_method as string, 'payment_method.attached')).toHaveLength(1);
    expect(receivedFor(setup.id, 'setup_intent.succeeded')).toHaveLength(1);
    expect(receivedFor(pi.id, 'payment_intent.succeeded')).toHaveLength(1);
    // The event as retrieved from the API is the one delivered.
    expect((await stripe.events.retrieve(event.id)).data.object).toEqual(event.data.object);
  });

  it("an update carries the changed fields' old values in previous_attributes", async () => {
    const stripe = stripeClient(env);
    const customer = await stripe.customers.create({ email: 'before@example.com', metadata: { tier: 'starter' } });
    await stripe.customers.update(customer.id, { email: 'after@example.com', metadata: { tier: 'pro' } });
    await deliverPendingStripeWebhooks(env);
    const [updated] = receivedFor(customer.id, 'customer.updated');
    expect(updated.event.data.object).toMatchObject({ email: 'after@example.com', metadata: { tier: 'pro' } });
    expect(updated.event.data.previous_attributes).toEqual({ email: 'before@example.com', metadata: { tier: 'starter' } });
  });

  it('a tampered body, a wrong secret or a signature older than 300 s is refused', async () => {
    const stripe = stripeClient(env);
    const customer = await stripe.customers.create({ email: 'tamper@example.com' });
    await deliverPendingStripeWebhooks(env);
    const [delivery] = receivedFor(customer.id, 'customer.created');

    const tampered = delivery.body.replace('tamper@example.com', 'attacker@example.com');
    await expect(verifyStripeWebhook(env, tampered, delivery.signature)).rejects.toMatchObject({ code: 'bad_request' });

    const wrongSecret = await signStripePayload('whsec_not_the_sandbox_secret', delivery.body);
    await expect(verifyStripeWebhook(env, delivery.body, wrongSecret)).rejects.toMatchObject({ code: 'bad_request' });

    const now = Math.floor(Date.now() / 1000);
    const stale = await signStripePayload(SANDBOX_STRIPE_WEBHOOK_SECRET, delivery.body, now - 301);
    await expect(verifyStripeWebhook(env, delivery.body, stale)).rejects.toMatchObject({ code: 'bad_request', message: expect.stringContaining('tolerance') });
    const recent = await signStripePayload(SANDBOX_STRIPE_WEBHOOK_SECRET, delivery.body, now - 240);
    await expect(verifyStripeWebhook(env, delivery.body, recent)).resolves.toMatchObject({ id: delivery.event.id });

    await expect(verifyStripeWebhook(env, delivery.body, null)).rejects.toMatchObject({ code: 'bad_request' });
  });

  it('a failed delivery stays pending and is retried until the endpoint answers 2xx', async () => {
    const stripe = stripeClient(env);
    answer = () => 500;
    const customer = await stripe.customers.create({ email: 'flaky@example.com' });
    const first = (await deliverPendingStripeWebhooks(env)).filter((d) => d.event_type === 'customer.created');
    const mine = (await stripeWebhookDeliveries(env)).find((d) => d.event_id === receivedFor(customer.id, 'customer.created')[0].event.id);
    expect(mine).toMatchObject({ status: 'pending', attempts: 1, last_status: 500 });
    expect(first.some((d) => d.id === mine?.id)).toBe(true);

    answer = () => 200;
    await deliverPendingStripeWebhooks(env);
    const after = (await stripeWebhookDeliveries(env)).find((d) => d.id === mine?.id);
    expect(after).toMatchObject({ status: 'delivered', attempts: 2, last_status: 200 });
    // The same event (same id) arrived twice; the product dedupes by event id.
    expect(new Set(receivedFor(customer.id, 'customer.created').map((r) => r.event.id)).size).toBe(1);
    expect((await stripe.events.retrieve(after?.event_id as string)).pending_webhooks).toBe(0);
  });

  it('the Queue consumer delivers after the API answered, and asks the Queue to retry a non-2xx', async () => {
    const stripe = stripeClient(env);
    answer = () => 503;
    const customer = await stripe.customers.create({ email: 'queued@example.com' });
    const pending = (await stripeWebhookDeliveries(env)).filter((d) => d.status === 'pending' && d.event_type === 'customer.created');
    const target = pending[pending.length - 1];
    expect(target).toBeDefined();

    const message = { id: 'msg-1', timestamp: new Date(), attempts: 1, body: { account: PLATFORM_ACCOUNT, delivery_id: target.id } };
    const failing = createMessageBatch<SandboxWebhookMessage>(SANDBOX_WEBHOOKS_QUEUE, [message]);
    const ctx1 = createExecutionContext();
    await worker.queue(failing as MessageBatch<never>, env, ctx1);
    const failedResult = await getQueueResult(failing, ctx1);
    expect(failedResult.retryMessages).toEqual([expect.objectContaining({ msgId: 'msg-1' })]);
    expect(failedResult.explicitAcks).toEqual([]);

    answer = () => 200;
    const retry = createMessageBatch<SandboxWebhookMessage>(SANDBOX_WEBHOOKS_QUEUE, [{ ...message, attempts: 2 }]);
    const ctx2 = createExecutionContext();
    await worker.queue(retry as MessageBatch<never>, env, ctx2);
    const okResult = await getQueueResult(retry, ctx2);
    expect(okResult.explicitAcks).toEqual(['msg-1']);
    expect((await stripeWebhookDeliveries(env)).find((d) => d.id === target.id)).toMatchObject({ status: 'delivered' });
    expect(receivedFor(customer.id, 'customer.created').length).toBeGreaterThanOrEqual(2);
  });

  it('with nobody calling for it, the outbox reaches the endpoint through the Queue on its own', async () => {
    const stripe = stripeClient(env);
    const customer = await stripe.customers.create({ email: 'async@example.com' });
    const deadline = Date.now() + 10_000;
    while (receivedFor(customer.id, 'customer.created').length === 0 && Date.now() < deadline) await scheduler.wait(100);
    const [delivery] = receivedFor(customer.id, 'customer.created');
    expect(delivery).toBeDefined();
    await expect(verifyStripeWebhook(env, delivery.body, delivery.signature)).resolves.toMatchObject({ type: 'customer.created' });
  });

  it('an endpoint registered through the API gets only its events, signed with its own secret', async () => {
    const stripe = stripeClient(env);
    const endpoint = await stripe.webhookEndpoints.create({
      url: 'http://localhost/api/webhooks/stripe-connect',
      enabled_events: ['invoice.paid', 'invoice.payment_failed'],
    });
    expect(endpoint.secret).toMatch(/^whsec_/);
    expect((await stripe.webhookEndpoints.retrieve(endpoint.id)).secret).toBeUndefined();

    const customer = await stripe.customers.create({
      email: 'endpoint@example.com',
      payment_method: 'pm_card_visa',
      invoice_settings: { default_payment_method: 'pm_card_visa' },
    });
    const price = await stripe.prices.create({ currency: 'usd', unit_amount: 500, recurring: { interval: 'month' }, product_data: { name: 'Hook plan' } });
    const sub = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }] });
    await deliverPendingStripeWebhooks(env);

    const toEndpoint = received.filter((r) => r.url === endpoint.url);
    expect(toEndpoint.map((r) => r.event.type)).toEqual(['invoice.paid']);
    expect((toEndpoint[0].event.data.object as Stripe.Invoice).id).toBe(sub.latest_invoice);
    expect(
      await Stripe.webhooks.constructEventAsync(
        toEndpoint[0].body,
        toEndpoint[0].signature,
        endpoint.secret as string,
        300,
        Stripe.createSubtleCryptoProvider(),
      ),
    ).toMatchObject({ type: 'invoice.paid' });
    await stripe.webhookEndpoints.del(endpoint.id);
  });
});
