import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { resolveHost, forgetHost } from '../../workers/tenancy/host.middleware';
import { verifyAccessToken } from '../../workers/auth/tokens';
import { call, createTenant, type ApiReply } from '../factories';
import type { AuthResult, Contact, Me, Page, ReachableAccountPage, SubAccount, SubAccountPage } from '../api-types';

describe('agency sub-accounts and switching', () => {
  it('an agency owner enters a sub-account with a token that names them as actor, and it is recorded', async () => {
    const agency = await createTenant({ agency: true, name: 'Northwind' });
    const sub = await agency.api<SubAccount>('POST', '/api/agency/sub-accounts', { name: 'Bright Smile Dental' });
    expect(sub.status).toBe(201);

    const me = await agency.api<Me>('GET', '/api/me');
    expect(me.body.accounts.map((a: { name: string; kind: string }) => [a.name, a.kind])).toEqual([
      ['Northwind Co', 'agency'],
      ['Bright Smile Dental', 'sub_account'],
    ]);

    const switched = await call<AuthResult>('POST', '/api/auth/token-exchange', { token: agency.token, body: { account_id: sub.body.id } });
    expect(switched.status).toBe(200);
    const claims = await verifyAccessToken(env.JWT_SECRET, switched.body.token);
    expect(claims).toMatchObject({ acc: sub.body.id, sub: agency.userId, act: { sub: agency.userId, acc: agency.accountId } });

    const inside = await call<Me>('GET', '/api/me', { token: switched.body.token });
    expect(inside.body).toMatchObject({ account: { id: sub.body.id, kind: 'sub_account' }, acting_user: { id: agency.userId } });

    const contact = await call<Contact>('POST', '/api/contacts', { token: switched.body.token, body: { first_name: 'Patient' } });
    expect(contact.status).toBe(201);
    const events = await env.DB.prepare('SELECT type, acting_user_id FROM domain_events WHERE account_id = ? ORDER BY occurred_at, id').bind(sub.body.id).all();
    expect(events.results).toEqual([
      { type: 'account.impersonation_started', acting_user_id: agency.userId },
      { type: 'contact.created', acting_user_id: agency.userId },
    ]);

    // The sub-account's data stays in the sub-account.
    expect((await agency.api<Page<Contact>>('GET', '/api/contacts')).body.data).toEqual([]);
    // And back to the agency.
    const back = await call<AuthResult>('POST', '/api/auth/token-exchange', { token: switched.body.token, body: { account_id: agency.accountId } });
    expect(back.status).toBe(200);
    expect((await verifyAccessToken(env.JWT_SECRET, back.body.token)).act).toBeUndefined();
  });

  it('/api/me lists the first 20 accounts to switch into; /api/me/accounts pages and searches them all, also while impersonating', async () => {
    const agency = await createTenant({ agency: true, name: 'Many' });
    const clientIds: string[] = [];
    for (let i = 1; i <= 24; i++)
      clientIds.push((await agency.api<SubAccount>('POST', '/api/agency/sub-accounts', { name: `client ${String(i).padStart(2, '0')}` })).body.id);
    await agency.api<SubAccount>('POST', '/api/agency/sub-accounts', { name: 'Zenith Dental' });

    const me = (await agency.api<Me>('GET', '/api/me')).body;
    expect(me.accounts).toHaveLength(20);
    expect(me.accounts[0]).toMatchObject({ name: 'Many Co', kind: 'agency', role: 'owner' });
    expect(me.accounts[1]).toMatchObject({ name: 'client 01', kind: 'sub_account', role: 'admin' });
    expect(me.accounts_more).toBe(true);

    const walk = async (token: string, query: string) => {
      const names: string[] = [];
      let cursor: string | null = null;
      do {
        const page: ApiReply<{ data: { name: string }[]; next_cursor: string | null }> = await call<ReachableAccountPage>(
          'GET',
          `/api/me/accounts?limit=7${query}${cursor ? `&cursor=${cursor}` : ''}`,
          { token },
        );
        expect(page.status).toBe(200);
        names.push(...page.body.data.map((a: { name: string }) => a.name));
        cursor = page.body.next_cursor;
      } while (cursor);
      return names;
    };
    const all = await walk(agency.token, '');
    expect(all).toHaveLength(26);
    expect(all.slice(0, 3)).toEqual(['Many Co', 'client 01', 'client 02']);
    expect(all.at(-1)).toBe('Zenith Dental');
    expect(await walk(agency.token, '&q=ZENITH')).toEqual(['Zenith Dental']);

    // Inside client 24 (past the first 20), the list is still the agency user's.
    const inside = await call<AuthResult>('POST', '/api/auth/token-exchange', { token: agency.token, body: { account_id: clientIds[23] } });
    expect(await walk(inside.body.token, '&q=client 2')).toEqual(['client 20', 'client 21', 'client 22', 'client 23', 'client 24']);

    // Another agency's user reaches none of them.
    const other = await createTenant({ agency: true, name: 'Other' });
    expect(await walk(other.token, '&q=client')).toEqual([]);
    expect((await agency.api<ReachableAccountPage>('GET', '/api/me/accounts?cursor=bogus')).status).toBe(422);
  });

  it('another agency cannot enter the sub-account, and a plain business has no sub-accounts', async () => {
    const agency = await createTenant({ agency: true });
    const other = await createTenant({ agency: true });
    const business = await createTenant();
    const sub = (await agency.api<SubAccount>('POST', '/api/agency/sub-accounts', { name: 'Client' })).body;
    expect((await call<AuthResult>('POST', '/api/auth/token-exchange', { token: other.token, body: { account_id: sub.id } })).status).toBe(404);
    expect((await business.api<SubAccount>('POST', '/api/agency/sub-accounts', { name: 'Nope' })).status).toBe(403);
    expect((await other.api<SubAccountPage>('GET', '/api/agency/sub-accounts')).body.data).toEqual([]);
  });
});

describe('host resolution', () => {
  it('serves platform hosts, resolves an agency custom domain, and refuses unknown hosts with a neutral page', async () => {
    const agency = await createTenant({ agency: true });
    const row = await env.DB.prepare('SELECT id FROM agencies WHERE account_id = ?').bind(agency.accountId).first<{ id: string }>();
    expect(await resolveHost(env, 'localhost')).toEqual({ hostname: 'localhost', agencyId: null });
    expect(await resolveHost(env, 'crm-preview.workers.dev')).toEqual({ hostname: 'crm-preview.workers.dev', agencyId: null });

    const unknown = await fetchHost('app.unknown-agency.com', '/');
    expect(unknown.status).toBe(404);
    const page = await unknown.text();
    expect(page).toContain('not set up');
    expect(page).not.toMatch(/agy_|acc_/);
    expect((await fetchHost('app.unknown-agency.com', '/api/health')).status).toBe(404);

    await env.DB.prepare('UPDATE agencies SET custom_domain = ? WHERE id = ?').bind('app.northwind.test', row?.id).run();
    forgetHost('app.northwind.test');
    expect(await resolveHost(env, 'APP.Northwind.test')).toEqual({ hostname: 'app.northwind.test', agencyId: row?.id });
    expect((await fetchHost('app.northwind.test', '/api/health')).status).toBe(200);
  });
});

function fetchHost(host: string, path: string) {
  return import('cloudflare:workers').then(({ exports }) => exports.default.fetch(`http://${host}${path}`));
}
