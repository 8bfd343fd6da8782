import { env } from 'cloudflare:workers';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { emailResetLink } from '../../workers/auth/password-reset';
import { sandboxEmails } from '../../workers/sandbox/resend/resend.controls';
import { call, createTenant, tenantFromAuth, uniqueEmail, type Tenant } from '../factories';
import type { AuthResult, Contact, CreatedApiKey, Me, Page, PasswordResetDone, Problem, SubAccount, TeamMember } from '../api-types';

/** The JWT_SECRET of vitest.config.ts: what a forger who knew the key could sign. */
const TEST_JWT_SECRET = 'test-secret-0123456789abcdef0123456789abcdef';

/** An owner's account with a second person in it as admin, signed in. */
async function accountWithAdmin(options: { agency?: boolean } = {}): Promise<{ owner: Tenant; admin: Tenant }> {
  const owner = await createTenant(options);
  const email = uniqueEmail('admin');
  const password = 'admin-password-1';
  expect((await owner.api<TeamMember>('POST', '/api/users', { email, name: 'Ari Admin', role: 'admin', password })).status).toBe(201);
  const login = await call<AuthResult>('POST', '/api/auth/login', { body: { email, password } });
  expect(login.status).toBe(200);
  return { owner, admin: tenantFromAuth(login.body, email, password) };
}

describe('access tokens end with what they stand for', () => {
  it("a removed admin's token stops at once: no API key, no new admin, no data", async () => {
    const { owner, admin } = await accountWithAdmin();
    expect((await admin.api<Page<Contact>>('GET', '/api/contacts')).status).toBe(200);
    expect((await owner.api('DELETE', `/api/users/${admin.userId}`)).status).toBe(204);

    expect((await admin.api<Page<Contact>>('GET', '/api/contacts')).status).toBe(401);
    expect((await admin.api<CreatedApiKey>('POST', '/api/api-keys', { name: 'backdoor', role: 'admin' })).status).toBe(401);
    expect(
      (await admin.api<TeamMember>('POST', '/api/users', { email: uniqueEmail('friend'), name: 'Friend', role: 'admin', password: 'friend-password-1' }))
        .status,
    ).toBe(401);
    expect((await owner.api<Page<TeamMember>>('GET', '/api/users')).body.data).toHaveLength(1);
  });

  it('a demoted admin acts as a member from the next request: the role comes from the membership, not the token', async () => {
    const { owner, admin } = await accountWithAdmin();
    expect((await owner.api<TeamMember>('PATCH', `/api/users/${admin.userId}`, { role: 'member' })).status).toBe(200);

    expect((await admin.api<Me>('GET', '/api/me')).body.role).toBe('member');
    expect((await admin.api<CreatedApiKey>('POST', '/api/api-keys', { name: 'backdoor', role: 'admin' })).status).toBe(403);
    expect(
      (await admin.api<TeamMember>('POST', '/api/users', { email: uniqueEmail('friend'), name: 'Friend', role: 'admin', password: 'friend-password-1' }))
        .status,
    ).toBe(403);
    expect((await admin.api<Page<Contact>>('GET', '/api/contacts')).status).toBe(200);
  });

  it('logging out ends the access token too, and every token of that sign-in', async () => {
    const owner = await createTenant();
    const rotated = await call<AuthResult>('POST', '/api/auth/refresh', { body: { refresh_token: owner.refreshToken } });
    expect(rotated.status).toBe(200);
    expect((await owner.api<Page<Contact>>('GET', '/api/contacts')).status).toBe(200);

    expect((await call('POST', '/api/auth/logout', { body: { refresh_token: rotated.body.refresh_token } })).status).toBe(204);
    expect((await owner.api<Page<Contact>>('GET', '/api/contacts')).status).toBe(401);
    expect((await call<Page<Contact>>('GET', '/api/contacts', { token: rotated.body.token })).status).toBe(401);
    // Another sign-in of the same person is not signed out.
    const other = await call<AuthResult>('POST', '/api/auth/login', { body: { email: owner.email, password: owner.password } });
    expect((await call<Page<Contact>>('GET', '/api/contacts', { token: other.body.token })).status).toBe(200);
  });

  it('a password reset ends every access token of the user', async () => {
    const owner = await createTenant();
    expect(await emailResetLink(env, owner.email)).toBe('sent');
    const [mail] = (await sandboxEmails(env, { to: owner.email })).filter((m) => m.tags.some((t) => t.value === 'password_reset'));
    const token = /#token=([\w-]+)/.exec(mail.text ?? '')?.[1];
    expect((await call<PasswordResetDone>('POST', '/api/auth/password-reset/confirm', { body: { token, password: 'a-new-password-1' } })).status).toBe(200);
    expect((await owner.api<Page<Contact>>('GET', '/api/contacts')).status).toBe(401);
  });

  it('refuses a correctly signed JWT without exp, or one that lives longer than an access token', async () => {
    const owner = await createTenant();
    const me = await owner.api<Me>('GET', '/api/me');
    const [, payload] = owner.token.split('.');
    const claims = JSON.parse(atob(payload.replaceAll('-', '+').replaceAll('_', '/')));
    const key = new TextEncoder().encode(TEST_JWT_SECRET);
    const base = () =>
      new SignJWT({ acc: claims.acc, role: claims.role, sid: claims.sid })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(claims.sub)
        .setIssuer('edge-crm')
        .setAudience('edge-crm-api')
        .setIssuedAt();
    expect(me.status).toBe(200);
    // The same claims, signed the same way, work: what is refused below is the lifetime alone.
    expect((await call<Me>('GET', '/api/me', { token: await base().setExpirationTime('5m').sign(key) })).status).toBe(200);
    const forever = await call<Problem>('GET', '/api/me', { token: await base().sign(key) });
    expect(forever.status).toBe(401);
    expect(forever.body.type).toMatch(/unauthorized/);
    expect((await call<Me>('GET', '/api/me', { token: await base().setExpirationTime('10y').sign(key) })).status).toBe(401);
  });
});

