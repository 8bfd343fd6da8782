import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { chargeUsage, resumePendingCharges, RESUME_PENDING_AFTER_MS } from '../../workers/wallet/metering';
import { reconcileProjection } from '../../workers/wallet/projection';
import { ensureWallet } from '../../workers/wallet/wallet.service';
import { call, createTenant, tenantFromAuth, type Tenant } from '../factories';
import type { AuthResult, MarginReport, SubAccount, UsageReport } from '../api-types';

async function fund(accountId: string, micros: number, key = `fund-${micros}-${Math.random()}`) {
  const { stub } = await ensureWallet(env, accountId);
  await stub.credit({ idempotencyKey: key, amountMicros: micros, reason: 'adjustment', source: 'test' });
  return stub;
}

async function balanceOf(accountId: string) {
  const { stub } = await ensureWallet(env, accountId);
  const audit = await stub.audit();
  expect(audit.balance_micros).toBe(audit.sum_of_transactions_micros);
  return audit.balance_micros;
}

/** An agency with one sub-account; returns a client for the sub-account too. */
async function agencyWithClient(): Promise<{ agency: Tenant; sub: Tenant }> {
  const agency = await createTenant({ agency: true });
  const created = (await agency.api<SubAccount>('POST', '/api/agency/sub-accounts', { name: 'Client Co' })).body;
  const switched = await call<AuthResult>('POST', '/api/auth/token-exchange', { token: agency.token, body: { account_id: created.id } });
  return { agency, sub: tenantFromAuth(switched.body, agency.email, agency.password) };
}

