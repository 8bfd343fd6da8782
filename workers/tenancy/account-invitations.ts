import { randomToken, sha256Hex } from '../auth/secrets';
import { assertWithinPlanLimit, isPlanLimitGuardFailure, planLimitGuard, refuseAfterLimitRace } from '../billing/entitlements';
import type { Role } from '../platform/context';
import { isUniqueViolation, queryFirst, statement, transaction } from '../platform/db';
import type { ServiceDeps } from '../platform/deps';
import { AppError } from '../platform/errors';
import { createId } from '../platform/ids';
import { INVITE_LINK_TTL_MS } from '../auth/password-reset';
import { resolveAccountAccess } from './tenancy.service';

/**
 * Invitations of people who already have a login (migration 0016). Adding
 * them to an account never makes them a member: they are emailed a link,
 * and only accepting it makes them one, so no one can be dropped into an
 * account they did not join, and sign-in never lands them there before.
 * The inviting account sees only what it typed (email, name) and
 * "invited"; the person's real name and anything else about them stay
 * theirs.
 */

/** The app page an invitation to join opens; the token rides in the fragment. */
export const joinLinkPath = (token: string) => `/join-account#token=${token}`;

export interface OpenInvitationRow {
  id: string;
  user_id: string;
  email: string;
  name: string;
  role: Role;
  created_at: number;
}

/** The open (not accepted, not withdrawn) invitation of `userId` into the deps' account, if any. */
export async function findOpenInvitation(deps: ServiceDeps, userId: string): Promise<OpenInvitationRow | null> {
  return queryFirst<OpenInvitationRow>(
    deps.db,
    'SELECT id, user_id, email, name, role, created_at FROM account_invitations WHERE account_id = ? AND user_id = ? AND accepted_at IS NULL AND revoked_at IS NULL',
    deps.auth.accountId,
    userId,
  );
}

/** A new link for an invitation: the token to email and when it stops working. */
async function newJoinToken(now: number) {
  const token = randomToken();
  return { token, tokenHash: await sha256Hex(token), expiresAt: now + INVITE_LINK_TTL_MS };
}

const alreadyInvited = (email: string) =>
  new AppError('conflict', `${email} is already invited to this account. Send the invitation again from the team list.`, {
    errors: [{ field: 'email', message: 'Already invited.' }],
  });

