import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import type { AppEnv, AuthContext, Role } from '../platform/context';
import { AppError } from '../platform/errors';
import { queryFirst } from '../platform/db';
import { assertNotSuspended } from '../tenancy/suspension';
import { API_KEY_PREFIX, sha256Hex } from './secrets';
import { sessionAccess } from './session-access';
import { verifyAccessToken } from './tokens';

interface ApiKeyRow {
  id: string;
  account_id: string;
  role: 'admin' | 'member';
  last_used_at: number | null;
  /** The creator's role in the key's account now; null once they left it. */
  creator_role: Role | null;
}

/** Refreshing last_used_at on every call would write on every read; once a minute is enough. */
const LAST_USED_GRANULARITY_MS = 60_000;

/**
 * A key acts with its own role while the person who created it could still
 * grant that role: it stops working once they leave the account or are
 * demoted below it (a removed admin's keys die with their membership).
 */
async function authenticateApiKey(c: Context<AppEnv>, key: string): Promise<AuthContext> {
  const row = await queryFirst<ApiKeyRow>(
    c.env.DB,
    `SELECT k.id, k.account_id, k.role, k.last_used_at, m.role AS creator_role
       FROM api_keys k LEFT JOIN memberships m ON m.account_id = k.account_id AND m.user_id = k.created_by_user_id
      WHERE k.key_hash = ? AND k.revoked_at IS NULL`,
    await sha256Hex(key),
  );
  if (!row) throw new AppError('unauthorized', 'The API key is not valid or has been revoked.');
  if (row.creator_role === null || ROLE_RANK[row.creator_role] < ROLE_RANK[row.role]) {
    throw new AppError(
      'unauthorized',
      'The API key no longer works: the person who created it has left the account or no longer holds its role. Create a new key.',
    );
  }
  const now = Date.now();
  if (!row.last_used_at || now - row.last_used_at > LAST_USED_GRANULARITY_MS) {
    c.executionCtx.waitUntil(c.env.DB.prepare('UPDATE api_keys SET last_used_at = ? WHERE id = ?').bind(now, row.id).run());
  }
  return { accountId: row.account_id, userId: null, role: row.role, actorUserId: null, actorAccountId: null, via: 'api_key', sessionId: null };
}

/**
 * Requires a bearer credential (access token or API key) and sets `c.var.auth`,
 * the one place a request's tenant comes from.
 */
export function requireAuth() {
  return createMiddleware<AppEnv>(async function requireAuth(c, next) {
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) {
      throw new AppError('unauthorized', 'Send an access token or API key as "Authorization: Bearer <token>".', {
        headers: { 'www-authenticate': 'Bearer' },
      });
    }
    const credential = match[1];
    if (credential.startsWith(API_KEY_PREFIX)) {
      c.set('auth', await authenticateApiKey(c, credential));
    } else {
      const claims = await verifyAccessToken(c.env.JWT_SECRET, credential);
      // The role is today's, not the token's: a demotion, removal or sign-out takes effect at once.
      const { role } = await sessionAccess(c.env.DB, { id: claims.sid, userId: claims.sub, accountId: claims.acc });
      if (!role) {
        // Suspension revokes the account's sessions; say why rather than only that the session ended.
        if (!claims.act) await assertNotSuspended(c.env.DB, claims.acc);
        throw new AppError('unauthorized', 'This session has ended (signed out, password changed, or access removed); sign in again.');
      }
      c.set('auth', {
        accountId: claims.acc,
        userId: claims.sub,
        role,
        actorUserId: claims.act?.sub ?? null,
        actorAccountId: claims.act?.acc ?? null,
        via: 'session',
        sessionId: claims.sid,
      });
    }
    c.set('log', c.var.log.child({ account_id: c.var.auth.accountId }));
    // A suspended client account is closed to its own users and keys; its agency's staff may still enter.
    if (!c.var.auth.actorUserId) await assertNotSuspended(c.env.DB, c.var.auth.accountId);
    await next();
  });
}

const ROLE_RANK: Record<Role, number> = { member: 1, admin: 2, owner: 3 };

export function hasRole(auth: AuthContext, minimum: Role): boolean {
  return ROLE_RANK[auth.role] >= ROLE_RANK[minimum];
}

/** Refuses callers below `minimum` role in the current account. */
export function assertRole(auth: AuthContext, minimum: Role, action: string): void {
  if (!hasRole(auth, minimum)) {
    throw new AppError('forbidden', `Only an account ${minimum} or above can ${action}.`);
  }
}

/** Routes that act as a person (not an integration) refuse API keys. */
export function assertUser(auth: AuthContext): string {
  if (!auth.userId) throw new AppError('forbidden', 'This action needs a signed-in user, not an API key.');
  return auth.userId;
}
