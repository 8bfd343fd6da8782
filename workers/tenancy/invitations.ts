import { passwordLinkPath } from '../auth/password-reset';
import { emailBrandOf, sendBrandedEmail, type EmailContent } from '../email/branded-email';
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
 * login is told they were added.
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

/**
 * Tells someone who already had a login that they were added to another
 * account (they sign in as before and find it in the account menu). Sent
 * after the reply; a failure is only logged.
 */
export async function emailAddedToAccount(deps: ServiceDeps, member: Invitee, membershipId: string): Promise<void> {
  const { brand, app, who, accountName } = await invitationContext(deps);
  const content: EmailContent = {
    subject: `${who} added you to ${accountName} on ${app}`,
    heading: `You now have access to ${accountName}`,
    paragraphs: [
      `Hi ${member.name}, ${who} added you to ${accountName} on ${app} as ${asRole(member.role)}.`,
      `Sign in with ${member.email} and your usual password; ${accountName} is in the account menu.`,
    ],
    action: { label: `Open ${app}`, path: '/login' },
    footer: `You get this email because ${who} added ${member.email} to ${accountName}.`,
  };
  try {
    await sendBrandedEmail(deps.env, brand, content, { to: [member.email], tag: 'added_to_account', idempotencyKey: `added:${membershipId}` });
  } catch (err) {
    createLogger({ tenancy: 'invitation' }).warn('added-to-account email not sent', { user_id: member.id, error: err instanceof Error ? err.message : String(err) });
  }
}
