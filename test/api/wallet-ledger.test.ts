import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { WalletDO } from '../../durable-objects/wallet/wallet.do';
import { createId } from '../../workers/platform/ids';
import { priceMicros, parseMultiplier, platformPriceMicros } from '../../workers/wallet/price-book';

function freshWallet(opening = 0) {
  const accountId = createId('account');
  const stub = env.WALLET.get(env.WALLET.idFromName(accountId));
  return {
    stub,
    async open() {
      await stub.open({ walletId: createId('wallet'), accountId });
      if (opening > 0) await stub.credit({ idempotencyKey: 'opening', amountMicros: opening, reason: 'adjustment', source: 'test' });
      return stub;
    },
  };
}

async function expectInvariant(stub: DurableObjectStub<WalletDO>) {
  const audit = await stub.audit();
  expect(audit.balance_micros).toBe(audit.sum_of_transactions_micros);
  expect(audit.held_micros).toBe(audit.sum_of_open_holds_micros);
  return audit;
}

const debit = (key: string, amountMicros: number) => ({ idempotencyKey: key, amountMicros, resourceType: 'sms_outbound', resourceId: key });

describe('wallet ledger', () => {
  it('credits and debits exactly, and refuses to overdraw', async () => {
    const stub = await freshWallet(10_000_000).open();
    const ok = await stub.debit(debit('SM1', 11_850));
    expect(ok).toMatchObject({ ok: true, replayed: false, transaction: { amount_micros: -11_850, balance_after_micros: 9_988_150 } });
    const refused = await stub.debit(debit('SM2', 10_000_000));
    expect(refused).toMatchObject({ ok: false, code: 'insufficient_funds', available_micros: 9_988_150, required_micros: 10_000_000 });
    expect((await stub.balance()).balance_micros).toBe(9_988_150);
    await expectInvariant(stub);
  });

  it('a repeated idempotency key returns the original transaction and charges nothing', async () => {
    const stub = await freshWallet(1_000_000).open();
    const first = await stub.debit(debit('SMdup', 7_900));
    const again = await stub.debit(debit('SMdup', 7_900));
    expect(first).toMatchObject({ ok: true, replayed: false, transaction: { id: expect.stringMatching(/^wtx_/) } });
    expect(again).toMatchObject({ ok: true, replayed: true, transaction: { id: first.ok ? first.transaction.id : 'the first debit was refused' } });
    expect((await stub.balance()).balance_micros).toBe(992_100);
    expect(await stub.debit(debit('SMdup', 9_999))).toMatchObject({ ok: false, code: 'idempotency_conflict' });
  });

  it('refunds part or all of a debit, never more', async () => {
    const stub = await freshWallet(100_000).open();
    const charged = await stub.debit(debit('SMr', 30_000));
    if (!charged.ok) throw new Error('debit failed');
    expect(await stub.refund({ idempotencyKey: 'r1', transactionId: charged.transaction.id, amountMicros: 10_000 })).toMatchObject({
      ok: true,
      transaction: { type: 'refund', amount_micros: 10_000 },
    });
    expect(await stub.refund({ idempotencyKey: 'r2', transactionId: charged.transaction.id, amountMicros: 25_000 })).toMatchObject({
      ok: false,
      code: 'refund_exceeds_debit',
    });
    expect(await stub.refund({ idempotencyKey: 'r3', transactionId: charged.transaction.id })).toMatchObject({
      ok: true,
      transaction: { amount_micros: 20_000 },
    });
    expect((await stub.balance()).balance_micros).toBe(100_000);
    await expectInvariant(stub);
  });

  it('rejects amounts that are not positive integer micros', async () => {
    const stub = await freshWallet(100).open();
    for (const amount of [0, -5, 1.5, Number.NaN]) expect(await stub.debit(debit(`bad${amount}`, amount))).toMatchObject({ ok: false, code: 'invalid_amount' });
    expect((await stub.audit()).transaction_count).toBe(1);
  });

  it('many concurrent clients with retries and duplicate keys: each unique charge once, no overdraft, exact balance', async () => {
    const opening = 2_000_000;
    const stub = await freshWallet(opening).open();
    const unique = Array.from({ length: 300 }, (_, i) => ({ key: `SMc${i}`, amount: 7_900 + (i % 7) * 1_000 }));
    // Every charge is sent 1-3 times, from interleaved "clients", some after a random delay (a retry).
    let seed = 42;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const attempts = unique.flatMap((c) => Array.from({ length: 1 + Math.floor(random() * 3) }, () => c));
    attempts.sort(() => random() - 0.5);
    const results = await Promise.all(
      attempts.map(async (c) => {
        if (random() < 0.3) await new Promise((r) => setTimeout(r, Math.floor(random() * 5)));
        return { key: c.key, outcome: await stub.debit(debit(c.key, c.amount)) };
      }),
    );
    const applied = new Map<string, string>();
    let smallestRefused = Number.POSITIVE_INFINITY;
    for (const { key, outcome } of results) {
      if (outcome.ok) {
        if (applied.has(key)) expect(outcome.transaction.id).toBe(applied.get(key));
        applied.set(key, outcome.transaction.id);
      } else {
        expect(outcome.code).toBe('insufficient_funds');
        if (outcome.code === 'insufficient_funds') smallestRefused = Math.min(smallestRefused, outcome.required_micros);
      }
    }
    const spent = unique.filter((c) => applied.has(c.key)).reduce((sum, c) => sum + c.amount, 0);
    const audit = await expectInvariant(stub);
    expect(audit.transaction_count).toBe(applied.size + 1);
    expect(audit.balance_micros).toBe(opening - spent);
    expect(audit.balance_micros).toBeGreaterThanOrEqual(0);
    // The wallet ran dry, and what is left is less than any charge it refused.
    expect(applied.size).toBeLessThan(unique.length);
    expect(audit.balance_micros).toBeLessThan(smallestRefused);
  });

  it('debitMany applies each debit in order until the money runs out', async () => {
    const stub = await freshWallet(30_000).open();
    const outcomes = await stub.debitMany([debit('b1', 10_000), debit('b2', 10_000), debit('b1', 10_000), debit('b3', 15_000), debit('b4', 10_000)]);
    expect(outcomes.map((o) => (o.ok ? (o.replayed ? 'replayed' : 'ok') : o.code))).toEqual(['ok', 'ok', 'replayed', 'insufficient_funds', 'ok']);
    expect((await expectInvariant(stub)).balance_micros).toBe(0);
  });

  it('debitMany stores exactly what it returns, keeps seqs dense between single debits, and replays a resent batch', async () => {
    const stub = await freshWallet(1_000_000).open();
    await stub.debit(debit('single-1', 1_000));
    const batch = [debit('m1', 2_000), debit('m2', 3_000), { ...debit('m1', 9_999) }, debit('m3', 4_000)];
    const outcomes = await stub.debitMany(batch);
    expect(outcomes.map((o) => (o.ok ? (o.replayed ? 'replayed' : 'ok') : o.code))).toEqual(['ok', 'ok', 'idempotency_conflict', 'ok']);
    await stub.debit(debit('single-2', 5_000));
    const stored = (await stub.list({ limit: 100, afterSeq: 0 })) as Array<{
      seq: number;
      id: string;
      idempotency_key: string;
      amount_micros: number;
      balance_after_micros: number;
    }>;
    expect(stored.map((t) => t.seq)).toEqual(stored.map((_, i) => stored[0].seq + i));
    const returned = outcomes.flatMap((o) => (o.ok ? [o] : []));
    expect(returned.map((r) => r.amount_micros)).toEqual([-2_000, -3_000, -4_000]);
    for (const receipt of returned) {
      expect(stored.find((t) => t.id === receipt.id)).toMatchObject({
        seq: receipt.seq,
        amount_micros: receipt.amount_micros,
        balance_after_micros: receipt.balance_after_micros,
      });
    }
    expect(stored.map((t) => t.idempotency_key).slice(-5)).toEqual(['single-1', 'm1', 'm2', 'm3', 'single-2']);
    const again = await stub.debitMany(batch);
    expect(again.map((o) => (o.ok ? o.id : o.code))).toEqual([returned[0].id, returned[1].id, 'idempotency_conflict', returned[2].id]);
    expect(again.every((o) => !o.ok || o.replayed)).toBe(true);
    expect((await expectInvariant(stub)).balance_micros).toBe(1_000_000 - 1_000 - 2_000 - 3_000 - 4_000 - 5_000);
  });
});