/** Invites an existing user into the deps' account; answers the invitation and the token to email. */
export async function createInvitation(deps: ServiceDeps, invitee: { userId: string; email: string; name: string; role: Role }, now = Date.now()) {
  if (await findOpenInvitation(deps, invitee.userId)) throw alreadyInvited(invitee.email);
  const id = createId('invitation');
  const { token, tokenHash, expiresAt } = await newJoinToken(now);
  try {
    await deps.db
      .prepare(
        `INSERT INTO account_invitations (id, account_id, user_id, email, name, role, invited_by_user_id, token_hash, expires_at, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .bind(
        id,
        deps.auth.accountId,
        invitee.userId,
        invitee.email,
        invitee.name,
        invitee.role,
        deps.auth.actorUserId ?? deps.auth.userId,
        tokenHash,
        expiresAt,
        now,
      )
      .run();
  } catch (err) {
    // Two requests inviting the same person at once: the open-invitation index lets one through.
    if (isUniqueViolation(err, 'account_invitations')) throw alreadyInvited(invitee.email);
    throw err;
  }
  const row: OpenInvitationRow = { id, user_id: invitee.userId, email: invitee.email, name: invitee.name, role: invitee.role, created_at: now };
  return { row, link: { id, token, expiresAt } };
}

/** A fresh link for an open invitation (the earlier one stops working). */
export async function renewInvitation(deps: ServiceDeps, invitation: OpenInvitationRow, now = Date.now()) {
  const { token, tokenHash, expiresAt } = await newJoinToken(now);
  // Whoever sends it again vouches for it from now on.
  await deps.db
    .prepare(
      'UPDATE account_invitations SET token_hash = ?, expires_at = ?, invited_by_user_id = ? WHERE id = ? AND accepted_at IS NULL AND revoked_at IS NULL',
    )
    .bind(tokenHash, expiresAt, deps.auth.actorUserId ?? deps.auth.userId, invitation.id)
    .run();
  return { id: `${invitation.id}:${now}`, token, expiresAt };
}

export async function changeInvitationRole(deps: ServiceDeps, invitation: OpenInvitationRow, role: Role): Promise<void> {
  await deps.db
    .prepare('UPDATE account_invitations SET role = ?, invited_by_user_id = ? WHERE id = ? AND accepted_at IS NULL AND revoked_at IS NULL')
    .bind(role, deps.auth.actorUserId ?? deps.auth.userId, invitation.id)
    .run();
}

export async function withdrawInvitation(deps: ServiceDeps, invitation: OpenInvitationRow): Promise<void> {
  await deps.db
    .prepare('UPDATE account_invitations SET revoked_at = ? WHERE id = ? AND accepted_at IS NULL AND revoked_at IS NULL')
    .bind(Date.now(), invitation.id)
    .run();
}

interface InvitationByTokenRow {
  id: string;
  account_id: string;
  account_name: string;
  user_id: string;
  user_email: string;
  role: Role;
  invited_by_user_id: string | null;
  expires_at: number;
  accepted_at: number | null;
  revoked_at: number | null;
}

const ROLE_RANK: Record<Role, number> = { member: 1, admin: 2, owner: 3 };

/**
 * Whether the person who sent an invitation could still grant its role: an
 * invitation is worth no more than its sender's rights today (a removed or
 * demoted admin's invitations lapse with them). Agency owners and admins
 * invite into their client accounts as owners.
 */
async function inviterStillMayGrant(db: D1Database, invitation: InvitationByTokenRow): Promise<boolean> {
  if (!invitation.invited_by_user_id) return false;
  const access = await resolveAccountAccess(db, invitation.invited_by_user_id, invitation.account_id);
  if (!access) return false;
  const role: Role = access.viaAgency ? 'owner' : access.role;
  return ROLE_RANK[role] >= ROLE_RANK[invitation.role] && (role === 'owner' || role === 'admin');
}

const badLink = (message: string) => new AppError('validation_failed', message, { errors: [{ field: 'token', message }] });

export interface AcceptedInvitation {
  account: { id: string; name: string };
  role: Role;
  /** The login that joined, to sign in with. */
  email: string;
}

/**
 * Accepts an invitation with its emailed token: the person becomes a member
 * with the invited role, once. The account's user limit applies now (the
 * invitation held no place).
 */
export async function acceptInvitation(db: D1Database, token: string, now = Date.now()): Promise<AcceptedInvitation> {
  const invitation = await queryFirst<InvitationByTokenRow>(
    db,
    `SELECT i.id, i.account_id, a.name AS account_name, i.user_id, u.email AS user_email, i.role, i.invited_by_user_id, i.expires_at, i.accepted_at, i.revoked_at
       FROM account_invitations i JOIN accounts a ON a.id = i.account_id JOIN users u ON u.id = i.user_id
      WHERE i.token_hash = ?`,
    await sha256Hex(token),
  );
  if (!invitation) throw badLink('This invitation link is not valid. Ask whoever invited you to send it again.');
  if (invitation.accepted_at !== null) throw badLink('This invitation was already accepted. Sign in to open the account.');
  if (invitation.revoked_at !== null) throw badLink('This invitation was withdrawn. Ask whoever invited you if you still need access.');
  if (invitation.expires_at <= now) throw badLink('This invitation has expired (invitations work for 7 days). Ask whoever invited you to send it again.');
  if (!(await inviterStillMayGrant(db, invitation)))
    throw badLink(
      'This invitation is no longer valid: whoever sent it can no longer add people with that role. Ask an admin of the account to invite you again.',
    );
  const result: AcceptedInvitation = {
    account: { id: invitation.account_id, name: invitation.account_name },
    role: invitation.role,
    email: invitation.user_email,
  };

  const member = await queryFirst(db, 'SELECT 1 AS ok FROM memberships WHERE account_id = ? AND user_id = ?', invitation.account_id, invitation.user_id);
  const limit = member ? null : await assertWithinPlanLimit(db, invitation.account_id, 'users');
  const claim = randomToken(16);
  const claimed = 'EXISTS (SELECT 1 FROM account_invitations WHERE id = ? AND claim = ?)';
  const statements = [
    statement(
      db,
      'UPDATE account_invitations SET accepted_at = ?, claim = ? WHERE id = ? AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > ?',
      now,
      claim,
      invitation.id,
      now,
    ),
    // ON CONFLICT: joined meanwhile by another route (a second invitation accepted first); nothing to add.
    statement(
      db,
      `INSERT INTO memberships (id, account_id, user_id, role, created_at) SELECT ?, ?, ?, ?, ? WHERE ${claimed} ON CONFLICT (account_id, user_id) DO NOTHING`,
      createId('membership'),
      invitation.account_id,
      invitation.user_id,
      invitation.role,
      now,
      invitation.id,
      claim,
    ),
  ];
  if (limit !== null) statements.push(planLimitGuard(db, invitation.account_id, 'users', limit));
  try {
    const [claimResult] = await transaction(db, statements);
    if (claimResult.meta.changes !== 1) throw badLink('This invitation was already accepted. Sign in to open the account.');
  } catch (err) {
    if (isPlanLimitGuardFailure(err)) await refuseAfterLimitRace(db, invitation.account_id, 'users');
    throw err;
  }
  return result;
}
