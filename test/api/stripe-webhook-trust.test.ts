import { env, exports } from 'cloudflare:workers';
import type Stripe from 'stripe';
import { afterEach, describe, expect, it } from 'vitest';
import { SANDBOX_STRIPE_WEBHOOK_SECRET } from '../../workers/sandbox/stripe/stripe.constants';
import { deliverPendingStripeWebhooks, setWebhookDispatcher, signStripePayload, type WebhookDispatcher } from '../../workers/sandbox/stripe/stripe.webhooks';
import { call, createTenant, present, type Tenant } from '../factories';
import type { BillingSummary, Page, SavedCard, TopUp, WalletBalance, WalletTransaction } from '../api-types';

/**
 * Events signed with the right secret but pointing at someone else's
 * objects: the handlers act only on what our own rows tie to the Stripe
 * object, never on the event's metadata or its copy of the object.
 */

interface Held {
  body: string;
  event: Stripe.Event;
}

/** Keeps the emulator's webhooks away from the product until the test posts them itself. */
const held: Held[] = [];
let previous: WebhookDispatcher | null = null;
let holding = false;

function holdWebhooks(): void {
  if (holding) return;
  holding = true;
  previous = setWebhookDispatcher(async (request) => {
    const body = await request.text();
    held.push({ body, event: JSON.parse(body) as Stripe.Event });
    return new Response('{}', { status: 200 });
  });
}

afterEach(() => {
  if (holding) setWebhookDispatcher(previous);
  holding = false;
  held.length = 0;
});

const post = async (body: string, signature?: string) =>
  exports.default.fetch('http://localhost/api/webhooks/stripe', {
    method: 'POST',
    body,
    headers: { 'stripe-signature': signature ?? (await signStripePayload(SANDBOX_STRIPE_WEBHOOK_SECRET, body)), 'content-type': 'application/json' },
  });

let forged = 0;
/** An event as Stripe would send it, signed with the sandbox secret. */
function forgedEvent(type: string, object: Record<string, unknown>): string {
  forged += 1;
  return JSON.stringify({
    id: `evt_forged_${Date.now()}_${forged}`,
    object: 'event',
    type,
    api_version: '2026-10-28.endive',
    created: Math.floor(Date.now() / 1000),
    livemode: false,
    data: { object },
  });
}

async function withCard(tenant: Tenant): Promise<void> {
  expect((await tenant.api<SavedCard>('POST', '/api/wallet/payment-method', { payment_method: 'pm_card_visa' })).status).toBe(200);
}

const addFunds = (tenant: Tenant, amount: string) => call<TopUp>('POST', '/api/wallet/add-funds', { token: tenant.token, body: { amount } });
const balance = async (tenant: Tenant) => (await tenant.api<WalletBalance>('GET', '/api/wallet/balance')).body.balance as string;
const topUpRow = (id: string) =>
  env.DB.prepare('SELECT payment_intent_id, status, amount_micros FROM wallet_top_ups WHERE id = ?')
    .bind(id)
    .first<{ payment_intent_id: string | null; status: string; amount_micros: number }>();

