import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../platform/context';
import { assertAccountWritable } from './entitlements';

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Still open to an archived account: paying brings it back, and people must be able to sign in and out. */
const ALWAYS_OPEN = ['/api/billing', '/api/auth', '/api/wallet/payment-method'];

/**
 * An archived account (30 days unpaid) is read-only: every write answers
 * `account_read_only` except billing and auth, so it can still pay.
 * Runs after requireAuth.
 */
export function requireWritableAccount() {
  return createMiddleware<AppEnv>(async function requireWritableAccount(c, next) {
    if (!READS.has(c.req.method) && !ALWAYS_OPEN.some((prefix) => c.req.path === prefix || c.req.path.startsWith(`${prefix}/`))) {
      await assertAccountWritable(c.env.DB, c.var.auth.accountId);
    }
    await next();
  });
}
