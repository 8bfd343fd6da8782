import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../../platform/context';
import { auditStatement } from './audit.service';

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Records every change agency staff make while impersonating a sub-account
 * (a token whose `act` claim names them), after the handler ran, with the
 * status it answered: refused attempts are on record too. Reads are not
 * logged; opening the account is (at token exchange). Runs after requireAuth.
 */
export function auditImpersonation() {
  return createMiddleware<AppEnv>(async function auditImpersonation(c, next) {
    await next();
    const auth = c.var.auth;
    if (!auth?.actorUserId || !auth.actorAccountId || READS.has(c.req.method)) return;
    const entry = auditStatement(c.env.DB, {
      agencyAccountId: auth.actorAccountId,
      subAccountId: auth.accountId,
      actorUserId: auth.actorUserId,
      action: 'request',
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      requestId: c.var.requestId,
    });
    // Awaited, not waitUntil: an audit row that cannot be written must not be lost silently.
    await entry.run();
  });
}