describe('metering', () => {
  it('a plain account pays the platform price once per usage event', async () => {
    const tenant = await createTenant();
    await fund(tenant.accountId, 1_000_000);
    const charge = await chargeUsage(env, { accountId: tenant.accountId, resource: 'sms_outbound', quantity: 1, resourceId: 'SM001' });
    expect(charge).toMatchObject({ status: 'charged', customer_amount_micros: 11_850, agency_account_id: null });
    const again = await chargeUsage(env, { accountId: tenant.accountId, resource: 'sms_outbound', quantity: 1, resourceId: 'SM001' });
    expect(again.id).toBe(charge.id);
    expect(await balanceOf(tenant.accountId)).toBe(1_000_000 - 11_850);
  });

  it("a sub-account pays its agency's price and the agency pays the platform price: two legs, each once", async () => {
    const { agency, sub } = await agencyWithClient();
    await env.DB.prepare("INSERT INTO usage_price_overrides (account_id, resource_type, multiplier, updated_at) VALUES (?, 'sms_outbound', '2.0', 0)")
      .bind(agency.accountId)
      .run();
    await fund(agency.accountId, 1_000_000);
    await fund(sub.accountId, 1_000_000);
    for (let i = 0; i < 3; i++) {
      await chargeUsage(env, { accountId: sub.accountId, resource: 'sms_outbound', quantity: 1, resourceId: 'SMa' });
      await chargeUsage(env, { accountId: sub.accountId, resource: 'sms_outbound', quantity: 2, resourceId: 'SMb' });
    }
    expect(await balanceOf(sub.accountId)).toBe(1_000_000 - 3 * 15_800);
    expect(await balanceOf(agency.accountId)).toBe(1_000_000 - 3 * 11_850);

    const margins = await agency.api<MarginReport>('GET', '/api/agency/wallet/margins');
    expect(margins.status).toBe(200);
    expect(margins.body.sub_accounts).toEqual([
      {
        account_id: sub.accountId,
        name: 'Client Co',
        charged: '0.0474',
        cost: '0.03555',
        margin: '0.01185',
        resources: [{ resource_type: 'sms_outbound', quantity: 3, charged: '0.0474', cost: '0.03555', margin: '0.01185' }],
      },
    ]);
    expect((await sub.api<MarginReport>('GET', '/api/agency/wallet/margins')).status).toBe(403);

    // A client with no usage in the period is listed at zero.
    await agency.api<SubAccount>('POST', '/api/agency/sub-accounts', { name: 'Quiet Co' });
    const withQuiet = await agency.api<MarginReport>('GET', '/api/agency/wallet/margins');
    expect(withQuiet.body.sub_accounts.map((a: { name: string; charged: string }) => [a.name, a.charged])).toEqual([
      ['Client Co', '0.0474'],
      ['Quiet Co', '0.0000'],
    ]);
  });

  it('refuses usage the sub-account cannot pay for, charging nobody', async () => {
    const { agency, sub } = await agencyWithClient();
    await fund(agency.accountId, 1_000_000);
    await expect(chargeUsage(env, { accountId: sub.accountId, resource: 'sms_outbound', quantity: 1, resourceId: 'SMpoor' })).rejects.toMatchObject({
      code: 'insufficient_funds',
    });
    expect(await balanceOf(agency.accountId)).toBe(1_000_000);
    expect(await balanceOf(sub.accountId)).toBe(0);
  });

  it("when the agency cannot pay, the sub-account's leg is refunded; a retry after top-up charges once", async () => {
    const { agency, sub } = await agencyWithClient();
    await fund(sub.accountId, 1_000_000);
    const input = { accountId: sub.accountId, resource: 'sms_outbound' as const, quantity: 1, resourceId: 'SMagencybroke' };
    await expect(chargeUsage(env, input)).rejects.toMatchObject({ code: 'insufficient_funds', message: expect.stringMatching(/agency/) });
    expect(await balanceOf(sub.accountId)).toBe(1_000_000);

    await fund(agency.accountId, 100_000);
    const charged = await chargeUsage(env, input);
    expect(charged).toMatchObject({ status: 'charged', attempt: 2 });
    expect(await balanceOf(sub.accountId)).toBe(1_000_000 - 11_850);
    expect(await balanceOf(agency.accountId)).toBe(100_000 - 11_850);
  });

  it('a worker dying between the legs leaves a pending charge that reconciliation finishes exactly once', async () => {
    const { agency, sub } = await agencyWithClient();
    await fund(agency.accountId, 1_000_000);
    await fund(sub.accountId, 1_000_000);
    const input = { accountId: sub.accountId, resource: 'email' as const, quantity: 500, resourceId: 'batch-7' };
    await expect(
      chargeUsage(env, input, {
        afterLeg: (leg) => {
          if (leg === 'customer') throw new Error('worker died');
        },
      }),
    ).rejects.toThrow('worker died');
    expect(await balanceOf(sub.accountId)).toBe(1_000_000 - 100_000);
    expect(await balanceOf(agency.accountId)).toBe(1_000_000);
    const pending = await env.DB.prepare('SELECT status FROM usage_charges WHERE resource_id = ?').bind('batch-7').first<{ status: string }>();
    expect(pending?.status).toBe('pending');

    const later = Date.now() + RESUME_PENDING_AFTER_MS + 1_000;
    expect(await resumePendingCharges(env, later)).toEqual({ resumed: 1, refused: 0 });
    expect(await resumePendingCharges(env, later)).toEqual({ resumed: 0, refused: 0 });
    expect(await balanceOf(sub.accountId)).toBe(1_000_000 - 100_000);
    expect(await balanceOf(agency.accountId)).toBe(1_000_000 - 100_000);
    // The caller's own retry is also harmless now.
    expect((await chargeUsage(env, input)).status).toBe('charged');
    expect(await balanceOf(agency.accountId)).toBe(1_000_000 - 100_000);
  });
});

describe('ledger projection in D1', () => {
  it('catches up from the wallet and agrees with it, and repairs a lost row', async () => {
    const tenant = await createTenant();
    await fund(tenant.accountId, 5_000_000);
    for (let i = 0; i < 12; i++) await chargeUsage(env, { accountId: tenant.accountId, resource: 'sms_outbound', quantity: 1, resourceId: `SMp${i}` });
    const first = await reconcileProjection(env, tenant.accountId);
    expect(first).toMatchObject({ consistent: true, wallet_count: 13, projected_count: 13, projected_sum_micros: 5_000_000 - 12 * 11_850 });

    await env.DB.prepare('DELETE FROM wallet_transactions WHERE account_id = ? AND seq = 5').bind(tenant.accountId).run();
    const repaired = await reconcileProjection(env, tenant.accountId);
    expect(repaired).toMatchObject({ consistent: true, caught_up: 1, projected_count: 13 });

    const usage = await tenant.api<UsageReport>('GET', '/api/wallet/usage?days=7');
    expect(usage.status).toBe(200);
    expect(usage.body.days).toHaveLength(7);
    expect(usage.body.totals).toEqual({ sms_outbound: '0.1422' });
  });
});
