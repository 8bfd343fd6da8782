import { AppError } from '../platform/errors';
import { queryFirst } from '../platform/db';

/**
 * Login throttling against password guessing: failures are counted per email
 * and per client address in a fixed window; past the limit, logins for that
 * key answer 429 until the window ends, even with the right password.
 */
export const THROTTLE_WINDOW_MS = 15 * 60 * 1000;
export const MAX_FAILURES_PER_EMAIL = 5;
export const MAX_FAILURES_PER_ADDRESS = 50;

interface ThrottleRow {
  window_started_at: number;
  failures: number;
}

function keysFor(email: string, address: string | undefined): Array<{ key: string; max: number }> {
  const keys = [{ key: `email:${email}`, max: MAX_FAILURES_PER_EMAIL }];
  if (address) keys.push({ key: `addr:${address}`, max: MAX_FAILURES_PER_ADDRESS });
  return keys;
}

export async function assertNotThrottled(db: D1Database, email: string, address: string | undefined, now = Date.now()): Promise<void> {
  for (const { key, max } of keysFor(email, address)) {
    const row = await queryFirst<ThrottleRow>(db, 'SELECT window_started_at, failures FROM login_throttle WHERE key = ?', key);
    if (row && now - row.window_started_at < THROTTLE_WINDOW_MS && row.failures >= max) {
      const retryAfter = Math.ceil((row.window_started_at + THROTTLE_WINDOW_MS - now) / 1000);
      throw new AppError('rate_limited', `Too many failed sign-in attempts. Try again in ${Math.ceil(retryAfter / 60)} minutes.`, {
        headers: { 'retry-after': String(retryAfter) },
        extensions: { retry_after_seconds: retryAfter },
      });
    }
  }
}

/** Counts one attempt under `key` in its fixed window, answering the window's count. */
const attemptStatement = (db: D1Database, key: string, windowMs: number, now: number) =>
  db
    .prepare(
      `INSERT INTO login_throttle (key, window_started_at, failures) VALUES (?1, ?2, 1)
       ON CONFLICT (key) DO UPDATE SET
         failures = CASE WHEN ?2 - window_started_at >= ?3 THEN 1 ELSE failures + 1 END,
         window_started_at = CASE WHEN ?2 - window_started_at >= ?3 THEN ?2 ELSE window_started_at END
       RETURNING failures, window_started_at`,
    )
    .bind(key, now, windowMs);

export async function recordFailure(db: D1Database, email: string, address: string | undefined, now = Date.now()): Promise<void> {
  await db.batch(keysFor(email, address).map(({ key }) => attemptStatement(db, key, THROTTLE_WINDOW_MS, now)));
}

export async function clearFailures(db: D1Database, email: string): Promise<void> {
  await db.prepare('DELETE FROM login_throttle WHERE key = ?').bind(`email:${email}`).run();
}

/**
 * Counts one attempt under `key` (for limits other than sign-in) and answers
 * how many its window holds now, this one included, and when the window ends.
 */
export async function countAttempt(db: D1Database, key: string, windowMs: number, now = Date.now()): Promise<{ count: number; windowEndsAt: number }> {
  const row = await attemptStatement(db, key, windowMs, now).first<ThrottleRow>();
  return { count: row?.failures ?? 1, windowEndsAt: (row?.window_started_at ?? now) + windowMs };
}