describe('reservations', () => {
  it('holds reduce what is available; settling charges the real cost and frees the rest', async () => {
    const stub = await freshWallet(1_000_000).open();
    const hold = await stub.reserve({ idempotencyKey: 'campaign-1', amountMicros: 600_000, expiresInSeconds: 600 });
    if (!hold.ok) throw new Error('hold failed');
    expect(await stub.balance()).toMatchObject({ balance_micros: 1_000_000, held_micros: 600_000, available_micros: 400_000 });
    expect(await stub.debit(debit('other', 500_000))).toMatchObject({ ok: false, code: 'insufficient_funds' });
    expect(await stub.reserve({ idempotencyKey: 'campaign-1', amountMicros: 600_000, expiresInSeconds: 600 })).toMatchObject({ ok: true, replayed: true });

    const settled = await stub.settle({ holdId: hold.hold.id, debit: debit('campaign-1-final', 450_000) });
    expect(settled).toMatchObject({ ok: true, transaction: { amount_micros: -450_000 } });
    expect(await stub.balance()).toMatchObject({ balance_micros: 550_000, held_micros: 0, available_micros: 550_000 });
    expect(await stub.settle({ holdId: hold.hold.id, debit: debit('again', 1) })).toMatchObject({ ok: false, code: 'hold_not_open' });
    await expectInvariant(stub);
  });

  it('a hold can be released, and stale holds expire on the alarm', async () => {
    const stub = await freshWallet(1_000_000).open();
    const a = await stub.reserve({ idempotencyKey: 'a', amountMicros: 100_000, expiresInSeconds: 600 });
    const b = await stub.reserve({ idempotencyKey: 'b', amountMicros: 200_000, expiresInSeconds: 600 });
    if (!a.ok || !b.ok) throw new Error('hold failed');
    expect(await stub.release({ holdId: a.hold.id })).toMatchObject({ ok: true, hold: { status: 'released' } });
    await runInDurableObject(stub, (_instance, state) => {
      state.storage.sql.exec('UPDATE holds SET expires_at = ? WHERE id = ?', Date.now() - 1, b.hold.id);
    });
    await runDurableObjectAlarm(stub);
    expect(await stub.balance()).toMatchObject({ held_micros: 0, available_micros: 1_000_000 });
    await expectInvariant(stub);
  });
});

describe('price book', () => {
  it('computes charges exactly in micros', () => {
    expect(platformPriceMicros('sms_outbound', 1)).toBe(11_850);
    expect(platformPriceMicros('email', 1)).toBe(200);
    expect(platformPriceMicros('voice_minute', 3)).toBe(63_000);
    expect(priceMicros('sms_outbound', 1, parseMultiplier('2.0'))).toBe(15_800);
    expect(priceMicros('ai_tokens', 1_234, parseMultiplier('2.0'))).toBe(7_404);
    expect(priceMicros('sms_outbound', 1, parseMultiplier('1.2345'))).toBe(9_753); // 9752.55 rounds half up
    expect(priceMicros('sms_outbound', 1_000_000, parseMultiplier('1.5'))).toBe(11_850_000_000);
    expect(() => parseMultiplier('1.5x')).toThrow();
  });
});
