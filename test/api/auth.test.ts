import { describe, expect, it, vi } from 'vitest';
import { MAX_FAILURES_PER_EMAIL_AND_ADDRESS } from '../../workers/auth/throttle';
import { env } from 'cloudflare:workers';
import { sandboxEmails } from '../../workers/sandbox/resend/resend.controls';
import { call, confirmSignupByEmail, createTenant, uniqueEmail } from '../factories';
import type { ApiKey, AuthResult, Contact, CreatedApiKey, InvalidInput, Me, Page, Problem, SignupRequested } from '../api-types';

describe('signup and login', () => {
  it('signs up an owner (confirmed by the emailed link), logs in, and never returns the password or its hash', async () => {
    const email = uniqueEmail();
    const signup = await call<SignupRequested>('POST', '/api/auth/signup', { body: { email: email.toUpperCase(), password: 'a-long-password', name: 'Ada' } });
    expect(signup.status).toBe(202);
    // Nothing exists until the link is used.
    expect((await call<AuthResult>('POST', '/api/auth/login', { body: { email, password: 'a-long-password' } })).status).toBe(401);
    const confirmed = await confirmSignupByEmail(email);
    expect(confirmed.status).toBe(201);
    expect(confirmed.body.user.email).toBe(email);
    expect(confirmed.body.account).toMatchObject({ kind: 'business', status: 'active' });
    expect(JSON.stringify(confirmed.body)).not.toMatch(/a-long-password|pbkdf2/);
    expect((await call<Me>('GET', '/api/me', { token: confirmed.body.token })).status).toBe(200);
    // The link works once.
    expect((await confirmSignupByEmail(email)).status).toBe(422);

    const login = await call<AuthResult>('POST', '/api/auth/login', { body: { email, password: 'a-long-password' } });
    expect(login.status).toBe(200);
    const me = await call<Me>('GET', '/api/me', { token: login.body.token });
    expect(me.body).toMatchObject({ user: { email }, role: 'owner', acting_user: null });
    expect(JSON.stringify(me.body)).not.toMatch(/password|hash/i);
  });

  it('signing up with a registered email answers exactly as for a new one, creates nothing, and tells the owner', async () => {
    const owner = await createTenant();
    const signupLinks = async () => (await sandboxEmails(env, { to: owner.email })).filter((m) => m.tags.some((t) => t.value === 'signup_confirm')).length;
    const linksBefore = await signupLinks();
    const fresh = uniqueEmail();
    const taken = await call<SignupRequested>('POST', '/api/auth/signup', {
      body: { email: owner.email.toUpperCase(), password: 'another-password', name: 'Eve' },
    });
    const free = await call<SignupRequested>('POST', '/api/auth/signup', { body: { email: fresh, password: 'another-password', name: 'Eve' } });
    expect(taken.status).toBe(202);
    expect(taken.status).toBe(free.status);
    expect(taken.body).toEqual(free.body);
    expect(taken.headers.get('content-type')).toBe(free.headers.get('content-type'));

    // Eve's password does not open the owner's login, and no sign-up link went to the owner.
    expect((await call<AuthResult>('POST', '/api/auth/login', { body: { email: owner.email, password: 'another-password' } })).status).toBe(401);
    expect(await signupLinks()).toBe(linksBefore);
    const [notice] = (await sandboxEmails(env, { to: owner.email })).filter((m) => m.tags.some((t) => t.value === 'signup_existing'));
    expect(notice.subject).toBe('You already have a CRM account');
    expect(notice.text).toContain('No new account was made.');
    expect((await call<AuthResult>('POST', '/api/auth/login', { body: { email: owner.email, password: owner.password } })).status).toBe(200);
  });

  it('answers a weak password and a bad email with field errors', async () => {
    const res = await call<InvalidInput>('POST', '/api/auth/signup', { body: { email: 'not-an-email', password: 'short', name: 'Ada' } });
    expect(res.status).toBe(422);
    expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['email', 'password']);
  });

  it('says the same thing for an unknown email and a wrong password', async () => {
    const tenant = await createTenant();
    const wrong = await call<Problem>('POST', '/api/auth/login', { body: { email: tenant.email, password: 'wrong-password' } });
    const unknown = await call<Problem>('POST', '/api/auth/login', { body: { email: uniqueEmail('nobody'), password: 'wrong-password' } });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body.detail).toBe(unknown.body.detail);
  });

  it('locks an email out after repeated failures, even for the right password', async () => {
    const tenant = await createTenant();
    for (let i = 0; i < MAX_FAILURES_PER_EMAIL_AND_ADDRESS; i++) {
      expect((await call<AuthResult>('POST', '/api/auth/login', { body: { email: tenant.email, password: `guess-${i}-xxxxx` } })).status).toBe(401);
    }
    const locked = await call<AuthResult>('POST', '/api/auth/login', { body: { email: tenant.email, password: tenant.password } });
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});

