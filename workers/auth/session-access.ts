import type { Role } from '../platform/context';
import { queryFirst } from '../platform/db';

/**
 * What an access token may do is decided on each request from what stands
 * behind it now, not from its claims: its session must be open (not signed
 * out, not revoked by a password reset, a removal or a reuse of its refresh
 * token) and the role is the one its user holds in the account today
 * (their membership, or owner/admin of the agency that owns the account when
 * the session is an agency user's switch into a client account).
 *
 * Every request asks, so answers are cached per isolate for
 * SESSION_ACCESS_CACHE_TTL_MS. A change made through this isolate forgets
 * its answers at once (`forgetSessionAccess`); another isolate may serve the
 * old answer for at most that long.
 */
export const SESSION_ACCESS_CACHE_TTL_MS = 3_000;
/** Bounds the cache; past it the oldest half goes (Map keeps insertion order). */
const MAX_CACHED = 10_000;

export interface SessionAccess {
  /** The role to authorize with, or null when the session no longer grants anything. */
  role: Role | null;
}

const cache = new Map<string, { access: SessionAccess; expiresAt: number }>();

/** Forgets every cached answer in this isolate: call after a sign-out, a removal, a role change or a password change. */
export function forgetSessionAccess(): void {
  cache.clear();
}

interface SessionAccessRow {
  user_id: string;
  account_id: string;
  actor_user_id: string | null;
  expires_at: number;
  revoked_at: number | null;
  member_role: Role | null;
  agency_role: Role | null;
}

/** The session's current grant: the role its user holds in its account now, or null. */
export async function sessionAccess(db: D1Database, session: { id: string; userId: string; accountId: string }, now = Date.now()): Promise<SessionAccess> {
  const cached = cache.get(session.id);
  if (cached && cached.expiresAt > now) return cached.access;
  const row = await queryFirst<SessionAccessRow>(
    db,
    `SELECT s.user_id, s.account_id, s.actor_user_id, s.expires_at, s.revoked_at,
            (SELECT m.role FROM memberships m WHERE m.account_id = s.account_id AND m.user_id = s.user_id) AS member_role,
            (SELECT 'admin' FROM accounts a
               JOIN agencies ag ON ag.id = a.agency_id
               JOIN memberships am ON am.account_id = ag.account_id AND am.user_id = s.user_id
              WHERE a.id = s.account_id AND a.kind = 'sub_account' AND am.role IN ('owner', 'admin')) AS agency_role
       FROM sessions s WHERE s.id = ?`,
    session.id,
  );
  let role: Role | null = null;
  if (row && row.user_id === session.userId && row.account_id === session.accountId && row.revoked_at === null && row.expires_at > now) {
    // A switch into a client account lasts while its user is staff of the agency; a sign-in, while they are a member.
    role = row.actor_user_id !== null ? row.agency_role : row.member_role;
  }
  const access = { role };
  if (cache.size >= MAX_CACHED) {
    let drop = MAX_CACHED / 2;
    for (const key of cache.keys()) {
      if (drop-- <= 0) break;
      cache.delete(key);
    }
  }
  cache.set(session.id, { access, expiresAt: now + SESSION_ACCESS_CACHE_TTL_MS });
  return access;
}
