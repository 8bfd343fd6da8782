import { emailBrandOf, sendBrandedEmail, type EmailBrand } from '../email/branded-email';
import { createId } from '../platform/ids';
import { queryFirst, statement, transaction } from '../platform/db';
import { AppError } from '../platform/errors';
import { createLogger } from '../platform/logger';
import { homeMembership } from './auth.service';
import { hashPassword } from './password';
import { randomToken, sha256Hex } from './secrets';
import { countAttempt, emailAddressKeyPrefix, emailThrottleKey } from './throttle';
import { forgetSessionAccess } from './session-access';

/**
 * One-time links to set a password, by email: "forgot password" (an hour)
 * and team invitations (7 days, sent by tenancy/invitations.ts). Asking for
 * a reset never says whether the email has an account (the same answer; the
 * lookup and sending happen after it). Using a link sets the password, signs
 * the user out everywhere and closes their other links, in one transaction.
 */

export const RESET_LINK_TTL_MS = 60 * 60 * 1000;
const REQUEST_WINDOW_MS = 60 * 60 * 1000;
/** Links emailed to one address per hour; further asks are answered the same and send nothing. */
export const MAX_RESET_EMAILS_PER_EMAIL = 3;
/** Asks per hour from one client address, whatever the emails; past it the API answers 429. */
export const MAX_RESET_REQUESTS_PER_ADDRESS = 20;

export type PasswordLinkPurpose = 'reset' | 'invite';
export const INVITE_LINK_TTL_MS = 7 * 24 * 60 * 60 * 1000;

/** The app page a link opens; the token rides in the fragment, which never reaches a server or a Referer. */
export const passwordLinkPath = (purpose: PasswordLinkPurpose, token: string) =>
  `${purpose === 'invite' ? '/accept-invite' : '/reset-password'}#token=${token}`;

/** A new one-time link for a user: the statement that stores it (only its hash), and the token to email. */
export async function newPasswordLink(db: D1Database, userId: string, purpose: PasswordLinkPurpose, now = Date.now()) {
  const token = randomToken();
  const id = createId('passwordReset');
  const expiresAt = now + (purpose === 'invite' ? INVITE_LINK_TTL_MS : RESET_LINK_TTL_MS);
  const insert = statement(
    db,
    'INSERT INTO password_resets (id, user_id, purpose, token_hash, expires_at, created_at) VALUES (?, ?, ?, ?, ?, ?)',
    id,
    userId,
    purpose,
    await sha256Hex(token),
    expiresAt,
    now,
  );
  return { id, token, expiresAt, insert };
}

/**
 * Takes a reset request: refuses an address asking too often, then leaves
 * the lookup and the email to `background` so the answer is the same, and as
 * fast, for every email.
 */
export async function requestPasswordReset(
  env: Env,
  email: string,
  clientAddress: string | undefined,
  background: (work: Promise<unknown>) => void,
): Promise<void> {
  const now = Date.now();
  if (clientAddress) {
    const { count, windowEndsAt } = await countAttempt(env.DB, `reset-addr:${clientAddress}`, REQUEST_WINDOW_MS, now);
    if (count > MAX_RESET_REQUESTS_PER_ADDRESS) {
      const retryAfter = Math.ceil((windowEndsAt - now) / 1000);
      throw new AppError('rate_limited', `Too many password reset requests. Try again in ${Math.ceil(retryAfter / 60)} minutes.`, {
        headers: { 'retry-after': String(retryAfter) },
        extensions: { retry_after_seconds: retryAfter },
      });
    }
  }
  background(
    emailResetLink(env, email, now).catch((err) =>
      createLogger({ auth: 'password_reset' }).error('reset link not sent', { error: err instanceof Error ? err.message : String(err) }),
    ),
  );
}

