import { AppError } from '../platform/errors';
import type { KnownDevice } from './device-token';

/**
 * Login throttling against password guessing, counted before the password is
 * checked: each attempt first reserves its place with one conditional upsert
 * per key in a single D1 batch, and only attempts within every limit go on to
 * the (slow) password check. So any number of parallel guesses get at most
 * the limit checked; the rest answer 429. A correct password gives its
 * reservation back.
 *
 * Keys, in a fixed window:
 * - email + client address (`CF-Connecting-IP`; requests without one, as in
 *   local development, count as one address): the tight limit. A stranger
 *   guessing from their own address locks only themselves out.
 * - email, from anywhere: a looser limit against guessing spread over many
 *   addresses. Counted only while the attempt is within its email + address
 *   limit, so one address cannot use it up alone.
 * - client address, whatever the email: against trying many emails.
 * - a known device (a device token this user got at an earlier sign-in,
 *   device-token.ts): counted on its own key instead of the three above, so
 *   its owner gets in however hard others are failing elsewhere.
 */
export const THROTTLE_WINDOW_MS = 15 * 60 * 1000;
export const MAX_FAILURES_PER_EMAIL_AND_ADDRESS = 5;
export const MAX_FAILURES_PER_EMAIL = 50;
export const MAX_FAILURES_PER_ADDRESS = 100;
export const MAX_FAILURES_PER_DEVICE = 10;
/** The address of requests that carry none (local development, tests). */
const NO_ADDRESS = 'none';

interface ThrottleRow {
  window_started_at: number;
  failures: number;
}

/** The window's upsert of one key: counts this attempt, or starts a new window. `guard` (SQL) must hold for it to count. */
const upsertSql = (guard = '1') =>
  `INSERT INTO login_throttle (key, window_started_at, failures) SELECT ?1, ?2, 1 WHERE ${guard}
   ON CONFLICT (key) DO UPDATE SET
     failures = CASE WHEN ?2 - window_started_at >= ?3 THEN 1 ELSE failures + 1 END,
     window_started_at = CASE WHEN ?2 - window_started_at >= ?3 THEN ?2 ELSE window_started_at END
   RETURNING failures, window_started_at`;

/** A reserved sign-in attempt: give it back with `release` when the password was right. */
export interface LoginAttempt {
  release: () => Promise<void>;
}

const tooMany = (row: ThrottleRow, now: number) => {
  const retryAfter = Math.max(1, Math.ceil((row.window_started_at + THROTTLE_WINDOW_MS - now) / 1000));
  return new AppError('rate_limited', `Too many failed sign-in attempts. Try again in ${Math.ceil(retryAfter / 60)} minutes.`, {
    headers: { 'retry-after': String(retryAfter) },
    extensions: { retry_after_seconds: retryAfter },
  });
};

/**
 * Counts a sign-in attempt before its password is checked, and refuses it
 * (429) when a limit is used up. `device` is the caller's known device when it
 * belongs to the user of this email.
 */
export async function reserveLoginAttempt(
  db: D1Database,
  email: string,
  address: string | undefined,
  device: KnownDevice | null,
  now = Date.now(),
): Promise<LoginAttempt> {
  if (device) {
    const key = `login:device:${device.id}`;
    const row = await db.prepare(upsertSql()).bind(key, now, THROTTLE_WINDOW_MS).first<ThrottleRow>();
    if (row && row.failures > MAX_FAILURES_PER_DEVICE) throw tooMany(row, now);
    return {
      release: () =>
        db
          .prepare('DELETE FROM login_throttle WHERE key = ?')
          .bind(key)
          .run()
          .then(() => undefined),
    };
  }
  const pairKey = `${emailAddressKeyPrefix(email)}${address ?? NO_ADDRESS}`;
  const emailKey = `login:email:${email}`;
  const addressKey = `login:addr:${address ?? NO_ADDRESS}`;
  // The email and address keys count only attempts this pair still allows (?4 is its limit).
  const withinPair = '(SELECT failures FROM login_throttle WHERE key = ?5 AND ?2 - window_started_at < ?3) <= ?4';
  const results = await db.batch<ThrottleRow>([
    db.prepare(upsertSql()).bind(pairKey, now, THROTTLE_WINDOW_MS),
    db.prepare(upsertSql(withinPair)).bind(emailKey, now, THROTTLE_WINDOW_MS, MAX_FAILURES_PER_EMAIL_AND_ADDRESS, pairKey),
    db.prepare(upsertSql(withinPair)).bind(addressKey, now, THROTTLE_WINDOW_MS, MAX_FAILURES_PER_EMAIL_AND_ADDRESS, pairKey),
  ]);
  const [pair, perEmail, perAddress] = results.map((r) => r.results[0] ?? null);
  if (pair && pair.failures > MAX_FAILURES_PER_EMAIL_AND_ADDRESS) throw tooMany(pair, now);
  if (perEmail && perEmail.failures > MAX_FAILURES_PER_EMAIL) throw tooMany(perEmail, now);
  if (perAddress && perAddress.failures > MAX_FAILURES_PER_ADDRESS) throw tooMany(perAddress, now);
  return {
    release: async () => {
      await db.batch([
        db.prepare('DELETE FROM login_throttle WHERE key = ?').bind(pairKey),
        db.prepare('UPDATE login_throttle SET failures = max(failures - 1, 0) WHERE key IN (?, ?)').bind(emailKey, addressKey),
      ]);
    },
  };
}

/** The throttle key of an email from anywhere; it and the email's per-address keys are cleared when its owner proves they hold the email (a password reset). */
export const emailThrottleKey = (email: string) => `login:email:${email}`;
export const emailAddressKeyPrefix = (email: string) => `login:ea:${email}|`;

/** Counts one attempt under `key` in its fixed window, answering the window's count. */
const attemptStatement = (db: D1Database, key: string, windowMs: number, now: number) => db.prepare(upsertSql()).bind(key, now, windowMs);

/**
 * Counts one attempt under `key` (for limits other than sign-in) and answers
 * how many its window holds now, this one included, and when the window ends.
 */
export async function countAttempt(db: D1Database, key: string, windowMs: number, now = Date.now()): Promise<{ count: number; windowEndsAt: number }> {
  const row = await attemptStatement(db, key, windowMs, now).first<ThrottleRow>();
  return { count: row?.failures ?? 1, windowEndsAt: (row?.window_started_at ?? now) + windowMs };
}
