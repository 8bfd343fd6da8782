import { env, exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { forgetHost } from '../../workers/tenancy/host.middleware';
import { call, confirmSignupByEmail, createTenant, uniqueEmail, type Tenant } from '../factories';
import type { AuthResult, ClientSignup, SignupRequested, SubAccountPage, TeamMember } from '../api-types';

const uniqueHost = () => `portal.signup-${crypto.randomUUID().slice(0, 8)}.com`;

/** An agency whose custom domain is live at the edge (the domain lifecycle itself is walked in agency-domains.test.ts). */
async function agencyWithDomain(): Promise<{ agency: Tenant; host: string }> {
  const agency = await createTenant({ agency: true, name: 'Harbor' });
  const host = uniqueHost();
  await env.DB.prepare('UPDATE agencies SET custom_domain = ? WHERE account_id = ?').bind(host, agency.accountId).run();
  return { agency, host };
}

/** What a sign-up on an agency's domain answers: the new session, or a problem. */
interface SignupReply {
  token: string;
  account: { id: string; name: string; kind: string; status: string };
  detail?: string;
  errors?: { field: string; message: string }[];
}

/** Signs up on `host` and, when the sign-up is taken, finishes it with the emailed link as the person would. */
async function signUpOn(host: string, body: Record<string, unknown>) {
  const res = await exports.default.fetch(`http://${host}/api/auth/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (res.status !== 202) return { status: res.status, body: (await res.json()) as SignupReply };
  const confirmed = await confirmSignupByEmail(body.email as string, `http://${host}`);
  return { status: confirmed.status, body: confirmed.body as SignupReply };
}

const person = (extra: Record<string, unknown> = {}) => ({
  email: uniqueEmail('client'),
  password: 'client-password-2026',
  name: 'Casey Client',
  account_name: 'Casey Dental',
  ...extra,
});

async function bootJson(host: string): Promise<Record<string, unknown>> {
  const html = await (await exports.default.fetch(`http://${host}/login`)).text();
  return JSON.parse(/<script type="application\/json" id="brand">(.*?)<\/script>/.exec(html)?.[1] ?? 'null');
}

describe('client sign-up on an agency domain', () => {
  it('is closed by default: a visitor is told to ask for an invitation, and nothing is created', async () => {
    const { agency, host } = await agencyWithDomain();
    expect((await agency.api<ClientSignup>('GET', '/api/agency/client-signup')).body).toEqual({ enabled: false, signup_url: `https://${host}/signup` });
    expect((await bootJson(host)).client_signup).toBe(false);
    const who = person();
    const refused = await signUpOn(host, who);
    expect(refused.status).toBe(403);
    expect(refused.body.detail).toBe(
      'Accounts on CRM are created by invitation. Ask the team that gave you this address for an invitation, or sign in if you have one.',
    );
    expect(await env.DB.prepare('SELECT COUNT(*) AS n FROM users WHERE email = ?').bind(who.email).first('n')).toBe(0);
  });

  it('switched on, a sign-up there becomes a client sub-account of the agency, which the agency sees and can open', async () => {
    const { agency, host } = await agencyWithDomain();
    expect((await agency.api<ClientSignup>('PUT', '/api/agency/client-signup', { enabled: true })).body).toEqual({
      enabled: true,
      signup_url: `https://${host}/signup`,
    });
    expect((await bootJson(host)).client_signup).toBe(true);

    const created = await signUpOn(host, person());
    expect(created.status).toBe(201);
    expect(created.body.account).toMatchObject({ name: 'Casey Dental', kind: 'sub_account', status: 'active' });
    const clients = (await agency.api<SubAccountPage>('GET', '/api/agency/sub-accounts')).body.data as Array<{ id: string; name: string }>;
    expect(clients.map((c) => c.id)).toContain(created.body.account.id);
    expect((await agency.api<AuthResult>('POST', '/api/auth/token-exchange', { account_id: created.body.account.id })).status).toBe(200);
    // The new client is a client: agency screens are not theirs.
    expect((await call<SubAccountPage>('GET', '/api/agency/sub-accounts', { token: created.body.token })).status).toBe(403);

    // Only clients sign up there; an agency account cannot be made on another agency's domain.
    const asAgency = await signUpOn(host, person({ agency: true }));
    expect(asAgency.status).toBe(422);
    expect(asAgency.body.errors).toEqual([{ field: 'agency', message: 'Not available here.' }]);
    // The platform's own address still makes ordinary accounts.
    const plainPerson = person();
    expect((await call<SignupRequested>('POST', '/api/auth/signup', { body: plainPerson })).status).toBe(202);
    expect((await confirmSignupByEmail(plainPerson.email)).body.account.kind).toBe('business');
  });

  it("only the agency's owners and admins switch it, only on a plan with sub-accounts, and a downgrade closes it", async () => {
    const { agency, host } = await agencyWithDomain();
    const email = uniqueEmail('member');
    await agency.api<TeamMember>('POST', '/api/users', { email, name: 'Mo Member', role: 'member', password: 'member-password-1' });
    const member = (await call<AuthResult>('POST', '/api/auth/login', { body: { email, password: 'member-password-1' } })).body.token as string;
    expect((await call<ClientSignup>('GET', '/api/agency/client-signup', { token: member })).body.enabled).toBe(false);
    expect((await call<ClientSignup>('PUT', '/api/agency/client-signup', { token: member, body: { enabled: true } })).status).toBe(403);
    const business = await createTenant();
    expect((await business.api<ClientSignup>('PUT', '/api/agency/client-signup', { enabled: true })).status).toBe(403);
    expect((await agency.api<ClientSignup>('PUT', '/api/agency/client-signup', { enabled: 'yes' })).status).toBe(422);
    expect((await agency.api<ClientSignup>('PUT', '/api/agency/client-signup', { enabled: true, extra: 1 })).status).toBe(422);

    expect((await agency.api<ClientSignup>('PUT', '/api/agency/client-signup', { enabled: true })).status).toBe(200);
    const now = Date.now();
    await env.DB.prepare("INSERT INTO subscriptions (account_id, plan, created_at, updated_at) VALUES (?, 'professional', ?, ?)")
      .bind(agency.accountId, now, now)
      .run();
    // Professional has neither white-label nor sub-accounts: the domain goes offline, and sign-up with it.
    forgetHost(host);
    const who = person();
    expect((await signUpOn(host, who)).status).toBe(404);
    expect(await env.DB.prepare('SELECT COUNT(*) AS n FROM users WHERE email = ?').bind(who.email).first('n')).toBe(0);
    const again = await agency.api<ClientSignup>('PUT', '/api/agency/client-signup', { enabled: true });
    expect(again.status).toBe(403);
    expect(again.body).toMatchObject({ type: 'https://docs.edge-crm.dev/problems/plan-limit-reached', feature: 'sub_accounts' });
  });
});
