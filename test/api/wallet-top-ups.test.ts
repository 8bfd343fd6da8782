import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { env, exports } from 'cloudflare:workers';
import { describe, expect, it, vi } from 'vitest';
import { deliverPendingStripeWebhooks, signStripePayload } from '../../workers/sandbox/stripe/stripe.webhooks';
import { SANDBOX_STRIPE_WEBHOOK_SECRET } from '../../workers/sandbox/stripe/stripe.constants';
import type { WalletDO } from '../../durable-objects/wallet/wallet.do';
import { ensureWallet, type WalletStub } from '../../workers/wallet/wallet.service';
import { startAutoRecharge } from '../../workers/wallet/top-ups';
import type { WalletQueueMessage } from '../../durable-objects/wallet/wallet.messages';
import { call, createTenant, present, type Tenant } from '../factories';
import type { Page, PaymentConfig, Problem, SavedCard, TopUp, WalletBalance, WalletTransaction } from '../api-types';

async function withCard(tenant: Tenant, paymentMethod = 'pm_card_visa') {
  const res = await tenant.api<SavedCard>('POST', '/api/wallet/payment-method', { payment_method: paymentMethod });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

const addFunds = <T = TopUp>(tenant: Tenant, amount: string, key?: string) =>
  call<T>('POST', '/api/wallet/add-funds', { token: tenant.token, body: { amount }, headers: key ? { 'idempotency-key': key } : {} });

const balance = async (tenant: Tenant) => (await tenant.api<WalletBalance>('GET', '/api/wallet/balance')).body.balance as string;

describe('saving a card and adding funds', () => {
  it('saves a card, charges it, and credits the wallet once Stripe confirms', async () => {
    const tenant = await createTenant();
    expect(await withCard(tenant)).toEqual({ brand: 'visa', last4: '4242' });
    expect((await tenant.api<WalletBalance>('GET', '/api/wallet/balance')).body.payment_method).toEqual({ brand: 'visa', last4: '4242' });

    const res = await addFunds(tenant, '50.00', 'topup-key-0001');
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ status: 'pending', amount: '50.0000', kind: 'manual' });
    expect(await balance(tenant)).toBe('0.0000');

    await deliverPendingStripeWebhooks(env);
    expect(await balance(tenant)).toBe('50.0000');
    const topUps = await tenant.api<Page<TopUp>>('GET', '/api/wallet/top-ups');
    expect(topUps.body.data[0]).toMatchObject({ status: 'succeeded', amount: '50.0000' });
    const txs = await tenant.api<Page<WalletTransaction>>('GET', '/api/wallet/transactions');
    expect(txs.body.data).toMatchObject([{ type: 'credit', amount: '50.0000', reason: 'top_up' }]);
  });

  it('the same Idempotency-Key never charges twice', async () => {
    const tenant = await createTenant();
    await withCard(tenant);
    const [a, b] = await Promise.all([addFunds(tenant, '20.00', 'same-key-123'), addFunds(tenant, '20.00', 'same-key-123')]);
    expect(a.body.id).toBe(b.body.id);
    const c = await addFunds(tenant, '20.00', 'same-key-123');
    expect(c.body.id).toBe(a.body.id);
    expect((await addFunds(tenant, '25.00', 'same-key-123')).status).toBe(409);
    await deliverPendingStripeWebhooks(env);
    expect(await balance(tenant)).toBe('20.0000');
  });

  it('a declined card and a card needing authentication answer 402 and add nothing', async () => {
    const declined = await createTenant();
    await withCard(declined, 'pm_card_chargeCustomerFail');
    const res = await addFunds<Problem>(declined, '30.00');
    expect(res.status).toBe(402);
    expect(res.body.detail).toMatch(/declined/i);
    // A card that always demands 3-D Secure cannot be saved for charges made while the owner is away.
    const threeDS = await createTenant();
    const saved = await threeDS.api<Problem>('POST', '/api/wallet/payment-method', { payment_method: 'pm_card_authenticationRequired' });
    expect(saved.status).toBe(402);
    expect(saved.body.detail).toMatch(/authentication/i);
    expect((await threeDS.api<WalletBalance>('GET', '/api/wallet/balance')).body.payment_method).toBeNull();
    await deliverPendingStripeWebhooks(env);
    expect(await balance(declined)).toBe('0.0000');
    expect(await balance(threeDS)).toBe('0.0000');
  });

  it('refuses bad amounts and a missing card with field errors, recording no top-up', async () => {
    const tenant = await createTenant();
    const noCard = await addFunds(tenant, '50.00');
    expect(noCard.status).toBe(422);
    expect((await tenant.api<Page<TopUp>>('GET', '/api/wallet/top-ups')).body.data).toEqual([]);
    const outOfRange = await (async () => {
      await withCard(tenant);
      return addFunds<Problem>(tenant, '4.99');
    })();
    expect(outOfRange.body.detail).toBe('Top-ups are whole cents from $5.00 to $10,000.00.');
    await withCard(tenant);
    for (const amount of ['4.99', '50.001', '-5', '20000.00']) expect((await addFunds(tenant, amount)).status, amount).toBe(422);
    expect((await tenant.api<SavedCard>('POST', '/api/wallet/payment-method', { payment_method: 'tok_visa' })).status).toBe(422);
    expect((await tenant.api<Page<TopUp>>('GET', '/api/wallet/top-ups')).body.data.every((t: { status: string }) => t.status !== 'succeeded')).toBe(true);
  });
});

