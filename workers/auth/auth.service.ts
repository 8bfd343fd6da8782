import type { Role } from '../platform/context';
import { AppError } from '../platform/errors';
import { createId } from '../platform/ids';
import { queryFirst, statement, transaction } from '../platform/db';
import { accountKindRank, getAccountOrThrow, resolveAccountAccess, type AccountRow } from '../tenancy/tenancy.service';
import { DECOY_PASSWORD_HASH, verifyPassword } from './password';
import { randomToken, sha256Hex } from './secrets';
import { reserveLoginAttempt } from './throttle';
import { issueDeviceToken, readDeviceToken } from './device-token';
import { assertNotSuspended } from '../tenancy/suspension';
import { forgetSessionAccess } from './session-access';
import { clientSignupOpen, closedSignupError } from '../agency/client-signup/client-signup.service';
import { ACCESS_TOKEN_TTL_SECONDS, IMPERSONATION_SESSION_TTL_SECONDS, REFRESH_TOKEN_TTL_SECONDS, signAccessToken } from './tokens';

export interface UserRow {
  id: string;
  email: string;
  name: string;
  password_hash: string;
  created_at: number;
  updated_at: number;
}

export interface AuthResult {
  token: string;
  refresh_token: string;
  expires_in: number;
  user: { id: string; email: string; name: string };
  account: { id: string; name: string; kind: AccountRow['kind']; status: AccountRow['status'] };
}

interface SessionGrant {
  user: Pick<UserRow, 'id' | 'email' | 'name'>;
  account: AccountRow;
  role: Role;
  /** The agency account the user acts from, when entering a sub-account through its agency. */
  actingFromAccountId: string | null;
}

/**
 * Creates a refresh session and signs an access token bound to it. A session
 * rotated from another joins that one's family (`familyId`); a new sign-in
 * starts a family of its own.
 */
async function openSession(env: Env, grant: SessionGrant, options: { expiresAt?: number; familyId?: string } = {}): Promise<AuthResult> {
  const refreshToken = randomToken();
  const sessionId = createId('session');
  const now = Date.now();
  const actorUserId = grant.actingFromAccountId ? grant.user.id : null;
  const expiresAt = options.expiresAt ?? now + (grant.actingFromAccountId ? IMPERSONATION_SESSION_TTL_SECONDS : REFRESH_TOKEN_TTL_SECONDS) * 1000;
  await env.DB.prepare(
    `INSERT INTO sessions (id, family_id, account_id, user_id, actor_user_id, token_hash, expires_at, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  )
    .bind(sessionId, options.familyId ?? sessionId, grant.account.id, grant.user.id, actorUserId, await sha256Hex(refreshToken), expiresAt, now)
    .run();
  const token = await signAccessToken(env.JWT_SECRET, {
    sub: grant.user.id,
    acc: grant.account.id,
    role: grant.role,
    sid: sessionId,
    ...(grant.actingFromAccountId ? { act: { sub: grant.user.id, acc: grant.actingFromAccountId } } : {}),
  });
  return {
    token,
    refresh_token: refreshToken,
    expires_in: ACCESS_TOKEN_TTL_SECONDS,
    user: { id: grant.user.id, email: grant.user.email, name: grant.user.name },
    account: { id: grant.account.id, name: grant.account.name, kind: grant.account.kind, status: grant.account.status },
  };
}

/**
 * Checks where a sign-up may happen: on the platform's address a business or
 * an agency; on an agency's domain (`agencyId`) a client sub-account of that
 * agency, when the agency takes client sign-ups there, and refused otherwise.
 */
export async function assertSignupAllowed(env: Env, input: { agency?: boolean }, agencyId: string | null): Promise<void> {
  if (agencyId === null) return;
  if (!(await clientSignupOpen(env.DB, agencyId))) throw await closedSignupError(env, agencyId);
  if (input.agency) {
    throw new AppError('validation_failed', "Agency accounts are created on the platform's own address, not on an agency's domain.", {
      errors: [{ field: 'agency', message: 'Not available here.' }],
    });
  }
}

export interface ConfirmedSignup {
  email: string;
  name: string;
  account_name: string | null;
  agency: boolean;
  agency_id: string | null;
  password_hash: string;
}

/**
 * Creates the account of a confirmed sign-up, its owner and a first session,
 * in one transaction (signup.ts: the email was confirmed first). The
 * statements in `alongside` commit with it (marking the request used).
 */
export async function createAccountWithOwner(env: Env, input: ConfirmedSignup, alongside: D1PreparedStatement[] = []): Promise<AuthResult> {
  const now = Date.now();
  const agencyId = input.agency_id;
  const kind = agencyId !== null ? 'sub_account' : input.agency ? 'agency' : 'business';
  const account: AccountRow = {
    id: createId('account'),
    name: input.account_name ?? `${input.name}'s ${input.agency ? 'agency' : 'business'}`,
    kind,
    status: 'active',
    agency_id: agencyId,
    timezone: 'UTC',
    created_at: now,
    updated_at: now,
  };
  const user = { id: createId('user'), email: input.email, name: input.name };
  const statements = [
    ...alongside,
    statement(
      env.DB,
      'INSERT INTO accounts (id, name, kind, status, agency_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      account.id,
      account.name,
      kind,
      'active',
      agencyId,
      now,
      now,
    ),
    statement(
      env.DB,
      'INSERT INTO users (id, email, name, password_hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)',
      user.id,
      user.email,
      user.name,
      input.password_hash,
      now,
      now,
    ),
    statement(
      env.DB,
      'INSERT INTO memberships (id, account_id, user_id, role, created_at) VALUES (?, ?, ?, ?, ?)',
      createId('membership'),
      account.id,
      user.id,
      'owner',
      now,
    ),
  ];
  if (kind === 'agency') {
    statements.push(
      statement(env.DB, 'INSERT INTO agencies (id, account_id, name, created_at) VALUES (?, ?, ?, ?)', createId('agency'), account.id, account.name, now),
    );
  }
  if (kind === 'sub_account') {
    statements.push(
      statement(
        env.DB,
        'INSERT INTO sub_accounts (id, agency_id, account_id, name, created_at) VALUES (?, ?, ?, ?, ?)',
        createId('subAccount'),
        agencyId,
        account.id,
        account.name,
        now,
      ),
    );
  }
  await transaction(env.DB, statements);
  return openSession(env, { user, account, role: 'owner', actingFromAccountId: null });
}

