import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { emailResetLink, MAX_RESET_EMAILS_PER_EMAIL, MAX_RESET_REQUESTS_PER_ADDRESS } from '../../workers/auth/password-reset';
import type { SandboxEmail } from '../../workers/sandbox/resend/resend.do';
import { sandboxEmails } from '../../workers/sandbox/resend/resend.controls';
import { brandedAgencyWithClient, call, createTenant, uniqueEmail } from '../factories';
import type { AuthResult, InvalidInput, PasswordResetDone, PasswordResetRequested, TeamMember } from '../api-types';

const ask = (email: string, address = `198.51.100.${Math.floor(Math.random() * 250)}`) =>
  call<PasswordResetRequested>('POST', '/api/auth/password-reset', { body: { email }, headers: { 'cf-connecting-ip': address } });

/** The reset emails (or others, by tag) of one address, once `count` have arrived (they are sent after the answer). */
async function resetEmails(to: string, count = 1, tag = 'password_reset'): Promise<SandboxEmail[]> {
  for (let i = 0; i < 100; i++) {
    const mails = (await sandboxEmails(env, { to })).filter((m) => m.tags.some((t) => t.value === tag));
    if (mails.length >= count) return mails;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`expected ${count} ${tag} email(s) to ${to}`);
}

const tokenOf = (mail: SandboxEmail) => {
  const match = /\/reset-password#token=([\w-]+)/.exec(mail.text ?? '');
  if (!match) throw new Error('no reset link in the email');
  return match[1];
};

const confirm = <T = PasswordResetDone>(token: string, password: string) => call<T>('POST', '/api/auth/password-reset/confirm', { body: { token, password } });

