import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { chargeUsage } from '../../workers/wallet/metering';
import { ensureWallet } from '../../workers/wallet/wallet.service';
import { call, createTenant } from '../factories';
import type { InvalidInput, Page, WalletBalance, WalletTransaction } from '../api-types';

describe('wallet API', () => {
  it('shows an empty wallet with defaults to a new account', async () => {
    const tenant = await createTenant();
    const res = await tenant.api<WalletBalance>('GET', '/api/wallet/balance');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      currency: 'USD',
      balance: '0.0000',
      held: '0.0000',
      available: '0.0000',
      payment_method: null,
      auto_recharge: { enabled: false, threshold: '10.0000', amount: '50.0000' },
    });
  });

  it('lists transactions newest first with cursor paging, resource and date filters, and exports CSV', async () => {
    const tenant = await createTenant();
    const { stub } = await ensureWallet(env, tenant.accountId);
    await stub.credit({ idempotencyKey: 'seed', amountMicros: 10_000_000, reason: 'adjustment', source: 'test', description: 'Opening, "promo" credit' });
    for (let i = 0; i < 5; i++) await chargeUsage(env, { accountId: tenant.accountId, resource: 'sms_outbound', quantity: 1, resourceId: `SM${i}` });
    await chargeUsage(env, { accountId: tenant.accountId, resource: 'email', quantity: 100, resourceId: 'em-1' });

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { data: Array<{ amount: string; resource_id: string | null }>; next_cursor: string | null } } = await tenant.api<
        Page<WalletTransaction>
      >('GET', `/api/wallet/transactions?limit=4${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...page.body.data.map((t) => `${t.resource_id ?? 'credit'} ${t.amount}`));
      cursor = page.body.next_cursor;
    } while (cursor);
    expect(seen).toEqual(['em-1 -0.0200', 'SM4 -0.01185', 'SM3 -0.01185', 'SM2 -0.01185', 'SM1 -0.01185', 'SM0 -0.01185', 'credit 10.0000']);

    const sms = await tenant.api<Page<WalletTransaction>>('GET', '/api/wallet/transactions?resource_type=sms_outbound&limit=100');
    expect(sms.body.data).toHaveLength(5);
    const future = await tenant.api<Page<WalletTransaction>>('GET', `/api/wallet/transactions?from=${new Date(Date.now() + 3_600_000).toISOString()}`);
    expect(future.body.data).toEqual([]);

    const csv = await call<Page<WalletTransaction>>('GET', '/api/wallet/transactions?format=csv', { token: tenant.token });
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const lines = String(csv.body).trim().split('\r\n');
    expect(lines[0]).toBe('id,created_at,type,amount,balance_after,resource_type,resource_id,quantity,description');
    expect(lines).toHaveLength(8);
    expect(lines[7]).toContain('"Opening, ""promo"" credit"');

    expect((await tenant.api<Page<WalletTransaction>>('GET', '/api/wallet/transactions?resource_type=caviar')).status).toBe(422);
    expect((await tenant.api<Page<WalletTransaction>>('GET', '/api/wallet/transactions?from=yesterday-ish')).status).toBe(422);
  });

  it('validates auto-recharge settings and needs a saved card to turn it on', async () => {
    const tenant = await createTenant();
    const noCard = await tenant.api<InvalidInput>('POST', '/api/wallet/auto-recharge/configure', { enabled: true, threshold: '10.00', amount: '50.00' });
    expect(noCard.status).toBe(422);
    expect(noCard.body.errors[0].field).toBe('enabled');
    expect(
      (await tenant.api<WalletBalance>('POST', '/api/wallet/auto-recharge/configure', { enabled: false, threshold: '10.00', amount: '1.00' })).status,
    ).toBe(422);
    expect(
      (await tenant.api<WalletBalance>('POST', '/api/wallet/auto-recharge/configure', { enabled: false, threshold: '10.001', amount: '50.00' })).status,
    ).toBe(422);
    expect((await tenant.api<WalletBalance>('POST', '/api/wallet/auto-recharge/configure', { enabled: false, threshold: 10, amount: '50.00' })).status).toBe(
      422,
    );
    const saved = await tenant.api<WalletBalance>('POST', '/api/wallet/auto-recharge/configure', { enabled: false, threshold: '25.00', amount: '100.00' });
    expect(saved.status).toBe(200);
    expect(saved.body.auto_recharge).toMatchObject({ enabled: false, threshold: '25.0000', amount: '100.0000' });
  });

  it('each account sees only its own wallet', async () => {
    const [a, b] = [await createTenant(), await createTenant()];
    const { stub } = await ensureWallet(env, a.accountId);
    await stub.credit({ idempotencyKey: 'a-only', amountMicros: 1_000_000, reason: 'adjustment', source: 'test' });
    expect((await b.api<WalletBalance>('GET', '/api/wallet/balance')).body.balance).toBe('0.0000');
    expect((await b.api<Page<WalletTransaction>>('GET', '/api/wallet/transactions')).body.data).toEqual([]);
    expect((await a.api<WalletBalance>('GET', '/api/wallet/balance')).body.balance).toBe('1.0000');
  });
});
