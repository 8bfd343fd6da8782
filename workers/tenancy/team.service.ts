import type { Role } from '../platform/context';
import type { ServiceDeps } from '../platform/deps';
import { AppError, type FieldError } from '../platform/errors';
import { createId } from '../platform/ids';
import { queryAll, queryFirst, statement, toIso, transaction } from '../platform/db';
import { hashPassword } from '../auth/password';
import { newPasswordLink } from '../auth/password-reset';
import { randomToken } from '../auth/secrets';
import { countAttempt } from '../auth/throttle';
import { forgetSessionAccess } from '../auth/session-access';
import { emailInvitation, emailJoinInvitation, type InvitationSent } from './invitations';
import { changeInvitationRole, createInvitation, findOpenInvitation, renewInvitation, withdrawInvitation, type OpenInvitationRow } from './account-invitations';
import { assertWithinPlanLimit, isPlanLimitGuardFailure, planLimitGuard, refuseAfterLimitRace } from '../billing/entitlements';

export interface TeamMemberRow {
  id: string;
  name: string;
  email: string;
  role: Role;
  invited_at: number | null;
  created_at: number;
}

export function serializeTeamMember(row: TeamMemberRow, invitation?: InvitationSent) {
  return {
    id: row.id,
    name: row.name,
    email: row.email,
    role: row.role,
    invited: row.invited_at !== null,
    created_at: toIso(row.created_at) as string,
    ...(invitation ? { invitation } : {}),
  };
}

/** Members, and people with a login invited to join (shown only as the inviter typed them, as invited). */
export async function listTeam(deps: ServiceDeps): Promise<TeamMemberRow[]> {
  return queryAll<TeamMemberRow>(
    deps.db,
    `SELECT * FROM (
       SELECT u.id, u.name, u.email, m.role, u.invited_at, m.created_at FROM memberships m JOIN users u ON u.id = m.user_id
        WHERE m.account_id = ?1
       UNION ALL
       SELECT i.user_id AS id, i.name, i.email, i.role, i.created_at AS invited_at, i.created_at FROM account_invitations i
        WHERE i.account_id = ?1 AND i.accepted_at IS NULL AND i.revoked_at IS NULL
     ) ORDER BY created_at, id`,
    deps.auth.accountId,
  );
}

/** An open invitation shown as a team row: what the inviter typed, and invited. */
const invitationAsMember = (row: OpenInvitationRow): TeamMemberRow => ({
  id: row.user_id,
  name: row.name,
  email: row.email,
  role: row.role,
  invited_at: row.created_at,
  created_at: row.created_at,
});

export async function getTeamMemberOrThrow(deps: ServiceDeps, userId: string): Promise<TeamMemberRow> {
  const row = await queryFirst<TeamMemberRow>(
    deps.db,
    `SELECT u.id, u.name, u.email, m.role, u.invited_at, m.created_at FROM memberships m JOIN users u ON u.id = m.user_id
      WHERE m.account_id = ? AND m.user_id = ?`,
    deps.auth.accountId,
    userId,
  );
  if (!row) throw new AppError('not_found', `User ${userId} is not in this account.`);
  return row;
}

export interface AddTeamMemberInput {
  email: string;
  name: string;
  role: Role;
  password?: string;
}

/**
 * Adds a person to the account. A new person gets the first password given,
 * or, without one, an emailed invitation to choose their own (until then no
 * one knows their password: it is random). Someone who already has a login
 * is never added outright: they are invited to join (account-invitations.ts)
 * and the reply says only "invited", with what the caller typed, whatever
 * their real name or other accounts.
 */
