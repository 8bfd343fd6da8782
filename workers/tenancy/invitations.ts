import { newPasswordLink, passwordLinkPath } from '../auth/password-reset';
import { countAttempt } from '../auth/throttle';
import { brandedEmail, emailBrandOf } from '../email/branded-email';
import { EmailSendError, sendEmail } from '../email/resend.client';
import type { Role } from '../platform/context';
import type { ServiceDeps } from '../platform/deps';
import { queryFirst, toIso } from '../platform/db';
import { AppError } from '../platform/errors';
import { createLogger } from '../platform/logger';

/**
 * A person added to a team without a password gets an invitation: an email
 * in the account's brand with a one-time link (7 days) to choose their own
 * password. Until they do, the team list shows them as invited, and an admin
 * can send the invitation again. Someone who already had a login is told
 * they were added.
 */

export interface InvitationSent {
  email_status: 'sent' | 'failed';
  /** Why it could not be sent, when it could not. */
  error: string | null;
  expires_at: string;
}

/** Sends at most this many invitations to one person per hour. */
const MAX_INVITATIONS_PER_HOUR = 5;

interface Invitee {
  id: string;
  email: string;
  name: string;
  role: Role;
}

/** Who added the person, to which account, in which brand: what both emails here open with. */
async function invitationContext(deps: ServiceDeps) {
  const inviterId = deps.auth.actorUserId ?? deps.auth.userId;
  const inviter = inviterId ? await queryFirst<{ name: string }>(deps.db, 'SELECT name FROM users WHERE id = ?', inviterId) : null;
  const account = await queryFirst<{ name: string }>(deps.db, 'SELECT name FROM accounts WHERE id = ?', deps.auth.accountId);
  const brand = await emailBrandOf(deps.env, deps.auth.accountId);
  return { brand, app: brand.branding.app_name, who: inviter?.name ?? 'Your team', accountName: account?.name ?? 'a team' };
}

const asRole = (role: Role) => (role === 'member' ? 'a member' : `an ${role}`);

/** Emails `invitee` (whose link is already stored) the invitation into the deps' account. */
export async function emailInvitation(deps: ServiceDeps, invitee: Invitee, link: { id: string; token: string; expiresAt: number }): Promise<InvitationSent> {
  const { brand, app, who, accountName } = await invitationContext(deps);
  const content = brandedEmail(
    {
      subject: `${who} invited you to ${accountName} on ${app}`,
      heading: `Join ${accountName} on ${app}`,
      paragraphs: [
        `Hi ${invitee.name}, ${who} added you to ${accountName} on ${app} as ${asRole(invitee.role)}.`,
        `Choose your password to sign in with ${invitee.email}. The link works once, for the next 7 days.`,
      ],
      action: { label: 'Accept the invitation', path: passwordLinkPath('invite', link.token) },
      footer: `You get this email because ${who} invited ${invitee.email} to ${accountName}.`,
    },
    brand,
    deps.env.EMAIL_FROM_ADDRESS,
  );
  const expires_at = toIso(link.expiresAt) as string;
  try {
    await sendEmail(deps.env, { ...content, to: [invitee.email], headers: { 'X-Entity-Ref-ID': link.id }, tags: [{ name: 'email', value: 'invitation' }] }, `invitation:${link.id}`);
    return { email_status: 'sent', error: null, expires_at };
  } catch (err) {
    const message = err instanceof EmailSendError ? `${err.code}: ${err.message}` : String(err);
    createLogger({ tenancy: 'invitation' }).warn('invitation not sent', { user_id: invitee.id, error: message });
    return { email_status: 'failed', error: `The invitation email could not be sent (${message}). Send it again from the team list.`, expires_at };
  }
}

/**
 * Tells someone who already had a login that they were added to another
 * account (they sign in as before and find it in the account menu). Sent
 * after the reply; a failure is only logged.
 */
export async function emailAddedToAccount(deps: ServiceDeps, member: Invitee, membershipId: string): Promise<void> {
  const { brand, app, who, accountName } = await invitationContext(deps);
  const content = brandedEmail(
    {
      subject: `${who} added you to ${accountName} on ${app}`,
      heading: `You now have access to ${accountName}`,
      paragraphs: [
        `Hi ${member.name}, ${who} added you to ${accountName} on ${app} as ${asRole(member.role)}.`,
        `Sign in with ${member.email} and your usual password; ${accountName} is in the account menu.`,
      ],
      action: { label: `Open ${app}`, path: '/login' },
      footer: `You get this email because ${who} added ${member.email} to ${accountName}.`,
    },
    brand,
    deps.env.EMAIL_FROM_ADDRESS,
  );
  try {
    await sendEmail(deps.env, { ...content, to: [member.email], tags: [{ name: 'email', value: 'added_to_account' }] }, `added:${membershipId}`);
  } catch (err) {
    createLogger({ tenancy: 'invitation' }).warn('added-to-account email not sent', { user_id: member.id, error: err instanceof Error ? err.message : String(err) });
  }
}

/** Sends a member who has not chosen a password yet a new invitation link. */
export async function resendInvitation(deps: ServiceDeps, userId: string): Promise<InvitationSent> {
  const member = await queryFirst<Invitee & { invited_at: number | null }>(
    deps.db,
    `SELECT u.id, u.email, u.name, u.invited_at, m.role FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.account_id = ? AND m.user_id = ?`,
    deps.auth.accountId,
    userId,
  );
  if (!member) throw new AppError('not_found', `User ${userId} is not in this account.`);
  if (member.invited_at === null) throw new AppError('conflict', `${member.name} already chose a password; they can reset it from the sign-in page if they forgot it.`);
  if ((await countAttempt(deps.db, `invite:${userId}`, 60 * 60 * 1000)).count > MAX_INVITATIONS_PER_HOUR) {
    throw new AppError('rate_limited', `${member.name} was sent ${MAX_INVITATIONS_PER_HOUR} invitations in the last hour. Try again later.`);
  }
  const link = await newPasswordLink(deps.db, member.id, 'invite');
  await link.insert.run();
  return emailInvitation(deps, member, link);
}
