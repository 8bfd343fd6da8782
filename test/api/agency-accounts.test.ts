import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { call, createTenant, uniqueEmail, type ApiReply, type Tenant } from '../factories';
import type { AuditEntry, AuthResult, Contact, Page, SubAccount, SubAccountPage, TeamMember } from '../api-types';

const PASSWORD = 'client-password-2026';

/** An agency with one client account that has an owner of its own. */
async function agencyWithClient(): Promise<{ agency: Tenant; clientId: string; clientOwner: { email: string; token: string } }> {
  const agency = await createTenant({ agency: true, name: 'Agency' });
  const client = await agency.api<SubAccount>('POST', '/api/agency/sub-accounts', { name: 'Harbor Dental' });
  expect(client.status).toBe(201);
  const email = uniqueEmail('client-owner');
  const added = await agency.api<TeamMember>('POST', `/api/agency/sub-accounts/${client.body.id}/users`, {
    email,
    name: 'Client Owner',
    role: 'owner',
    password: PASSWORD,
  });
  expect(added.status, JSON.stringify(added.body)).toBe(201);
  const login = await call<AuthResult>('POST', '/api/auth/login', { body: { email, password: PASSWORD } });
  expect(login.status).toBe(200);
  return { agency, clientId: client.body.id, clientOwner: { email, token: login.body.token } };
}

const exchange = (tenant: Tenant, accountId: string) => tenant.api<AuthResult>('POST', '/api/auth/token-exchange', { account_id: accountId });

