import { describe, expect, it } from 'vitest';
import { displayUsd, formatUsd, parseUsd } from '../../workers/platform/money';
import { createId } from '../../workers/platform/ids';
import { decodeCursor, encodeCursor } from '../../workers/platform/pagination';
import { redact } from '../../workers/platform/logger';
import { phoneSearchPrefixes, toE164 } from '../../workers/crm/contacts/phone';
import { prefixUpperBound } from '../../workers/crm/contacts/contacts.query';
import { hashPassword, verifyPassword } from '../../workers/auth/password';

describe('money', () => {
  it('parses decimal USD into integer micros without floating point', () => {
    expect(parseUsd('0.0079')).toBe(7_900);
    expect(parseUsd('12')).toBe(12_000_000);
    expect(parseUsd('0.1') + parseUsd('0.2')).toBe(parseUsd('0.3'));
    expect(parseUsd('-5.5')).toBe(-5_500_000);
    expect(() => parseUsd('1.0000001')).toThrow();
    expect(() => parseUsd('1e3')).toThrow();
  });

  it('formats micros with at least four decimals and never drops precision', () => {
    expect(formatUsd(12_000_000)).toBe('12.0000');
    expect(formatUsd(11_850)).toBe('0.01185');
    expect(formatUsd(-1)).toBe('-0.000001');
    expect(() => formatUsd(0.5)).toThrow();
  });

  it('reads naturally in sentences, keeping sub-cent digits', () => {
    expect(displayUsd(5_000_000)).toBe('$5.00');
    expect(displayUsd(10_000_000_000)).toBe('$10,000.00');
    expect(displayUsd(11_850)).toBe('$0.01185');
    expect(displayUsd(-1_250_500_000)).toBe('-$1,250.50');
    expect(displayUsd(0)).toBe('$0.00');
  });
});

describe('ids', () => {
  it('are prefixed and sort by creation time', () => {
    const ids = Array.from({ length: 50 }, () => createId('contact'));
    expect(ids.every((id) => /^ctc_[0-9A-Z]{26}$/.test(id))).toBe(true);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(50);
    expect(createId('account', 1_000) < createId('account', 2_000)).toBe(true);
  });
});

describe('cursors', () => {
  it('round-trip and reject anything else', () => {
    const cursor = { v: 'smith john', id: 'ctc_1' };
    expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
    expect(() => decodeCursor('garbage')).toThrow(/cursor/);
    expect(() => decodeCursor(btoa(JSON.stringify({ v: {}, id: 1 })))).toThrow(/cursor/);
  });
});

describe('phones', () => {
  it('normalize to E.164, reading bare numbers as US', () => {
    expect(toE164('(415) 555-2671')).toBe('+14155552671');
    expect(toE164('+44 20 7946 0958')).toBe('+442079460958');
    expect(toE164('12')).toBeNull();
    expect(toE164('hello')).toBeNull();
  });

  it('turn search input into E.164 prefixes', () => {
    expect(phoneSearchPrefixes('415 55')).toEqual(['+141555', '+41555']);
    expect(phoneSearchPrefixes('+44 20')).toEqual(['+4420']);
    expect(phoneSearchPrefixes('41')).toEqual([]);
  });

  it('prefix ranges cover exactly the strings with that prefix', () => {
    const upper = prefixUpperBound('jo');
    expect('jo' < upper && 'joz' < upper && 'jo\uffff' < upper).toBe(true);
    expect('jp' < upper).toBe(false);
  });
});

describe('passwords and logs', () => {
  it('hashes with a fresh salt and verifies only the right password', async () => {
    const [a, b] = [await hashPassword('s3cret-password'), await hashPassword('s3cret-password')];
    expect(a).not.toBe(b);
    expect(a).toMatch(/^pbkdf2_sha256\$100000\$/);
    expect(await verifyPassword('s3cret-password', a)).toBe(true);
    expect(await verifyPassword('s3cret-passwore', a)).toBe(false);
  });

  it('redacts credential-looking fields from log lines', () => {
    expect(redact({ email: 'a@b.c', password: 'x', nested: { api_key: 'k', refresh_token: 't' }, authorization: 'Bearer x' })).toEqual({
      email: 'a@b.c',
      password: '[redacted]',
      nested: { api_key: '[redacted]', refresh_token: '[redacted]' },
      authorization: '[redacted]',
    });
  });
});