const INVALID_LOGIN = 'The email or password is incorrect.';

/** The account a user signs into when they name none: an open agency first, then a business, then a client account. */
export async function homeMembership(db: D1Database, userId: string): Promise<{ account_id: string; role: Role } | null> {
  return queryFirst<{ account_id: string; role: Role }>(
    db,
    `SELECT m.account_id, m.role FROM memberships m JOIN accounts a ON a.id = m.account_id
      WHERE m.user_id = ? ORDER BY a.suspended_at IS NOT NULL, ${accountKindRank('a.kind')}, m.created_at LIMIT 1`,
    userId,
  );
}

export interface LoginRequest {
  /** CF-Connecting-IP, when the request has one. */
  clientAddress?: string;
  /** The device token the caller sent (cookie or header), if any. */
  deviceToken?: string | null;
}

/**
 * Signs a user in with their password. The attempt is counted before the
 * password is checked (throttle.ts); a caller on a device this user signed in
 * from before is counted apart from everyone else. Answers the session and
 * a fresh device token for the caller to keep.
 */
export async function login(
  env: Env,
  input: { email: string; password: string; account_id?: string },
  request: LoginRequest = {},
): Promise<{ result: AuthResult; deviceToken: string }> {
  const user = await queryFirst<UserRow>(env.DB, 'SELECT * FROM users WHERE email = ?', input.email);
  const device = await readDeviceToken(env.JWT_SECRET, request.deviceToken);
  const attempt = await reserveLoginAttempt(env.DB, input.email, request.clientAddress, device && user && device.userId === user.id ? device : null);
  const ok = await verifyPassword(input.password, user?.password_hash ?? DECOY_PASSWORD_HASH);
  if (!user || !ok) throw new AppError('invalid_credentials', INVALID_LOGIN);
  await attempt.release();
  const membership = input.account_id
    ? await queryFirst<{ account_id: string; role: Role }>(
        env.DB,
        'SELECT account_id, role FROM memberships WHERE user_id = ? AND account_id = ?',
        user.id,
        input.account_id,
      )
    : await homeMembership(env.DB, user.id);
  if (!membership) {
    throw new AppError('invalid_credentials', input.account_id ? 'You are not a member of that account.' : 'This user belongs to no account.');
  }
  const account = await getAccountOrThrow(env.DB, membership.account_id);
  await assertNotSuspended(env.DB, account.id);
  const result = await openSession(env, { user, account, role: membership.role, actingFromAccountId: null });
  return { result, deviceToken: await issueDeviceToken(env.JWT_SECRET, user.id) };
}