/** Creates a link for the user with this email, if there is one, and emails it in their account's brand. */
export async function emailResetLink(env: Env, email: string, now = Date.now()): Promise<'sent' | 'no_user' | 'throttled'> {
  const log = createLogger({ auth: 'password_reset' });
  if ((await countAttempt(env.DB, `reset-email:${email}`, REQUEST_WINDOW_MS, now)).count > MAX_RESET_EMAILS_PER_EMAIL) return 'throttled';
  const user = await queryFirst<{ id: string; email: string; name: string; invited_at: number | null }>(
    env.DB,
    'SELECT id, email, name, invited_at FROM users WHERE email = ?',
    email,
  );
  if (!user) return 'no_user';
  // Someone invited who never chose a password joins by choosing one: they get the invitation, saying where it takes them, not a plain reset.
  if (user.invited_at !== null) return emailPendingInvitation(env, user, now);
  const { id, token, insert } = await newPasswordLink(env.DB, user.id, 'reset', now);
  await insert.run();
  const brand = await userBrand(env, user.id, now);
  const app = brand.branding.app_name;
  const sent = await sendBrandedEmail(
    env,
    brand,
    {
      subject: `Reset your ${app} password`,
      heading: 'Choose a new password',
      paragraphs: [
        `Hi ${user.name}, someone (hopefully you) asked to reset the password of ${user.email} on ${app}.`,
        'The link below works once, for the next hour. If you did not ask, ignore this email: your password stays as it is.',
      ],
      action: { label: 'Choose a new password', path: passwordLinkPath('reset', token) },
      footer: `You get this email because a password reset was requested for ${user.email}.`,
    },
    { to: [user.email], tag: 'password_reset', idempotencyKey: `password-reset:${id}`, refId: id },
  );
  log.info('reset link sent', { password_reset_id: id, email_id: sent.id });
  return 'sent';
}

/**
 * A "forgot password" from someone who was invited and never chose a
 * password: choosing one would take them into the account(s) they were
 * invited to, so the email says so (an invitation link, 7 days), and they
 * join knowing where.
 */
async function emailPendingInvitation(env: Env, user: { id: string; email: string; name: string }, now: number): Promise<'sent'> {
  const home = await homeMembership(env.DB, user.id);
  const account = home ? await queryFirst<{ name: string }>(env.DB, 'SELECT name FROM accounts WHERE id = ?', home.account_id) : null;
  const { id, token, insert } = await newPasswordLink(env.DB, user.id, 'invite', now);
  await insert.run();
  const brand = await userBrand(env, user.id, now);
  const app = brand.branding.app_name;
  const where = account ? account.name : `a team on ${app}`;
  await sendBrandedEmail(
    env,
    brand,
    {
      subject: `Finish joining ${where} on ${app}`,
      heading: `Join ${where} on ${app}`,
      paragraphs: [
        `Hi ${user.name}, ${user.email} was invited to ${where} on ${app} and has no password yet.`,
        `Choosing a password joins ${where}. If you do not want to join, ignore this email: nothing changes. The link works once, for the next 7 days.`,
      ],
      action: { label: 'Accept the invitation', path: passwordLinkPath('invite', token) },
      footer: `You get this email because a password reset was requested for ${user.email}.`,
    },
    { to: [user.email], tag: 'invitation', idempotencyKey: `invitation:${id}`, refId: id },
  );
  return 'sent';
}

interface ResetRow {
  id: string;
  user_id: string;
  email: string;
  purpose: PasswordLinkPurpose;
  expires_at: number;
  used_at: number | null;
}

const badLink = (message: string) => new AppError('validation_failed', message, { errors: [{ field: 'token', message }] });