describe('Stripe webhooks', () => {
  async function pendingTopUpEvent() {
    const tenant = await createTenant();
    await withCard(tenant);
    await addFunds(tenant, '10.00');
    // Intercept what the emulator would deliver, to replay and tamper with it.
    const bodies: Array<{ body: string; signature: string }> = [];
    const { setWebhookDispatcher } = await import('../../workers/sandbox/stripe/stripe.webhooks');
    const previous = setWebhookDispatcher(async (request) => {
      bodies.push({ body: await request.text(), signature: request.headers.get('stripe-signature') ?? '' });
      return new Response('{}', { status: 200 });
    });
    try {
      await deliverPendingStripeWebhooks(env);
    } finally {
      setWebhookDispatcher(previous);
    }
    const succeeded = bodies.find((b) => JSON.parse(b.body).type === 'payment_intent.succeeded');
    if (!succeeded) throw new Error('no payment_intent.succeeded delivered');
    return { tenant, event: succeeded };
  }

  const post = (body: string, signature: string) =>
    exports.default.fetch('http://localhost/api/webhooks/stripe', {
      method: 'POST',
      body,
      headers: { 'stripe-signature': signature, 'content-type': 'application/json' },
    });

  it('processes an event once however often it is delivered', async () => {
    const { tenant, event } = await pendingTopUpEvent();
    expect(await balance(tenant)).toBe('0.0000');
    const first = await post(event.body, event.signature);
    expect(first.status).toBe(200);
    const again = await post(event.body, await signStripePayload(SANDBOX_STRIPE_WEBHOOK_SECRET, event.body));
    expect(await again.json()).toMatchObject({ duplicate: true });
    expect(await balance(tenant)).toBe('10.0000');
  });

  it('rejects a bad signature, a tampered body and a stale timestamp, changing nothing', async () => {
    const { tenant, event } = await pendingTopUpEvent();
    const parsed = JSON.parse(event.body);
    parsed.data.object.amount_received = 999_999;
    const tampered = JSON.stringify(parsed);
    expect(tampered).not.toBe(event.body);
    expect((await post(tampered, event.signature)).status).toBe(400);
    expect((await post(event.body, await signStripePayload('whsec_wrong', event.body))).status).toBe(400);
    expect((await post(event.body, await signStripePayload(SANDBOX_STRIPE_WEBHOOK_SECRET, event.body, Math.floor(Date.now() / 1000) - 301))).status).toBe(400);
    expect((await post(event.body, '')).status).toBe(400);
    expect(await balance(tenant)).toBe('0.0000');
    const row = await env.DB.prepare('SELECT COUNT(*) AS n FROM stripe_events WHERE id = ?').bind(JSON.parse(event.body).id).first<{ n: number }>();
    expect(row?.n).toBe(0);
  });
});