describe('managing client accounts', () => {
  it('renames a client account and lists it; bad input changes nothing', async () => {
    const { agency, clientId } = await agencyWithClient();
    const renamed = await agency.api<SubAccount>('PATCH', `/api/agency/sub-accounts/${clientId}`, { name: 'Harbor Dental Group' });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ id: clientId, name: 'Harbor Dental Group', suspended: false, status: 'active' });
    expect((await agency.api<SubAccountPage>('GET', '/api/agency/sub-accounts')).body.data.map((s: { name: string }) => s.name)).toEqual([
      'Harbor Dental Group',
    ]);
    for (const body of [{}, { name: '' }, { name: 'x', extra: true }, { suspended: 'yes' }]) {
      expect((await agency.api<SubAccount>('PATCH', `/api/agency/sub-accounts/${clientId}`, body)).status).toBe(422);
    }
    expect((await agency.api<SubAccount>('GET', `/api/agency/sub-accounts/${clientId}`)).body.name).toBe('Harbor Dental Group');
  });

  it('lists clients a page at a time in name order, searched by part of the name and filtered by suspension', async () => {
    const agency = await createTenant({ agency: true, name: 'Paging Agency' });
    const names = ['golf', 'Foxtrot Dental', 'echo', 'Delta Dental', 'charlie dental', 'Bravo', 'acme'];
    const ids: Record<string, string> = {};
    for (const name of names) ids[name] = (await agency.api<SubAccount>('POST', '/api/agency/sub-accounts', { name })).body.id;
    await agency.api<SubAccount>('PATCH', `/api/agency/sub-accounts/${ids.echo}`, { suspended: true });

    const walk = async (query: string) => {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: ApiReply<{ data: { name: string }[]; counts: { total: number; suspended: number }; next_cursor: string | null }> =
          await agency.api<SubAccountPage>('GET', `/api/agency/sub-accounts?limit=3${query}${cursor ? `&cursor=${cursor}` : ''}`);
        expect(page.status).toBe(200);
        expect(page.body.data.length).toBeLessThanOrEqual(3);
        expect(page.body.counts).toEqual({ total: 7, suspended: 1 });
        seen.push(...page.body.data.map((c: { name: string }) => c.name));
        cursor = page.body.next_cursor;
      } while (cursor);
      return seen;
    };
    expect(await walk('')).toEqual(['acme', 'Bravo', 'charlie dental', 'Delta Dental', 'echo', 'Foxtrot Dental', 'golf']);
    expect(await walk('&q=DENTAL')).toEqual(['charlie dental', 'Delta Dental', 'Foxtrot Dental']);
    expect(await walk('&suspended=true')).toEqual(['echo']);
    expect(await walk('&suspended=false&q=o')).toEqual(['Bravo', 'Foxtrot Dental', 'golf']);

    // A rename moves the client to its new place in the order.
    await agency.api<SubAccount>('PATCH', `/api/agency/sub-accounts/${ids.acme}`, { name: 'Zulu' });
    expect((await walk('')).at(-1)).toBe('Zulu');

    for (const query of ['cursor=not-a-cursor', 'limit=0', 'limit=201', 'suspended=maybe']) {
      const refused = await agency.api<SubAccountPage>('GET', `/api/agency/sub-accounts?${query}`);
      expect(refused.status, query).toBe(422);
      expect(refused.headers.get('content-type')).toContain('application/problem+json');
    }
  });

  it('suspending closes the client account to its own users at once; the agency can still enter; reactivating opens it again', async () => {
    const { agency, clientId, clientOwner } = await agencyWithClient();
    expect((await call<Page<Contact>>('GET', '/api/contacts', { token: clientOwner.token })).status).toBe(200);

    const suspended = await agency.api<SubAccount>('PATCH', `/api/agency/sub-accounts/${clientId}`, { suspended: true });
    expect(suspended.body).toMatchObject({ suspended: true, suspended_at: expect.any(String) });

    const refused = await call<Page<Contact>>('GET', '/api/contacts', { token: clientOwner.token });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({
      type: 'https://docs.edge-crm.dev/problems/account-suspended',
      detail: expect.stringMatching(/suspended by the agency/),
    });
    const login = await call<AuthResult>('POST', '/api/auth/login', { body: { email: clientOwner.email, password: PASSWORD } });
    expect(login.status).toBe(403);
    expect(
      (
        await env.DB.prepare('SELECT COUNT(*) AS n FROM sessions WHERE account_id = ? AND actor_user_id IS NULL AND revoked_at IS NULL')
          .bind(clientId)
          .first<{ n: number }>()
      )?.n,
    ).toBe(0);

    const inside = await exchange(agency, clientId);
    expect(inside.status).toBe(200);
    expect((await call<Page<Contact>>('GET', '/api/contacts', { token: inside.body.token })).status).toBe(200);

    expect((await agency.api<SubAccount>('PATCH', `/api/agency/sub-accounts/${clientId}`, { suspended: false })).body.suspended).toBe(false);
    const again = await call<AuthResult>('POST', '/api/auth/login', { body: { email: clientOwner.email, password: PASSWORD } });
    expect(again.status).toBe(200);
    expect((await call<Page<Contact>>('GET', '/api/contacts', { token: again.body.token })).status).toBe(200);
  });

  it("client users and other agencies cannot reach agency routes or this agency's clients", async () => {
    const { agency, clientId, clientOwner } = await agencyWithClient();
    const asClient = (method: string, path: string, body?: unknown) => call(method, path, { token: clientOwner.token, body });
    expect((await asClient('GET', '/api/agency/sub-accounts')).status).toBe(403);
    expect((await asClient('PATCH', `/api/agency/sub-accounts/${clientId}`, { suspended: true })).status).toBe(403);
    expect((await asClient('GET', '/api/agency/audit-log')).status).toBe(403);
    expect((await asClient('POST', '/api/agency/sub-accounts', { name: 'Sneaky' })).status).toBe(403);

    const other = await createTenant({ agency: true, name: 'Other agency' });
    expect((await other.api<SubAccount>('GET', `/api/agency/sub-accounts/${clientId}`)).status).toBe(404);
    expect(
      (
        await other.api<TeamMember>('POST', `/api/agency/sub-accounts/${clientId}/users`, {
          email: uniqueEmail('intruder'),
          name: 'I',
          role: 'owner',
          password: PASSWORD,
        })
      ).status,
    ).toBe(404);
    expect((await other.api<SubAccount>('PATCH', `/api/agency/sub-accounts/${clientId}`, { suspended: true })).status).toBe(404);
    expect((await exchange(other, clientId)).status).toBe(404);
    expect((await agency.api<SubAccount>('GET', `/api/agency/sub-accounts/${clientId}`)).body.suspended).toBe(false);
  });
});