export async function addTeamMember(deps: ServiceDeps, input: AddTeamMemberInput): Promise<{ member: TeamMemberRow; invitation?: InvitationSent }> {
  if (input.role === 'owner' && deps.auth.role !== 'owner') {
    throw new AppError('forbidden', 'Only an owner can add another owner.');
  }
  const limit = await assertWithinPlanLimit(deps.db, deps.auth.accountId, 'users');
  const now = Date.now();
  const existing = await queryFirst<{ id: string }>(deps.db, 'SELECT id FROM users WHERE email = ?', input.email);
  if (existing) {
    const already = await queryFirst<{ id: string }>(
      deps.db,
      'SELECT id FROM memberships WHERE account_id = ? AND user_id = ?',
      deps.auth.accountId,
      existing.id,
    );
    if (already) {
      throw new AppError('conflict', `${input.email} is already in this account.`, { errors: [{ field: 'email', message: 'Already a member.' }] });
    }
    // Withdrawing and inviting again must not become a way to flood someone's inbox.
    if ((await countAttempt(deps.db, `invite:${deps.auth.accountId}:${existing.id}`, 60 * 60 * 1000)).count > MAX_INVITATIONS_PER_HOUR) {
      throw new AppError('rate_limited', `${input.email} was sent ${MAX_INVITATIONS_PER_HOUR} invitations in the last hour. Try again later.`);
    }
    const { row, link } = await createInvitation(deps, { userId: existing.id, email: input.email, name: input.name, role: input.role }, now);
    const invitation = await emailJoinInvitation(deps, { id: existing.id, email: input.email, role: input.role }, link);
    return { member: invitationAsMember(row), invitation };
  }
  const userId = createId('user');
  const password = input.password ?? randomToken();
  const statements: D1PreparedStatement[] = [
    statement(
      deps.db,
      'INSERT INTO users (id, email, name, password_hash, invited_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      userId,
      input.email,
      input.name,
      await hashPassword(password),
      input.password ? null : now,
      now,
      now,
    ),
  ];
  let link: Awaited<ReturnType<typeof newPasswordLink>> | null = null;
  if (!input.password) {
    link = await newPasswordLink(deps.db, userId, 'invite', now);
    statements.push(link.insert);
  }
  statements.push(
    statement(
      deps.db,
      'INSERT INTO memberships (id, account_id, user_id, role, created_at) VALUES (?, ?, ?, ?, ?)',
      createId('membership'),
      deps.auth.accountId,
      userId,
      input.role,
      now,
    ),
  );
  if (limit !== null) statements.push(planLimitGuard(deps.db, deps.auth.accountId, 'users', limit));
  try {
    await transaction(deps.db, statements);
  } catch (err) {
    if (isPlanLimitGuardFailure(err)) await refuseAfterLimitRace(deps.db, deps.auth.accountId, 'users');
    throw err;
  }
  const member = await getTeamMemberOrThrow(deps, userId);
  if (!link) return { member };
  return { member, invitation: await emailInvitation(deps, member, link) };
}

/** Sends at most this many invitations to one person per hour. */
const MAX_INVITATIONS_PER_HOUR = 5;

/** Sends a member who has not chosen a password yet a new invitation link. */
export async function resendInvitation(deps: ServiceDeps, userId: string): Promise<InvitationSent> {
  const invited = await findInvitationUnlessMember(deps, userId);
  if (invited) {
    if ((await countAttempt(deps.db, `invite:${deps.auth.accountId}:${userId}`, 60 * 60 * 1000)).count > MAX_INVITATIONS_PER_HOUR) {
      throw new AppError('rate_limited', `${invited.name} was sent ${MAX_INVITATIONS_PER_HOUR} invitations in the last hour. Try again later.`);
    }
    return emailJoinInvitation(deps, { id: userId, email: invited.email, role: invited.role }, await renewInvitation(deps, invited));
  }
  const member = await getTeamMemberOrThrow(deps, userId);
  if (member.invited_at === null)
    throw new AppError('conflict', `${member.name} already chose a password; they can reset it from the sign-in page if they forgot it.`);
  if ((await countAttempt(deps.db, `invite:${userId}`, 60 * 60 * 1000)).count > MAX_INVITATIONS_PER_HOUR) {
    throw new AppError('rate_limited', `${member.name} was sent ${MAX_INVITATIONS_PER_HOUR} invitations in the last hour. Try again later.`);
  }
  const link = await newPasswordLink(deps.db, member.id, 'invite');
  await link.insert.run();
  return emailInvitation(deps, member, link);
}

