import { describe, expect, it } from 'vitest';
import { call, createTenant, uniqueEmail, type Tenant } from '../factories';
import type { AgencyTiers, AuthResult, Problem, SubAccount, TeamMember, UsagePriceList } from '../api-types';

/**
 * What an agency earns and what its clients pay is for the people who run
 * the agency: its owners and admins. A member of the agency's team gets 403
 * (a problem, not the figures) on every such read.
 */

const PASSWORD = 'team-password-2026';

async function teammate(owner: Tenant, role: 'member' | 'admin'): Promise<string> {
  const email = uniqueEmail(role);
  expect((await owner.api<TeamMember>('POST', '/api/users', { email, name: `An ${role}`, role, password: PASSWORD })).status).toBe(201);
  const login = await call<AuthResult>('POST', '/api/auth/login', { body: { email, password: PASSWORD } });
  expect(login.status).toBe(200);
  return login.body.token as string;
}

describe('agency money is for owners and admins', () => {
  it("a member gets 403 for margins, usage prices, the Stripe connection, the tiers and a client's subscription; an admin reads them", async () => {
    const agency = await createTenant({ agency: true, name: 'Ledger Agency' });
    expect((await agency.api<UsagePriceList>('PUT', '/api/agency/usage-markup', { sms_outbound: '3.0' })).status).toBe(200);
    expect((await agency.api<AgencyTiers>('PUT', '/api/agency/pricing/tiers', { tiers: [{ name: 'Basic', price: '149.00', contacts: 500 }] })).status).toBe(
      200,
    );
    const client = (await agency.api<SubAccount>('POST', '/api/agency/sub-accounts', { name: 'Harbor Dental' })).body.id as string;
    const member = await teammate(agency, 'member');
    const admin = await teammate(agency, 'admin');

    const reads = [
      '/api/agency/wallet/margins',
      '/api/agency/usage-markup',
      '/api/agency/stripe/status',
      '/api/agency/pricing/tiers',
      `/api/agency/sub-accounts/${client}/subscription`,
    ];
    for (const path of reads) {
      const refused = await call<Problem>('GET', path, { token: member });
      expect(refused.status, path).toBe(403);
      expect(refused.headers.get('content-type'), path).toContain('application/problem+json');
      expect(refused.body.detail, path).toMatch(/^Only an account admin or above can see /);
      expect(JSON.stringify(refused.body), path).not.toMatch(/149|margin"|"multiplier|revenue_share|sub_account_id/);

      expect((await call('GET', path, { token: admin })).status, path).toBe(200);
    }
    expect((await call<AgencyTiers>('GET', '/api/agency/pricing/tiers', { token: admin })).body.tiers[0]).toMatchObject({ name: 'Basic', price: '149.0000' });
  });
});
