import { queryFirst } from '../platform/db';
import { AppError } from '../platform/errors';

/**
 * Suspension of a sub-account by its agency: its own users are refused at
 * sign-in, refresh and on every API call (within SUSPENSION_CACHE_TTL_MS of
 * the change in other isolates; at once in this one); agency staff can still
 * enter it. Answers are cached per isolate because every request asks.
 */
export const SUSPENSION_CACHE_TTL_MS = 10_000;
const cache = new Map<string, { suspended: boolean; expiresAt: number }>();

export function forgetSuspension(accountId: string): void {
  cache.delete(accountId);
}

export async function isSuspended(db: D1Database, accountId: string, now = Date.now()): Promise<boolean> {
  const cached = cache.get(accountId);
  if (cached && cached.expiresAt > now) return cached.suspended;
  const row = await queryFirst<{ suspended_at: number | null }>(db, 'SELECT suspended_at FROM accounts WHERE id = ?', accountId);
  const suspended = row?.suspended_at !== null && row?.suspended_at !== undefined;
  cache.set(accountId, { suspended, expiresAt: now + SUSPENSION_CACHE_TTL_MS });
  return suspended;
}

export async function assertNotSuspended(db: D1Database, accountId: string): Promise<void> {
  if (await isSuspended(db, accountId)) {
    throw new AppError(
      'account_suspended',
      'This account has been suspended by the agency that manages it. Contact your agency to have it reactivated; nothing has been deleted.',
    );
  }
}