interface SessionRow {
  id: string;
  family_id: string | null;
  account_id: string;
  user_id: string;
  actor_user_id: string | null;
  expires_at: number;
  rotated_at: number | null;
  revoked_at: number | null;
}

/** Ends every session of a sign-in (all rotated from the same first one), access tokens included. */
async function revokeFamily(env: Env, familyId: string, now = Date.now()): Promise<void> {
  await env.DB.prepare('UPDATE sessions SET revoked_at = ? WHERE family_id = ? AND revoked_at IS NULL').bind(now, familyId).run();
  forgetSessionAccess();
}

/**
 * Rotates a refresh token: the old one is marked used and a new session of
 * the same family opened, after re-checking that the user may still enter
 * the account. A refresh token used a second time was copied (or raced by a
 * thief): the whole family is revoked, the successor already issued included.
 */
export async function refresh(env: Env, refreshToken: string): Promise<AuthResult> {
  const now = Date.now();
  const session = await queryFirst<SessionRow>(env.DB, 'SELECT * FROM sessions WHERE token_hash = ?', await sha256Hex(refreshToken));
  if (!session || session.revoked_at !== null || session.expires_at <= now) {
    throw new AppError('unauthorized', 'The refresh token is not valid; sign in again.');
  }
  const familyId = session.family_id ?? session.id;
  const reused = () => new AppError('unauthorized', 'The refresh token was already used; for safety this sign-in has ended everywhere. Sign in again.');
  if (session.rotated_at !== null) {
    await revokeFamily(env, familyId, now);
    throw reused();
  }
  const rotated = await env.DB.prepare('UPDATE sessions SET rotated_at = ? WHERE id = ? AND rotated_at IS NULL AND revoked_at IS NULL')
    .bind(now, session.id)
    .run();
  if (rotated.meta.changes !== 1) {
    await revokeFamily(env, familyId, now);
    throw reused();
  }
  const access = await resolveAccountAccess(env.DB, session.user_id, session.account_id);
  if (!access) throw new AppError('unauthorized', 'You no longer have access to this account; sign in again.');
  const user = await queryFirst<UserRow>(env.DB, 'SELECT * FROM users WHERE id = ?', session.user_id);
  if (!user) throw new AppError('unauthorized', 'The user no longer exists.');
  const account = await getAccountOrThrow(env.DB, session.account_id);
  const actingFromAccountId = access.viaAgency?.agencyAccountId ?? null;
  // A refresh does not turn one kind of session into the other (a member removed from a client account does not come back in as agency staff).
  if ((actingFromAccountId !== null) !== (session.actor_user_id !== null))
    throw new AppError('unauthorized', 'You no longer have access to this account; sign in again.');
  if (!actingFromAccountId) await assertNotSuspended(env.DB, account.id);
  // An impersonation ends when its first session would have: refreshing does not extend it.
  return openSession(
    env,
    { user, account, role: access.role, actingFromAccountId },
    { familyId, ...(actingFromAccountId ? { expiresAt: session.expires_at } : {}) },
  );
}

/** Signs out the sign-in this refresh token belongs to: every session of its family, and their access tokens, at once. */
export async function logout(env: Env, refreshToken: string): Promise<void> {
  const session = await queryFirst<{ id: string; family_id: string | null }>(
    env.DB,
    'SELECT id, family_id FROM sessions WHERE token_hash = ?',
    await sha256Hex(refreshToken),
  );
  if (session) await revokeFamily(env, session.family_id ?? session.id);
}

/**
 * RFC 8693-style token exchange: trades the caller's token for one scoped to
 * another account they may enter. Entering a sub-account through its agency
 * yields a token whose `act` claim names the agency user. An account the
 * caller cannot enter answers 404, as if it did not exist.
 */
export async function exchangeToken(env: Env, userId: string, accountId: string): Promise<{ result: AuthResult; actingFromAccountId: string | null }> {
  const access = await resolveAccountAccess(env.DB, userId, accountId);
  if (!access) throw new AppError('not_found', `Account ${accountId} was not found.`);
  const user = await queryFirst<UserRow>(env.DB, 'SELECT * FROM users WHERE id = ?', userId);
  if (!user) throw new AppError('unauthorized', 'The user no longer exists.');
  const account = await getAccountOrThrow(env.DB, accountId);
  const actingFromAccountId = access.viaAgency?.agencyAccountId ?? null;
  if (!actingFromAccountId) await assertNotSuspended(env.DB, account.id);
  const result = await openSession(env, { user, account, role: access.role, actingFromAccountId });
  return { result, actingFromAccountId };
}