/** Sets a new password with a link's token (a reset or an invitation). Answers the user's email, for the sign-in page. */
export async function resetPassword(
  env: Env,
  token: string,
  password: string,
  background: (work: Promise<unknown>) => void,
  now = Date.now(),
): Promise<{ email: string }> {
  const reset = await queryFirst<ResetRow>(
    env.DB,
    'SELECT r.id, r.user_id, r.purpose, u.email, r.expires_at, r.used_at FROM password_resets r JOIN users u ON u.id = r.user_id WHERE r.token_hash = ?',
    await sha256Hex(token),
  );
  if (!reset) throw badLink('This reset link is not valid. Ask for a new one.');
  if (reset.used_at !== null) throw badLink('This reset link was already used. Ask for a new one if you still need it.');
  if (reset.expires_at <= now) {
    throw badLink(
      reset.purpose === 'invite'
        ? 'This invitation has expired (invitations work for 7 days). Ask whoever invited you to send it again, or ask for a password reset link.'
        : 'This reset link has expired (links work for an hour). Ask for a new one.',
    );
  }

  const passwordHash = await hashPassword(password);
  const claim = randomToken(16);
  // Each statement after the claim applies only when this request made the claim.
  const claimed = 'EXISTS (SELECT 1 FROM password_resets WHERE id = ? AND claim = ?)';
  const [claimResult] = await transaction(env.DB, [
    statement(env.DB, 'UPDATE password_resets SET used_at = ?, claim = ? WHERE id = ? AND used_at IS NULL AND expires_at > ?', now, claim, reset.id, now),
    statement(
      env.DB,
      `UPDATE users SET password_hash = ?, invited_at = NULL, updated_at = ? WHERE id = ? AND ${claimed}`,
      passwordHash,
      now,
      reset.user_id,
      reset.id,
      claim,
    ),
    statement(env.DB, `UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL AND ${claimed}`, now, reset.user_id, reset.id, claim),
    statement(env.DB, `UPDATE password_resets SET used_at = ? WHERE user_id = ? AND used_at IS NULL AND ${claimed}`, now, reset.user_id, reset.id, claim),
    // They proved they hold the email: sign-in failures counted against it so far are forgiven, from every address.
    statement(
      env.DB,
      `DELETE FROM login_throttle WHERE (key = ? OR substr(key, 1, length(?)) = ?) AND ${claimed}`,
      emailThrottleKey(reset.email),
      emailAddressKeyPrefix(reset.email),
      emailAddressKeyPrefix(reset.email),
      reset.id,
      claim,
    ),
  ]);
  if (claimResult.meta.changes !== 1) throw badLink('This reset link was already used. Ask for a new one if you still need it.');
  forgetSessionAccess();
  if (reset.purpose === 'reset') {
    background(
      emailPasswordChanged(env, reset.user_id, reset.id, now).catch((err) =>
        createLogger({ auth: 'password_reset' }).error('password-changed email not sent', { error: err instanceof Error ? err.message : String(err) }),
      ),
    );
  }
  return { email: reset.email };
}

/** Tells the user their password was changed, so a change they did not make does not go unnoticed. */
async function emailPasswordChanged(env: Env, userId: string, resetId: string, now: number): Promise<void> {
  const user = await queryFirst<{ email: string; name: string }>(env.DB, 'SELECT email, name FROM users WHERE id = ?', userId);
  if (!user) return;
  const brand = await userBrand(env, userId, now);
  const app = brand.branding.app_name;
  const support = brand.branding.support_email;
  await sendBrandedEmail(
    env,
    brand,
    {
      subject: `Your ${app} password was changed`,
      heading: 'Your password was changed',
      paragraphs: [
        `Hi ${user.name}, the password of ${user.email} on ${app} was just changed with a reset link, and every session was signed out.`,
        `If that was you, there is nothing to do. If it was not, reset your password now${support ? ` and tell ${support}` : ''}.`,
      ],
      action: { label: 'Reset your password', path: `/forgot-password?email=${encodeURIComponent(user.email)}` },
      footer: `You get this email because the password of ${user.email} was changed.`,
    },
    { to: [user.email], tag: 'password_changed', idempotencyKey: `password-changed:${resetId}` },
  );
}

/** The brand of a user's emails: that of the account they sign into first (the platform's when none). */
async function userBrand(env: Env, userId: string, now: number): Promise<EmailBrand> {
  const home = await homeMembership(env.DB, userId);
  return emailBrandOf(env, home?.account_id ?? null, now);
}