describe('auto-recharge', () => {
  it('starts exactly one recharge however many debits cross the threshold', async () => {
    const tenant = await createTenant();
    const { stub } = await ensureWallet(env, tenant.accountId);
    await stub.credit({ idempotencyKey: 'start', amountMicros: 12_000_000, reason: 'adjustment', source: 'test' });
    await stub.configure({ autoRechargeEnabled: true, thresholdMicros: 10_000_000, amountMicros: 50_000_000 });
    // Twenty debits in one turn of the object, the outbox read in the same turn: the alarm that drains it cannot run in between.
    const requested = await runInDurableObject(stub, (instance: WalletDO, state) => {
      for (let i = 0; i < 20; i++) instance.debit({ idempotencyKey: `d${i}`, amountMicros: 200_000, resourceType: 'sms_outbound', resourceId: `d${i}` });
      return state.storage.sql.exec("SELECT COUNT(*) AS n FROM outbox WHERE kind = 'recharge.requested'").one().n;
    });
    expect(requested).toBe(1);
    // More debits from other callers below the threshold start nothing new while that recharge is pending.
    const pending = (await stub.balance()).auto_recharge.pending_recharge_id;
    await Promise.all(
      Array.from({ length: 10 }, (_, i) => stub.debit({ idempotencyKey: `e${i}`, amountMicros: 200_000, resourceType: 'sms_outbound', resourceId: `e${i}` })),
    );
    expect((await stub.balance()).auto_recharge.pending_recharge_id).toBe(pending);
    expect((await stub.balance()).auto_recharge.pending_recharge_id).not.toBeNull();
  });

  it('recharges from the saved card when the balance falls below the threshold', async () => {
    const tenant = await createTenant();
    await withCard(tenant);
    await addFunds(tenant, '15.00');
    await deliverPendingStripeWebhooks(env);
    const configured = await tenant.api<WalletBalance>('POST', '/api/wallet/auto-recharge/configure', { enabled: true, threshold: '10.00', amount: '25.00' });
    expect(configured.status).toBe(200);
    const { stub } = await ensureWallet(env, tenant.accountId);
    await stub.debit({ idempotencyKey: 'big-send', amountMicros: 6_000_000, resourceType: 'sms_outbound', resourceId: 'campaign-1' });
    await runDurableObjectAlarm(stub);
    await vi.waitFor(
      async () => {
        await deliverPendingStripeWebhooks(env);
        expect(await balance(tenant)).toBe('34.0000');
      },
      { timeout: 10_000, interval: 200 },
    );
    const topUps = (await tenant.api<Page<TopUp>>('GET', '/api/wallet/top-ups')).body.data;
    expect(topUps.map((t: { kind: string; status: string }) => `${t.kind}:${t.status}`)).toEqual(['auto_recharge:succeeded', 'manual:succeeded']);
    expect((await tenant.api<WalletBalance>('GET', '/api/wallet/balance')).body.auto_recharge).toMatchObject({
      enabled: true,
      in_progress: false,
      failure: null,
    });
  });

  it('a failing card stops auto-recharge, tells the owner, and does not loop', async () => {
    const tenant = await createTenant();
    await withCard(tenant, 'pm_card_chargeCustomerFail');
    const { stub } = await ensureWallet(env, tenant.accountId);
    await stub.credit({ idempotencyKey: 'start', amountMicros: 11_000_000, reason: 'adjustment', source: 'test' });
    await tenant.api<WalletBalance>('POST', '/api/wallet/auto-recharge/configure', { enabled: true, threshold: '10.00', amount: '25.00' });
    await stub.debit({ idempotencyKey: 'x1', amountMicros: 2_000_000, resourceType: 'sms_outbound', resourceId: 'x1' });
    await runDurableObjectAlarm(stub);
    await vi.waitFor(
      async () => {
        expect((await stub.balance()).auto_recharge.failure).toMatch(/declined/i);
      },
      { timeout: 10_000, interval: 200 },
    );
    await stub.debit({ idempotencyKey: 'x2', amountMicros: 1_000_000, resourceType: 'sms_outbound', resourceId: 'x2' });
    expect((await stub.balance()).auto_recharge.pending_recharge_id).toBeNull();
    await runDurableObjectAlarm(stub);
    await vi.waitFor(
      async () => {
        const notes = await env.DB.prepare('SELECT kind FROM notifications WHERE account_id = ? ORDER BY created_at')
          .bind(tenant.accountId)
          .all<{ kind: string }>();
        expect(notes.results.map((n) => n.kind)).toEqual(expect.arrayContaining(['wallet.low_balance', 'recharge.failed']));
      },
      { timeout: 10_000, interval: 200 },
    );
    expect(await balance(tenant)).toBe('8.0000');

    // A new card is the fix: saving one clears the stop and recharges at once.
    await withCard(tenant, 'pm_card_visa');
    expect((await stub.balance()).auto_recharge.failure).toBeNull();
    await runDurableObjectAlarm(stub);
    await vi.waitFor(
      async () => {
        await deliverPendingStripeWebhooks(env);
        expect(await balance(tenant)).toBe('33.0000');
      },
      { timeout: 10_000, interval: 200 },
    );
  });
});