describe('API keys never outrank the person who made them', () => {
  it('a key stops working when its creator is removed or demoted below it, and keeps working for keys they may still hold', async () => {
    const { owner, admin } = await accountWithAdmin();
    const adminKey = await admin.api<CreatedApiKey>('POST', '/api/api-keys', { name: 'Zapier', role: 'admin' });
    const memberKey = await admin.api<CreatedApiKey>('POST', '/api/api-keys', { name: 'Reports', role: 'member' });
    expect(adminKey.status).toBe(201);
    expect((await call<Page<Contact>>('GET', '/api/contacts', { token: adminKey.body.key })).status).toBe(200);

    expect((await owner.api<TeamMember>('PATCH', `/api/users/${admin.userId}`, { role: 'member' })).status).toBe(200);
    const demoted = await call<Problem>('GET', '/api/contacts', { token: adminKey.body.key });
    expect(demoted.status).toBe(401);
    expect(demoted.body.detail).toContain('no longer');
    expect((await call<Page<Contact>>('GET', '/api/contacts', { token: memberKey.body.key })).status).toBe(200);

    expect((await owner.api('DELETE', `/api/users/${admin.userId}`)).status).toBe(204);
    expect((await call<Page<Contact>>('GET', '/api/contacts', { token: memberKey.body.key })).status).toBe(401);
    // The owner's own keys are untouched.
    const ownerKey = await owner.api<CreatedApiKey>('POST', '/api/api-keys', { name: 'Mine', role: 'admin' });
    expect((await call<Page<Contact>>('GET', '/api/contacts', { token: ownerKey.body.key })).status).toBe(200);
  });

  it('agency staff switched into a client account cannot create keys there, and lose the switch when removed from the agency', async () => {
    const { owner, admin } = await accountWithAdmin({ agency: true });
    const client = await owner.api<SubAccount>('POST', '/api/agency/sub-accounts', { name: 'Client Co' });
    const switched = await admin.api<AuthResult>('POST', '/api/auth/token-exchange', { account_id: client.body.id });
    expect(switched.status).toBe(200);
    const inside = (method: string, path: string, body?: unknown) => call(method, path, { token: switched.body.token, body });

    const key = await inside('POST', '/api/api-keys', { name: 'outlives me', role: 'admin' });
    expect(key.status).toBe(403);
    expect((await inside('GET', '/api/contacts')).status).toBe(200);

    expect((await owner.api('DELETE', `/api/users/${admin.userId}`)).status).toBe(204);
    expect((await inside('GET', '/api/contacts')).status).toBe(401);
    expect((await call<AuthResult>('POST', '/api/auth/refresh', { body: { refresh_token: switched.body.refresh_token } })).status).toBe(401);
  });
});

describe('refresh token reuse', () => {
  it('presenting a used refresh token ends the whole sign-in: the successor issued from it and its access tokens too', async () => {
    const owner = await createTenant();
    const first = await call<AuthResult>('POST', '/api/auth/refresh', { body: { refresh_token: owner.refreshToken } });
    const second = await call<AuthResult>('POST', '/api/auth/refresh', { body: { refresh_token: first.body.refresh_token } });
    expect(second.status).toBe(200);

    // The first refresh token was copied: someone presents it again.
    const replay = await call<AuthResult>('POST', '/api/auth/refresh', { body: { refresh_token: owner.refreshToken } });
    expect(replay.status).toBe(401);

    expect((await call<AuthResult>('POST', '/api/auth/refresh', { body: { refresh_token: second.body.refresh_token } })).status).toBe(401);
    expect((await call<Page<Contact>>('GET', '/api/contacts', { token: second.body.token })).status).toBe(401);
    expect((await call<Page<Contact>>('GET', '/api/contacts', { token: first.body.token })).status).toBe(401);
    // A separate sign-in of the same person goes on.
    const other = await call<AuthResult>('POST', '/api/auth/login', { body: { email: owner.email, password: owner.password } });
    expect((await call<Page<Contact>>('GET', '/api/contacts', { token: other.body.token })).status).toBe(200);
  });
});
