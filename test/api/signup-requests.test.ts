import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { forgetSpentSignupRequests, SIGNUP_LINK_TTL_MS, SPENT_SIGNUP_REQUEST_KEPT_MS } from '../../workers/auth/signup';
import { scheduledSweeps } from '../../workers/index';
import { call, confirmSignupByEmail, signupLinkToken, uniqueEmail } from '../factories';

const requestsFor = async (email: string) =>
  (await env.DB.prepare('SELECT COUNT(*) AS n FROM signup_requests WHERE email = ?').bind(email).first<{ n: number }>())?.n ?? 0;

async function signUp(): Promise<string> {
  const email = uniqueEmail('spent');
  expect((await call('POST', '/api/auth/signup', { body: { email, password: 'a-long-password', name: 'Sam Spent' } })).status).toBe(202);
  return email;
}

describe('spent sign-up requests', () => {
  it('are deleted, with their password hash, a day after their link was used or expired; an open one stays', async () => {
    const used = await signUp();
    expect((await confirmSignupByEmail(used)).status).toBe(201);
    const lapsed = await signUp();
    const lapsedToken = await signupLinkToken(lapsed);

    const now = Date.now();
    // A day after use: the used request is kept (a second click is told the account exists), nothing else goes.
    await forgetSpentSignupRequests(env.DB, now + SPENT_SIGNUP_REQUEST_KEPT_MS - 60_000);
    expect(await requestsFor(used)).toBe(1);
    expect(await requestsFor(lapsed)).toBe(1);

    // Past use + a day, and past expiry + a day: both go, and the lapsed link says it is not valid.
    await forgetSpentSignupRequests(env.DB, now + SIGNUP_LINK_TTL_MS + SPENT_SIGNUP_REQUEST_KEPT_MS + 60_000);
    expect(await requestsFor(used)).toBe(0);
    expect(await requestsFor(lapsed)).toBe(0);
    const confirm = await call<{ errors: { field: string }[] }>('POST', '/api/auth/signup/confirm', { body: { token: lapsedToken } });
    expect(confirm.status).toBe(422);
    expect(confirm.body.errors[0]?.field).toBe('token');
    // A request whose link is still open stays.
    const fresh = await signUp();
    await forgetSpentSignupRequests(env.DB, Date.now());
    expect(await requestsFor(fresh)).toBe(1);
  });

  it('are forgotten by the hourly sweep, not every minute', () => {
    const onTheHour = Date.UTC(2026, 11, 8, 3, 0);
    expect(Object.keys(scheduledSweeps(env, onTheHour))).toContain('forget_spent_signups');
    expect(Object.keys(scheduledSweeps(env, onTheHour + 60_000))).not.toContain('forget_spent_signups');
  });
});
