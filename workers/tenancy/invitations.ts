import { passwordLinkPath } from '../auth/password-reset';
import { emailBrandOf, sendBrandedEmail, type EmailBrand, type EmailContent } from '../email/branded-email';
import { joinLinkPath } from './account-invitations';
import { EmailSendError } from '../email/resend.client';
import type { Role } from '../platform/context';
import type { ServiceDeps } from '../platform/deps';
import { queryFirst, toIso } from '../platform/db';
import { createLogger } from '../platform/logger';

/**
 * A person added to a team without a password gets an invitation: an email
 * in the account's brand with a one-time link (7 days) to choose their own
 * password. Until they do, the team list shows them as invited, and an admin
 * can send the invitation again (team.service.ts). Someone who already had a
 * login is invited to join instead, and becomes a member only by accepting
 * (account-invitations.ts).
 */

export interface InvitationSent {
  email_status: 'sent' | 'failed';
  /** Why it could not be sent, when it could not. */
  error: string | null;
  expires_at: string;
}

export interface Invitee {
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
  const content: EmailContent = {
    subject: `${who} invited you to ${accountName} on ${app}`,
    heading: `Join ${accountName} on ${app}`,
    paragraphs: [
      `Hi ${invitee.name}, ${who} added you to ${accountName} on ${app} as ${asRole(invitee.role)}.`,
      `Choose your password to sign in with ${invitee.email}. The link works once, for the next 7 days.`,
    ],
    action: { label: 'Accept the invitation', path: passwordLinkPath('invite', link.token) },
    footer: `You get this email because ${who} invited ${invitee.email} to ${accountName}.`,
  };
  return sendInvitation(deps, invitee, brand, content, link);
}

/**
 * Invites someone who already has a login to join the deps' account: the
 * link (account-invitations.ts) makes them a member when they accept it.
 * Addressed to the email only: the name the inviter typed may not be theirs.
 */
export async function emailJoinInvitation(
  deps: ServiceDeps,
  invitee: { id: string; email: string; role: Role },
  link: { id: string; token: string; expiresAt: number },
): Promise<InvitationSent> {
  const { brand, app, who, accountName } = await invitationContext(deps);
  const content: EmailContent = {
    subject: `${who} invited you to ${accountName} on ${app}`,
    heading: `Join ${accountName} on ${app}`,
    paragraphs: [
      `Hello, ${who} invited ${invitee.email} to join ${accountName} on ${app} as ${asRole(invitee.role)}.`,
      `Accept to add ${accountName} to the accounts you sign into with ${invitee.email} and your usual password. Until you do, you are not a member of it and nothing changes for you. The link works once, for the next 7 days.`,
    ],
    action: { label: 'Accept the invitation', path: joinLinkPath(link.token) },
    footer: `You get this email because ${who} invited ${invitee.email} to ${accountName}. If you do not know them, ignore it.`,
  };
  return sendInvitation(deps, invitee, brand, content, link);
}

/** Sends an invitation email; a failure is answered (to show and send again), not thrown. */
async function sendInvitation(
  deps: ServiceDeps,
  invitee: { id: string; email: string },
  brand: EmailBrand,
  content: EmailContent,
  link: { id: string; token: string; expiresAt: number },
): Promise<InvitationSent> {
  const expires_at = toIso(link.expiresAt) as string;
  try {
    await sendBrandedEmail(deps.env, brand, content, { to: [invitee.email], tag: 'invitation', idempotencyKey: `invitation:${link.id}`, refId: link.id });
    return { email_status: 'sent', error: null, expires_at };
  } catch (err) {
    const message = err instanceof EmailSendError ? `${err.code}: ${err.message}` : String(err);
    createLogger({ tenancy: 'invitation' }).warn('invitation not sent', { user_id: invitee.id, error: message });
    return { email_status: 'failed', error: `The invitation email could not be sent (${message}). Send it again from the team list.`, expires_at };
  }
}