describe('tokens', () => {
  it('rejects missing, malformed and forged tokens with 401 problems', async () => {
    expect((await call<Page<Contact>>('GET', '/api/contacts')).status).toBe(401);
    expect((await call<Page<Contact>>('GET', '/api/contacts', { token: 'not-a-jwt' })).status).toBe(401);
    const tenant = await createTenant();
    const [header, payload] = tenant.token.split('.');
    const forged = await call<Problem>('GET', '/api/contacts', { token: `${header}.${payload}.AAAA` });
    expect(forged.status).toBe(401);
    expect(forged.body.type).toMatch(/unauthorized/);
  });

  it('rotates refresh tokens: a used refresh token cannot be used again', async () => {
    const tenant = await createTenant();
    const first = await call<AuthResult>('POST', '/api/auth/refresh', { body: { refresh_token: tenant.refreshToken } });
    expect(first.status).toBe(200);
    expect((await call<Me>('GET', '/api/me', { token: first.body.token })).status).toBe(200);
    const replay = await call<AuthResult>('POST', '/api/auth/refresh', { body: { refresh_token: tenant.refreshToken } });
    expect(replay.status).toBe(401);
  });

  it('logout revokes the refresh token', async () => {
    const tenant = await createTenant();
    expect((await call('POST', '/api/auth/logout', { body: { refresh_token: tenant.refreshToken } })).status).toBe(204);
    expect((await call<AuthResult>('POST', '/api/auth/refresh', { body: { refresh_token: tenant.refreshToken } })).status).toBe(401);
  });
});

describe('API keys', () => {
  it('shows a key once, authenticates with it, and stops working when revoked', async () => {
    const tenant = await createTenant();
    const created = await tenant.api<CreatedApiKey>('POST', '/api/api-keys', { name: 'Zapier' });
    expect(created.status).toBe(201);
    const key: string = created.body.key;
    expect(key).toMatch(/^crm_live_/);

    const list = await tenant.api<Page<ApiKey>>('GET', '/api/api-keys');
    expect(JSON.stringify(list.body)).not.toContain(key);
    expect(list.body.data[0]).toMatchObject({ name: 'Zapier', prefix: key.slice(0, 15) });

    const withKey = await call<Contact>('POST', '/api/contacts', { token: key, body: { first_name: 'Via', last_name: 'Key' } });
    expect(withKey.status).toBe(201);

    expect((await tenant.api('DELETE', `/api/api-keys/${created.body.api_key.id}`)).status).toBe(204);
    expect((await call<Page<Contact>>('GET', '/api/contacts', { token: key })).status).toBe(401);
  });
});

describe('secrets stay out of logs', () => {
  it('no log line carries a password, token or API key', async () => {
    const lines: string[] = [];
    const capture = (...args: unknown[]) => void lines.push(args.map(String).join(' '));
    const spies = [
      vi.spyOn(console, 'log').mockImplementation(capture),
      vi.spyOn(console, 'warn').mockImplementation(capture),
      vi.spyOn(console, 'error').mockImplementation(capture),
    ];
    try {
      const tenant = await createTenant();
      await call<AuthResult>('POST', '/api/auth/login', { body: { email: tenant.email, password: 'wrong-password-zz' } });
      const key = (await tenant.api<CreatedApiKey>('POST', '/api/api-keys', { name: 'logged?' })).body.key;
      await call<Page<Contact>>('GET', '/api/contacts', { token: key });
      expect(lines.length).toBeGreaterThan(3);
      const all = lines.join('\n');
      for (const secret of [tenant.password, 'wrong-password-zz', key, tenant.token, tenant.refreshToken]) expect(all).not.toContain(secret);
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
  });
});