describe('forgot password', () => {
  it('emails a one-time link; the new password signs in, the old one and every open session stop working', async () => {
    const tenant = await createTenant();
    const other = await call<AuthResult>('POST', '/api/auth/login', { body: { email: tenant.email, password: tenant.password } });

    const asked = await ask(tenant.email.toUpperCase());
    expect(asked.status).toBe(202);
    const [mail] = await resetEmails(tenant.email);
    expect(mail).toMatchObject({ from: '"CRM" <notifications@mail.edge-crm.dev>', to: [tenant.email], subject: 'Reset your CRM password' });
    expect(mail.text).toContain('Choose a new password: http://localhost:8787/reset-password#token=');
    expect(mail.text).toContain('works once, for the next hour');
    const token = tokenOf(mail);
    // Only the token's hash is kept.
    expect(JSON.stringify(await env.DB.prepare('SELECT * FROM password_resets').all())).not.toContain(token);

    const done = await confirm(token, 'a-brand-new-password');
    expect(done.status).toBe(200);
    expect(done.body).toEqual({ email: tenant.email });

    expect((await call<AuthResult>('POST', '/api/auth/login', { body: { email: tenant.email, password: tenant.password } })).status).toBe(401);
    expect((await call<AuthResult>('POST', '/api/auth/login', { body: { email: tenant.email, password: 'a-brand-new-password' } })).status).toBe(200);
    for (const refreshToken of [tenant.refreshToken, other.body.refresh_token]) {
      expect((await call<AuthResult>('POST', '/api/auth/refresh', { body: { refresh_token: refreshToken } })).status).toBe(401);
    }
    // The user is told, in case it was not them.
    const [changed] = await resetEmails(tenant.email, 1, 'password_changed');
    expect(changed.subject).toBe('Your CRM password was changed');
    expect(changed.text).toContain('If it was not, reset your password now.');
    expect(changed.text).toContain(`Reset your password: http://localhost:8787/forgot-password?email=${encodeURIComponent(tenant.email)}`);

    // The link works once.
    const again = await confirm<InvalidInput>(token, 'yet-another-password');
    expect(again.status).toBe(422);
    expect(again.body.errors).toEqual([{ field: 'token', message: expect.stringContaining('already used') }]);
    expect((await call<AuthResult>('POST', '/api/auth/login', { body: { email: tenant.email, password: 'a-brand-new-password' } })).status).toBe(200);
  });

  it('answers an unknown email exactly like a known one, and sends it nothing', async () => {
    const tenant = await createTenant();
    const nobody = uniqueEmail('nobody');
    const known = await ask(tenant.email);
    const unknown = await ask(nobody);
    expect(unknown.status).toBe(known.status);
    expect(unknown.body).toEqual(known.body);
    expect(await emailResetLink(env, uniqueEmail('nobody-else'))).toBe('no_user');
    await resetEmails(tenant.email);
    expect(await sandboxEmails(env, { to: nobody })).toEqual([]);
  });

  it('refuses a bad, expired or missing token and a weak password with field errors, changing nothing', async () => {
    const tenant = await createTenant();
    await ask(tenant.email);
    const token = tokenOf((await resetEmails(tenant.email))[0]);

    const weak = await confirm<InvalidInput>(token, 'short');
    expect(weak.status).toBe(422);
    expect(weak.body.errors.map((e: { field: string }) => e.field)).toEqual(['password']);
    const wrong = await confirm<InvalidInput>(`${token}x`, 'a-brand-new-password');
    expect(wrong.body.errors).toEqual([{ field: 'token', message: 'This reset link is not valid. Ask for a new one.' }]);
    expect((await call<InvalidInput>('POST', '/api/auth/password-reset/confirm', { body: { password: 'a-brand-new-password' } })).body.errors[0].field).toBe(
      'token',
    );
    expect((await call<PasswordResetRequested>('POST', '/api/auth/password-reset', { body: { email: 'not-an-email' } })).status).toBe(422);
    expect((await call<PasswordResetRequested>('POST', '/api/auth/password-reset', { body: { email: tenant.email, admin: true } })).status).toBe(422);

    await env.DB.prepare('UPDATE password_resets SET expires_at = ? WHERE user_id = ?')
      .bind(Date.now() - 1, tenant.userId)
      .run();
    const expired = await confirm<InvalidInput>(token, 'a-brand-new-password');
    expect(expired.status).toBe(422);
    expect(expired.body.errors[0].message).toContain('expired');
    // Nothing changed: the old password and session still work.
    expect((await call<AuthResult>('POST', '/api/auth/login', { body: { email: tenant.email, password: tenant.password } })).status).toBe(200);
    expect((await call<AuthResult>('POST', '/api/auth/refresh', { body: { refresh_token: tenant.refreshToken } })).status).toBe(200);
  });

  it("using one link closes the user's other links, and two requests racing with the same link change the password once", async () => {
    const tenant = await createTenant();
    await ask(tenant.email);
    await resetEmails(tenant.email, 1);
    await ask(tenant.email);
    const [second, first] = await resetEmails(tenant.email, 2);
    const results = await Promise.all([confirm(tokenOf(first), 'racing-password-one'), confirm(tokenOf(first), 'racing-password-two')]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 422]);
    const winner = results[0].status === 200 ? 'racing-password-one' : 'racing-password-two';
    expect((await call<AuthResult>('POST', '/api/auth/login', { body: { email: tenant.email, password: winner } })).status).toBe(200);
    expect((await confirm<InvalidInput>(tokenOf(second), 'a-later-password')).body.errors[0].message).toContain('already used');
  });

  it("a client of an agency gets the link in the agency's brand; a locked-out user can sign in after resetting", async () => {
    const { agency, client } = await brandedAgencyWithClient();
    const dentist = uniqueEmail('dentist');
    expect(
      (
        await agency.api<TeamMember>('POST', `/api/agency/sub-accounts/${client.id}/users`, {
          email: dentist,
          name: 'Dana',
          role: 'owner',
          password: 'dentist-password-1',
        })
      ).status,
    ).toBe(201);
    // Dana forgot it and is locked out by failed sign-ins.
    for (let i = 0; i < 6; i++) await call<AuthResult>('POST', '/api/auth/login', { body: { email: dentist, password: 'is-it-this-one' } });
    expect((await call<AuthResult>('POST', '/api/auth/login', { body: { email: dentist, password: 'dentist-password-1' } })).status).toBe(429);

    await ask(dentist);
    const [mail] = await resetEmails(dentist);
    expect(mail).toMatchObject({
      from: '"Bright CRM" <notifications@mail.edge-crm.dev>',
      subject: 'Reset your Bright CRM password',
      reply_to: ['help@brightagency.com'],
    });
    expect(mail.html?.toLowerCase()).toContain('border-top:4px solid #0f766e');
    expect(mail.text).toContain('Hi Dana,');
    expect((await confirm(tokenOf(mail), 'dentist-password-2')).status).toBe(200);
    const login = await call<AuthResult>('POST', '/api/auth/login', { body: { email: dentist, password: 'dentist-password-2' } });
    expect(login.status).toBe(200);
    expect(login.body.account.id).toBe(client.id);
  });

  it('sends at most a few links per email per hour, and an address asking too often gets 429', async () => {
    const tenant = await createTenant();
    const address = '203.0.113.77';
    for (let i = 0; i < MAX_RESET_EMAILS_PER_EMAIL + 2; i++) expect((await ask(tenant.email, address)).status).toBe(202);
    await resetEmails(tenant.email, MAX_RESET_EMAILS_PER_EMAIL);
    expect(await emailResetLink(env, tenant.email)).toBe('throttled');
    expect((await resetEmails(tenant.email, MAX_RESET_EMAILS_PER_EMAIL)).length).toBe(MAX_RESET_EMAILS_PER_EMAIL);

    for (let i = MAX_RESET_EMAILS_PER_EMAIL + 2; i < MAX_RESET_REQUESTS_PER_ADDRESS; i++) expect((await ask(uniqueEmail('spray'), address)).status).toBe(202);
    const limited = await ask(uniqueEmail('spray'), address);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('content-type')).toContain('application/problem+json');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another address is not held back.
    expect((await ask(uniqueEmail('elsewhere'), '203.0.113.78')).status).toBe(202);
  });
});