/** The open invitation of `userId` into this account, when they are invited and not (yet) a member. */
async function findInvitationUnlessMember(deps: ServiceDeps, userId: string): Promise<OpenInvitationRow | null> {
  const member = await queryFirst(deps.db, 'SELECT 1 AS ok FROM memberships WHERE account_id = ? AND user_id = ?', deps.auth.accountId, userId);
  return member ? null : findOpenInvitation(deps, userId);
}

async function ownerCount(deps: ServiceDeps): Promise<number> {
  const row = await queryFirst<{ n: number }>(deps.db, "SELECT COUNT(*) AS n FROM memberships WHERE account_id = ? AND role = 'owner'", deps.auth.accountId);
  return row?.n ?? 0;
}

export async function changeRole(deps: ServiceDeps, userId: string, role: Role): Promise<TeamMemberRow> {
  const invited = await findInvitationUnlessMember(deps, userId);
  const member = invited ? invitationAsMember(invited) : await getTeamMemberOrThrow(deps, userId);
  if ((role === 'owner' || member.role === 'owner') && deps.auth.role !== 'owner') {
    throw new AppError('forbidden', 'Only an owner can grant or take away the owner role.');
  }
  if (invited) {
    await changeInvitationRole(deps, invited, role);
    return { ...member, role };
  }
  if (member.role === 'owner' && role !== 'owner' && (await ownerCount(deps)) <= 1) {
    throw new AppError('conflict', 'An account needs at least one owner. Make someone else owner first.');
  }
  await deps.db.prepare('UPDATE memberships SET role = ? WHERE account_id = ? AND user_id = ?').bind(role, deps.auth.accountId, userId).run();
  // Their open tokens act with the new role from the next request on.
  forgetSessionAccess();
  return { ...member, role };
}

export async function removeTeamMember(deps: ServiceDeps, userId: string): Promise<void> {
  const invited = await findInvitationUnlessMember(deps, userId);
  if (invited) {
    if (invited.role === 'owner' && deps.auth.role !== 'owner') throw new AppError('forbidden', 'Only an owner can withdraw an invitation as owner.');
    return withdrawInvitation(deps, invited);
  }
  const member = await getTeamMemberOrThrow(deps, userId);
  if (member.role === 'owner') {
    if (deps.auth.role !== 'owner') throw new AppError('forbidden', 'Only an owner can remove an owner.');
    if ((await ownerCount(deps)) <= 1) throw new AppError('conflict', 'An account needs at least one owner. Make someone else owner first.');
  }
  await transaction(deps.db, [
    statement(deps.db, 'DELETE FROM memberships WHERE account_id = ? AND user_id = ?', deps.auth.accountId, userId),
    statement(
      deps.db,
      'UPDATE sessions SET revoked_at = ? WHERE account_id = ? AND user_id = ? AND revoked_at IS NULL',
      Date.now(),
      deps.auth.accountId,
      userId,
    ),
  ]);
  forgetSessionAccess();
}

/**
 * The field error for a user id that is not a member of the account, or null
 * when it is (or when no user is given). Assignees of contacts, tasks and
 * opportunities are checked with this.
 */
export async function memberFieldError(deps: ServiceDeps, userId: string | null | undefined, field: string): Promise<FieldError | null> {
  if (!userId) return null;
  const member = await queryFirst(deps.db, 'SELECT 1 AS ok FROM memberships WHERE account_id = ? AND user_id = ?', deps.auth.accountId, userId);
  return member ? null : { field, message: 'No user with this id is in the account.', code: 'unknown_user' };
}

/** Throws a 422 naming `field` when `userId` is not a member of the account. */
export async function assertMember(deps: ServiceDeps, userId: string | null | undefined, field: string): Promise<void> {
  const error = await memberFieldError(deps, userId, field);
  if (error) throw new AppError('validation_failed', 'That user is not in this account.', { errors: [error] });
}