describe('auto-recharge limits', () => {
  /** The recharge the wallet asked for, handed to the consumer now (the wallet's own alarm may deliver it too: both are one charge). */
  async function runPendingRecharge(stub: WalletStub, accountId: string): Promise<string> {
    const snapshot = await stub.balance();
    const rechargeId = snapshot.auto_recharge.pending_recharge_id;
    if (!rechargeId) throw new Error('no recharge pending');
    const message: WalletQueueMessage & { kind: 'notice' } = {
      kind: 'notice',
      wallet_id: snapshot.wallet_id,
      account_id: accountId,
      notice: { kind: 'recharge.requested', payload: { recharge_id: rechargeId, amount_micros: snapshot.auto_recharge.amount_micros }, created_at: Date.now() },
    };
    await startAutoRecharge(env, message);
    return rechargeId;
  }

  const autoTopUps = async (tenant: Tenant) =>
    ((await tenant.api<Page<TopUp>>('GET', '/api/wallet/top-ups')).body.data as Array<{ kind: string; amount: string; status: string }>).filter(
      (t) => t.kind === 'auto_recharge',
    );

  it("settings keep a top-up's bounds and a threshold from $1.00 to the amount, with field errors", async () => {
    const tenant = await createTenant();
    await withCard(tenant);
    const configure = <T = WalletBalance>(threshold: string, amount: string) =>
      tenant.api<T>('POST', '/api/wallet/auto-recharge/configure', { enabled: true, threshold, amount });

    const huge = await configure<Problem>('9999999.99', '9999999.99');
    expect(huge.status).toBe(422);
    expect(huge.headers.get('content-type')).toContain('application/problem+json');
    expect(huge.body.detail).toMatch(/whole cents from \$5\.00 to \$10,000\.00/);
    expect(huge.body.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: 'amount', code: 'out_of_range' }),
        expect.objectContaining({ field: 'threshold', code: 'above_amount' }),
      ]),
    );
    expect((await configure<Problem>('50.00', '25.00')).body.errors).toEqual([expect.objectContaining({ field: 'threshold', code: 'above_amount' })]);
    expect((await configure<Problem>('0.50', '25.00')).body.errors).toEqual([expect.objectContaining({ field: 'threshold', code: 'too_small' })]);
    expect((await configure<Problem>('10.00', '4.99')).body.errors).toEqual([
      expect.objectContaining({ field: 'amount' }),
      expect.objectContaining({ field: 'threshold', code: 'above_amount' }),
    ]);
    expect((await configure('10.00', '10000.01')).status).toBe(422);
    // Nothing was saved by the refusals.
    expect((await tenant.api<WalletBalance>('GET', '/api/wallet/balance')).body.auto_recharge).toMatchObject({ enabled: false, amount: '50.0000' });

    const ok = await configure('10000.00', '10000.00');
    expect(ok.status).toBe(200);
    expect(ok.body.auto_recharge).toMatchObject({
      enabled: true,
      threshold: '10000.0000',
      amount: '10000.0000',
      daily_limit: '10000.0000',
      paused_until: null,
    });
  });

  it('a wallet whose settings were saved before the bounds is never charged more than a top-up may be', async () => {
    const tenant = await createTenant();
    await withCard(tenant);
    const { stub } = await ensureWallet(env, tenant.accountId);
    // As stored by the old route: $9,999,999.99 at once, and the wallet is under the threshold.
    await stub.configure({ autoRechargeEnabled: true, thresholdMicros: 9_999_999_990_000, amountMicros: 9_999_999_990_000 });
    await runPendingRecharge(stub, tenant.accountId);
    expect(await autoTopUps(tenant)).toEqual([]);
    const after = await stub.balance();
    expect(after.auto_recharge.pending_recharge_id).toBeNull();
    expect(after.auto_recharge.failure).toMatch(/\$9,999,999\.99, is not one auto-recharge may add/);
    expect(await balance(tenant)).toBe('0.0000');
  });

  it('stops at the daily limit, tells the owner why, and recharges again the next UTC day', async () => {
    const tenant = await createTenant();
    await withCard(tenant);
    const { stub } = await ensureWallet(env, tenant.accountId);
    await stub.credit({ idempotencyKey: 'start', amountMicros: 20_000_000, reason: 'adjustment', source: 'test' });
    expect(
      (await tenant.api<WalletBalance>('POST', '/api/wallet/auto-recharge/configure', { enabled: true, threshold: '10.00', amount: '10000.00' })).status,
    ).toBe(200);

    // First dip below the threshold: $10,000 is charged and credited.
    await stub.debit({ idempotencyKey: 'spend-1', amountMicros: 15_000_000, resourceType: 'sms_outbound', resourceId: 'spend-1' });
    await runPendingRecharge(stub, tenant.accountId);
    await deliverPendingStripeWebhooks(env);
    expect(await balance(tenant)).toBe('10005.0000');

    // A runaway spend empties it again the same day: the limit is reached, nothing more is charged.
    await stub.debit({ idempotencyKey: 'spend-2', amountMicros: 10_000_000_000, resourceType: 'sms_outbound', resourceId: 'spend-2' });
    await runPendingRecharge(stub, tenant.accountId);
    expect((await autoTopUps(tenant)).map((t) => `${t.amount}:${t.status}`)).toEqual(['10000.0000:succeeded']);
    const now = Date.now();
    const tomorrow = new Date(now - (now % 86_400_000) + 86_400_000).toISOString();
    const wallet = (await tenant.api<WalletBalance>('GET', '/api/wallet/balance')).body;
    expect(wallet.auto_recharge).toMatchObject({ enabled: true, in_progress: false, failure: null, paused_until: tomorrow });
    await stub.debit({ idempotencyKey: 'spend-3', amountMicros: 1_000_000, resourceType: 'sms_outbound', resourceId: 'spend-3' });
    expect((await stub.balance()).auto_recharge.pending_recharge_id).toBeNull();
    await runDurableObjectAlarm(stub);
    await vi.waitFor(
      async () => {
        const note = await env.DB.prepare("SELECT message FROM notifications WHERE account_id = ? AND kind = 'recharge.limit_reached'")
          .bind(tenant.accountId)
          .first<{ message: string }>();
        expect(note?.message).toMatch(/most it may in one day \(\$10,000\.00\); it starts again tomorrow/);
      },
      { timeout: 10_000, interval: 200 },
    );

    // The next UTC day (the day's charges are yesterday's, the pause is over): a spend the wallet cannot cover recharges it.
    await env.DB.prepare("UPDATE wallet_top_ups SET created_at = created_at - 86400000 WHERE account_id = ? AND kind = 'auto_recharge'")
      .bind(tenant.accountId)
      .run();
    await runInDurableObject(stub, (_instance: WalletDO, state) => {
      state.storage.sql.exec('UPDATE state SET recharge_paused_until = ? WHERE id = 1', Date.now() - 1);
    });
    expect((await stub.debit({ idempotencyKey: 'spend-4', amountMicros: 50_000_000, resourceType: 'sms_outbound', resourceId: 'spend-4' })).ok).toBe(false);
    await runPendingRecharge(stub, tenant.accountId);
    expect((await autoTopUps(tenant)).map((t) => t.amount)).toEqual(['10000.0000', '10000.0000']);
  });
});

describe('payment configuration', () => {
  it('tells the browser to offer Stripe test cards in sandbox mode', async () => {
    const tenant = await createTenant();
    const config = await tenant.api<PaymentConfig>('GET', '/api/wallet/payment-config');
    expect(config.body).toMatchObject({ mode: 'sandbox', publishable_key: null });
    expect(present(config.body.test_cards).map((c: { payment_method: string }) => c.payment_method)).toContain('pm_card_visa');
  });
});
