import { describe, expect, it } from 'vitest';
import { MAX_FAILURES_PER_EMAIL, MAX_FAILURES_PER_EMAIL_AND_ADDRESS } from '../../workers/auth/throttle';
import { call, createTenant } from '../factories';
import type { AuthResult } from '../api-types';

const login = (email: string, password: string, headers: Record<string, string> = {}) =>
  call<AuthResult>('POST', '/api/auth/login', { body: { email, password }, headers });
const from = (address: string) => ({ 'cf-connecting-ip': address });

describe('login throttle', () => {
  it('40 parallel wrong passwords for one email get at most the limit checked; the rest are refused unchecked', async () => {
    const owner = await createTenant();
    const replies = await Promise.all(Array.from({ length: 40 }, (_, i) => login(owner.email, `wrong-guess-${i}`, from('203.0.113.7'))));
    const checked = replies.filter((r) => r.status === 401).length;
    const refused = replies.filter((r) => r.status === 429).length;
    expect(checked).toBeLessThanOrEqual(MAX_FAILURES_PER_EMAIL_AND_ADDRESS);
    expect(checked + refused).toBe(40);
    // The right password from that address waits out the window too.
    expect((await login(owner.email, owner.password, from('203.0.113.7'))).status).toBe(429);
  });

  it('a stranger failing from their address locks only themselves out; the owner signs in from theirs', async () => {
    const owner = await createTenant();
    for (let i = 0; i < MAX_FAILURES_PER_EMAIL_AND_ADDRESS; i++) expect((await login(owner.email, `guess-${i}-xxxx`, from('198.51.100.66'))).status).toBe(401);
    expect((await login(owner.email, owner.password, from('198.51.100.66'))).status).toBe(429);

    expect((await login(owner.email, owner.password, from('192.0.2.10'))).status).toBe(200);
  });

  it('guessing spread over many addresses locks the email for new devices, but not for a device its owner signed in from', async () => {
    const owner = await createTenant();
    const known = await login(owner.email, owner.password, from('192.0.2.20'));
    expect(known.status).toBe(200);
    const deviceToken = known.headers.get('x-device-token');
    expect(deviceToken).toMatch(/^dv1\./);
    expect(known.headers.get('set-cookie')).toMatch(/^crm_device=.*HttpOnly; SameSite=Strict/);

    // A botnet: each address stays within its own limit, together they use up the email's.
    const addresses = Math.ceil(MAX_FAILURES_PER_EMAIL / MAX_FAILURES_PER_EMAIL_AND_ADDRESS) + 1;
    for (let a = 0; a < addresses; a++) {
      await Promise.all(Array.from({ length: MAX_FAILURES_PER_EMAIL_AND_ADDRESS }, (_, i) => login(owner.email, `bot-${a}-${i}-xx`, from(`198.18.${a}.1`))));
    }
    expect((await login(owner.email, owner.password, from('192.0.2.99'))).status).toBe(429);

    // The owner's device (header for API clients, cookie for browsers) still gets in, from any address.
    expect((await login(owner.email, owner.password, { ...from('192.0.2.99'), 'x-device-token': deviceToken as string })).status).toBe(200);
    expect(
      (await login(owner.email, owner.password, { ...from('192.0.2.20'), cookie: `crm_device=${encodeURIComponent(deviceToken as string)}` })).status,
    ).toBe(200);
    // A forged or foreign device token is no device.
    expect((await login(owner.email, owner.password, { ...from('192.0.2.99'), 'x-device-token': `${deviceToken}x` })).status).toBe(429);
    const stranger = await createTenant();
    const strangerDevice = (await login(stranger.email, stranger.password, from('198.18.0.1'))).headers.get('x-device-token') as string;
    expect((await login(owner.email, 'bot-guess-with-device', { ...from('198.18.0.1'), 'x-device-token': strangerDevice })).status).toBe(429);
  });

  it('local development (no client address) is one address: the right password from a known device passes after others failed there', async () => {
    const owner = await createTenant();
    const known = await login(owner.email, owner.password);
    for (let i = 0; i < MAX_FAILURES_PER_EMAIL_AND_ADDRESS; i++) expect((await login(owner.email, `typo-${i}-xxxx`)).status).toBe(401);
    expect((await login(owner.email, owner.password)).status).toBe(429);
    expect((await login(owner.email, owner.password, { 'x-device-token': known.headers.get('x-device-token') as string })).status).toBe(200);
  });

  it('a correct password gives its attempt back: the owner signing in often is never throttled', async () => {
    const owner = await createTenant();
    for (let i = 0; i < MAX_FAILURES_PER_EMAIL_AND_ADDRESS + 3; i++) expect((await login(owner.email, owner.password, from('192.0.2.30'))).status).toBe(200);
  });
});
