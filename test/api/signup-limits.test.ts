import { describe, expect, it } from 'vitest';
import { MAX_SIGNUPS_PER_ADDRESS } from '../../workers/auth/signup';
import { call, uniqueEmail } from '../factories';
import type { RateLimited, SignupRequested } from '../api-types';

const signUpFrom = <T = SignupRequested>(address: string) =>
  call<T>('POST', '/api/auth/signup', {
    body: { email: uniqueEmail('limit'), password: 'a-long-password', name: 'Lim' },
    headers: { 'cf-connecting-ip': address },
  });

describe('sign-ups per client address', () => {
  it(`refuses the sign-up after ${MAX_SIGNUPS_PER_ADDRESS} in an hour from one public address, with when to retry`, async () => {
    for (let i = 0; i < MAX_SIGNUPS_PER_ADDRESS; i++) expect((await signUpFrom('203.0.113.40')).status).toBe(202);
    const refused = await signUpFrom<RateLimited>('203.0.113.40');
    expect(refused.status).toBe(429);
    expect(refused.body.retry_after_seconds).toBeGreaterThan(0);
    // Another address is not affected.
    expect((await signUpFrom('203.0.113.41')).status).toBe(202);
  });

  it('does not count the loopback address of local development, which the browser, the demo seed and every script share', async () => {
    for (let i = 0; i <= MAX_SIGNUPS_PER_ADDRESS + 2; i++) expect((await signUpFrom('127.0.0.1')).status).toBe(202);
    expect((await signUpFrom('::1')).status).toBe(202);
  });
});
