import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { chargeUsage } from '../../workers/wallet/metering';
import { ensureWallet } from '../../workers/wallet/wallet.service';
import { createTenant } from '../factories';
import type { AgencyTiers, InvalidInput, Problem, SubAccount, UsagePriceList } from '../api-types';

describe('agency usage prices', () => {
  it('shows the platform price list and the agency margin per unit, and applies a markup to its sub-accounts', async () => {
    const agency = await createTenant({ agency: true });
    const list = await agency.api<UsagePriceList>('GET', '/api/agency/usage-markup');
    expect(list.status).toBe(200);
    expect(list.body.data.find((p: { resource_type: string }) => p.resource_type === 'sms_outbound')).toEqual({
      resource_type: 'sms_outbound',
      label: 'SMS sent',
      unit: 'message',
      unit_size: 1,
      cost: '0.0079',
      platform_multiplier: '1.5',
      platform_price: '0.01185',
      multiplier: '1.5',
      custom: false,
      price: '0.01185',
      margin: '0.0000',
    });

    const updated = await agency.api<UsagePriceList>('PUT', '/api/agency/usage-markup', { sms_outbound: '2.0', ai_tokens: '3.0', email: '1.2' });
    expect(updated.status).toBe(200);
    const byType = Object.fromEntries(
      updated.body.data.map((p: { resource_type: string; price: string; margin: string }) => [p.resource_type, [p.price, p.margin]]),
    );
    expect(byType.sms_outbound).toEqual(['0.0158', '0.00395']);
    expect(byType.ai_tokens).toEqual(['0.0090', '0.0030']);
    expect(byType.email).toEqual(['0.00012', '-0.00008']);

    const sub = (await agency.api<SubAccount>('POST', '/api/agency/sub-accounts', { name: 'Client' })).body;
    await (await ensureWallet(env, sub.id)).stub.credit({ idempotencyKey: 'c', amountMicros: 1_000_000, reason: 'adjustment', source: 'test' });
    await (await ensureWallet(env, agency.accountId)).stub.credit({ idempotencyKey: 'c', amountMicros: 1_000_000, reason: 'adjustment', source: 'test' });
    const charge = await chargeUsage(env, { accountId: sub.id, resource: 'sms_outbound', quantity: 1, resourceId: 'SMx' });
    expect(charge).toMatchObject({ customer_amount_micros: 15_800, platform_amount_micros: 11_850 });

    const reset = await agency.api<UsagePriceList>('PUT', '/api/agency/usage-markup', { sms_outbound: null });
    expect(reset.body.data.find((p: { resource_type: string }) => p.resource_type === 'sms_outbound')).toMatchObject({ multiplier: '1.5', custom: false });
  });

  it('refuses multipliers under cost, unknown resources, and non-agency accounts', async () => {
    const agency = await createTenant({ agency: true });
    const under = await agency.api<InvalidInput>('PUT', '/api/agency/usage-markup', { sms_outbound: '0.9' });
    expect(under.status).toBe(422);
    expect(under.body.errors[0].field).toBe('sms_outbound');
    expect((await agency.api<UsagePriceList>('PUT', '/api/agency/usage-markup', { fax: '2.0' })).status).toBe(422);
    expect((await agency.api<UsagePriceList>('PUT', '/api/agency/usage-markup', { sms_outbound: 2 })).status).toBe(422);
    expect((await agency.api<UsagePriceList>('GET', '/api/agency/usage-markup')).body.data.every((p: { custom: boolean }) => !p.custom)).toBe(true);
    const business = await createTenant();
    expect((await business.api<UsagePriceList>('GET', '/api/agency/usage-markup')).status).toBe(403);
    expect((await business.api<UsagePriceList>('PUT', '/api/agency/usage-markup', { sms_outbound: '2.0' })).status).toBe(403);
  });

  it('refuses a multiplier above 20.0 and a tier above $100,000.00 a month, with field errors, changing nothing', async () => {
    const agency = await createTenant({ agency: true });
    const markup = await agency.api<Problem>('PUT', '/api/agency/usage-markup', { sms_outbound: '999.9999', email: '20.0' });
    expect(markup.status).toBe(422);
    expect(markup.body.errors).toEqual([{ field: 'sms_outbound', message: 'At most 20.0 times cost.', code: 'too_large' }]);
    expect((await agency.api<UsagePriceList>('GET', '/api/agency/usage-markup')).body.data.every((p: { custom: boolean }) => !p.custom)).toBe(true);
    expect((await agency.api<UsagePriceList>('PUT', '/api/agency/usage-markup', { sms_outbound: '20.0' })).status).toBe(200);

    const tiers = await agency.api<Problem>('PUT', '/api/agency/pricing/tiers', { tiers: [{ name: 'Gold', price: '9999999.99', contacts: 100 }] });
    expect(tiers.status).toBe(422);
    expect(tiers.body.errors).toEqual([expect.objectContaining({ field: 'tiers.0.price', code: 'too_large' })]);
    expect((await agency.api<AgencyTiers>('GET', '/api/agency/pricing/tiers')).body.tiers).toEqual([]);
    expect((await agency.api<AgencyTiers>('PUT', '/api/agency/pricing/tiers', { tiers: [{ name: 'Gold', price: '100000.00', contacts: 100 }] })).status).toBe(
      200,
    );
  });
});