describe('impersonation', () => {
  it('is recorded in the agency audit log: who opened which account and each change made there, refused ones included', async () => {
    const { agency, clientId } = await agencyWithClient();
    const inside = await exchange(agency, clientId);
    const asAgency = (method: string, path: string, body?: unknown) => call(method, path, { token: inside.body.token, body });
    expect((await asAgency('POST', '/api/contacts', { first_name: 'Walk-in', email: 'walkin@example.com' })).status).toBe(201);
    expect((await asAgency('POST', '/api/contacts', { first_name: 'Again', email: 'walkin@example.com' })).status).toBe(409);
    expect((await asAgency('GET', '/api/contacts')).status).toBe(200);

    const log = await agency.api<Page<AuditEntry>>('GET', '/api/agency/audit-log');
    expect(log.status).toBe(200);
    expect(
      log.body.data.map((e: { action: string; method: string | null; path: string | null; status: number | null }) => [e.action, e.method, e.path, e.status]),
    ).toEqual([
      ['request', 'POST', '/api/contacts', 409],
      ['request', 'POST', '/api/contacts', 201],
      ['impersonation_started', null, null, null],
    ]);
    expect(log.body.data[0]).toMatchObject({ sub_account: { id: clientId, name: 'Harbor Dental' }, actor: { id: agency.userId, email: agency.email } });

    // Filtered by client account; another client's entries stay out.
    const second = await agency.api<SubAccount>('POST', '/api/agency/sub-accounts', { name: 'Second client' });
    await exchange(agency, second.body.id);
    expect((await agency.api<Page<AuditEntry>>('GET', `/api/agency/audit-log?sub_account_id=${clientId}`)).body.data).toHaveLength(3);
    expect((await agency.api<Page<AuditEntry>>('GET', '/api/agency/audit-log')).body.data).toHaveLength(4);

    // The client account's own changes are not impersonation and are not logged.
    const own = await createTenant();
    await own.api<Contact>('POST', '/api/contacts', { first_name: 'Mine' });
    expect((await env.DB.prepare('SELECT COUNT(*) AS n FROM agency_audit_log WHERE sub_account_id = ?').bind(own.accountId).first<{ n: number }>())?.n).toBe(0);
  });

  it('agency members without admin rights cannot impersonate, and an impersonation cannot be extended by refreshing', async () => {
    const { agency, clientId } = await agencyWithClient();
    const memberEmail = uniqueEmail('agency-member');
    await agency.api<TeamMember>('POST', '/api/users', { email: memberEmail, name: 'Junior', role: 'member', password: PASSWORD });
    const member = await call<AuthResult>('POST', '/api/auth/login', { body: { email: memberEmail, password: PASSWORD } });
    const tried = await call<AuthResult>('POST', '/api/auth/token-exchange', { token: member.body.token, body: { account_id: clientId } });
    expect(tried.status).toBe(404);

    const inside = await exchange(agency, clientId);
    const first = await env.DB.prepare(
      'SELECT expires_at, created_at FROM sessions WHERE account_id = ? AND actor_user_id IS NOT NULL ORDER BY created_at DESC LIMIT 1',
    )
      .bind(clientId)
      .first<{ expires_at: number; created_at: number }>();
    expect((first?.expires_at ?? 0) - (first?.created_at ?? 0)).toBe(8 * 3_600_000);
    const refreshed = await call<AuthResult>('POST', '/api/auth/refresh', { body: { refresh_token: inside.body.refresh_token } });
    expect(refreshed.status).toBe(200);
    const next = await env.DB.prepare('SELECT expires_at FROM sessions WHERE account_id = ? AND actor_user_id IS NOT NULL AND revoked_at IS NULL')
      .bind(clientId)
      .first<{ expires_at: number }>();
    expect(next?.expires_at).toBe(first?.expires_at);
  });
});