describe('wallet top-ups are credited by the PaymentIntent the top-up created', () => {
  it("a signed payment_intent.succeeded whose metadata names another tenant's top-up credits nobody else", async () => {
    const attacker = await createTenant();
    await withCard(attacker);
    const own = await addFunds(attacker, '10.00');
    expect(own.status).toBe(202);
    await deliverPendingStripeWebhooks(env);
    expect(await balance(attacker)).toBe('10.0000');
    const attackerIntent = (await topUpRow(own.body.id))?.payment_intent_id as string;

    const victim = await createTenant();
    await withCard(victim);
    const theirs = await addFunds(victim, '50.00');
    expect(theirs.status).toBe(202);
    // The top-up knows its PaymentIntent from the moment it was charged.
    expect((await topUpRow(theirs.body.id))?.payment_intent_id).toMatch(/^pi_/);

    const event = forgedEvent('payment_intent.succeeded', {
      id: attackerIntent,
      object: 'payment_intent',
      status: 'succeeded',
      amount: 1000,
      amount_received: 1000,
      currency: 'usd',
      metadata: { purpose: 'wallet_top_up', top_up_id: theirs.body.id, account_id: victim.accountId },
    });
    const reply = await post(event);
    await deliverPendingStripeWebhooks(env);

    // Each wallet holds exactly what its own card paid; the attacker's payment was credited once, to the attacker.
    expect(await balance(victim)).toBe('50.0000');
    expect(await balance(attacker)).toBe('10.0000');
    expect((await victim.api<Page<WalletTransaction>>('GET', '/api/wallet/transactions')).body.data).toHaveLength(1);
    expect(await topUpRow(theirs.body.id)).toMatchObject({ status: 'succeeded', amount_micros: 50_000_000 });
    // Acknowledged (so Stripe does not retry it), and nothing done.
    expect(reply.status).toBe(200);
  });

  it("a payment that does not match its top-up's amount credits nothing and marks the top-up failed", async () => {
    const tenant = await createTenant();
    await withCard(tenant);
    holdWebhooks();
    const topUp = await addFunds(tenant, '20.00');
    expect(topUp.status).toBe(202);
    await deliverPendingStripeWebhooks(env);
    // The row now asks for more than the PaymentIntent charged (as if either had been altered).
    await env.DB.prepare('UPDATE wallet_top_ups SET amount_micros = 25000000 WHERE id = ?').bind(topUp.body.id).run();
    const succeeded = held.find(
      (h) => h.event.type === 'payment_intent.succeeded' && (h.event.data.object as Stripe.PaymentIntent).metadata.top_up_id === topUp.body.id,
    );
    expect(succeeded).toBeDefined();
    expect((await post(succeeded?.body as string)).status).toBe(200);
    expect(await balance(tenant)).toBe('0.0000');
    expect((await tenant.api<Page<TopUp>>('GET', '/api/wallet/top-ups')).body.data[0]).toMatchObject({
      status: 'failed',
      failure: expect.stringMatching(/does not match/),
    });
  });
});

describe("subscription events act on the subscription's own customer", () => {
  it("a signed subscription event naming the attacker's customer and another account's subscription is acknowledged and changes neither account", async () => {
    const victim = await createTenant();
    const subscribed = await victim.api<BillingSummary>('POST', '/api/billing/subscribe', { plan: 'professional', payment_method: 'pm_card_visa' });
    expect(subscribed.status).toBe(201);
    const victimSubscription = present(subscribed.body.subscription).id as string;

    const attacker = await createTenant();
    await withCard(attacker);
    const before = (await attacker.api<BillingSummary>('GET', '/api/billing')).body;
    const customer = await env.DB.prepare('SELECT stripe_customer_id FROM billing_profiles WHERE account_id = ?')
      .bind(attacker.accountId)
      .first<{ stripe_customer_id: string }>();

    const event = forgedEvent('customer.subscription.updated', {
      id: victimSubscription,
      object: 'subscription',
      customer: customer?.stripe_customer_id,
      status: 'active',
    });
    const reply = await post(event);

    const after = (await attacker.api<BillingSummary>('GET', '/api/billing')).body;
    expect(after.plan_source).toBe(before.plan_source);
    expect(after.subscription).toBeNull();
    expect(present((await victim.api<BillingSummary>('GET', '/api/billing')).body.subscription).id).toBe(victimSubscription);
    expect(reply.status).toBe(200);
  });
});

describe('webhook timestamps', () => {
  it('refuses a signature stamped more than 5 minutes in the future, and accepts one within', async () => {
    const now = Math.floor(Date.now() / 1000);
    const early = forgedEvent('customer.created', { id: 'cus_from_the_future', object: 'customer' });
    const refused = await post(early, await signStripePayload(SANDBOX_STRIPE_WEBHOOK_SECRET, early, now + 301));
    expect(refused.status).toBe(400);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(((await refused.json()) as { detail: string }).detail).toMatch(/future/);
    const stored = await env.DB.prepare('SELECT COUNT(*) AS n FROM stripe_events WHERE id = ?').bind(JSON.parse(early).id).first<{ n: number }>();
    expect(stored?.n).toBe(0);

    const skewed = forgedEvent('customer.created', { id: 'cus_slightly_ahead', object: 'customer' });
    expect((await post(skewed, await signStripePayload(SANDBOX_STRIPE_WEBHOOK_SECRET, skewed, now + 240))).status).toBe(200);
  });
});
