import { emailBrandOf, sendBrandedEmail, type EmailBrand } from '../email/branded-email';
import { isUniqueViolation, queryFirst, statement } from '../platform/db';
import { AppError } from '../platform/errors';
import { createId } from '../platform/ids';
import { createLogger } from '../platform/logger';
import { assertSignupAllowed, createAccountWithOwner, type AuthResult } from './auth.service';
import { hashPassword } from './password';
import { randomToken, sha256Hex } from './secrets';
import { countAttempt } from './throttle';

/**
 * Sign-up in two steps, so that it cannot tell anyone which emails are
 * registered: the form's answer is the same "check your email" for every
 * email (the same status, body and work: a password hash and one email
 * sent). A new email gets a link (24 hours, once) that creates the account
 * and signs in; a registered one gets a note that someone tried, with the
 * way to sign in or reset the password. Nothing is created before the link
 * is used.
 */

export const SIGNUP_LINK_TTL_MS = 24 * 60 * 60 * 1000;
const REQUEST_WINDOW_MS = 60 * 60 * 1000;
/** Emails sent to one address per hour by sign-ups; further ones are answered the same and send nothing. */
export const MAX_SIGNUP_EMAILS_PER_EMAIL = 3;
/** Sign-ups per hour from one client address; past it the API answers 429. */
export const MAX_SIGNUPS_PER_ADDRESS = 20;

export const SIGNUP_REQUESTED_MESSAGE = 'Check your email: we sent a link to finish creating your account. It works for 24 hours.';

export interface SignupInput {
  email: string;
  password: string;
  name: string;
  account_name?: string;
  agency?: boolean;
}

/** The brand of sign-up emails: that of the agency whose domain the form is on, or the platform's. */
async function signupBrand(env: Env, agencyId: string | null): Promise<EmailBrand> {
  const agency = agencyId ? await queryFirst<{ account_id: string }>(env.DB, 'SELECT account_id FROM agencies WHERE id = ?', agencyId) : null;
  return emailBrandOf(env, agency?.account_id ?? null);
}

/** Takes a sign-up: the same answer for every email; what happens next goes by email. */
export async function requestSignup(env: Env, input: SignupInput, agencyId: string | null, clientAddress: string | undefined, now = Date.now()): Promise<void> {
  await assertSignupAllowed(env, input, agencyId);
  if (clientAddress) {
    const { count, windowEndsAt } = await countAttempt(env.DB, `signup-addr:${clientAddress}`, REQUEST_WINDOW_MS, now);
    if (count > MAX_SIGNUPS_PER_ADDRESS) {
      const retryAfter = Math.ceil((windowEndsAt - now) / 1000);
      throw new AppError('rate_limited', `Too many sign-ups from this address. Try again in ${Math.ceil(retryAfter / 60)} minutes.`, {
        headers: { 'retry-after': String(retryAfter) },
        extensions: { retry_after_seconds: retryAfter },
      });
    }
  }
  // Hashed whichever way it goes, so a registered email takes as long as a new one.
  const passwordHash = await hashPassword(input.password);
  const existing = await queryFirst<{ id: string; name: string }>(env.DB, 'SELECT id, name FROM users WHERE email = ?', input.email);
  if ((await countAttempt(env.DB, `signup-email:${input.email}`, REQUEST_WINDOW_MS, now)).count > MAX_SIGNUP_EMAILS_PER_EMAIL) return;
  const log = createLogger({ auth: 'signup' });
  try {
    const brand = await signupBrand(env, agencyId);
    if (existing) await emailAlreadyRegistered(env, brand, input.email, existing.name, now);
    else await emailSignupLink(env, brand, input, agencyId, passwordHash, now);
  } catch (err) {
    // The answer must not differ; the person can sign up again.
    log.error('sign-up email not sent', { error: err instanceof Error ? err.message : String(err) });
  }
}

async function emailSignupLink(env: Env, brand: EmailBrand, input: SignupInput, agencyId: string | null, passwordHash: string, now: number): Promise<void> {
  const token = randomToken();
  const id = createId('signupRequest');
  await env.DB.prepare(
    `INSERT INTO signup_requests (id, email, name, account_name, agency, agency_id, password_hash, token_hash, expires_at, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  )
    .bind(
      id,
      input.email,
      input.name,
      input.account_name ?? null,
      input.agency ? 1 : 0,
      agencyId,
      passwordHash,
      await sha256Hex(token),
      now + SIGNUP_LINK_TTL_MS,
      now,
    )
    .run();
  const app = brand.branding.app_name;
  await sendBrandedEmail(
    env,
    brand,
    {
      subject: `Finish creating your ${app} account`,
      heading: 'Confirm your email',
      paragraphs: [
        `Hi ${input.name}, confirm that ${input.email} is yours to create your ${app} account${input.account_name ? ` for ${input.account_name}` : ''}.`,
        'The link works once, for the next 24 hours. If you did not sign up, ignore this email: nothing is created.',
      ],
      action: { label: 'Create my account', path: `/signup/confirm#token=${token}` },
      footer: `You get this email because someone signed up for ${app} with ${input.email}.`,
    },
    { to: [input.email], tag: 'signup_confirm', idempotencyKey: `signup:${id}`, refId: id },
  );
}

/** Tells the owner of a registered email that someone tried to sign up with it, and how to get in. */
async function emailAlreadyRegistered(env: Env, brand: EmailBrand, email: string, name: string, now: number): Promise<void> {
  const app = brand.branding.app_name;
  await sendBrandedEmail(
    env,
    brand,
    {
      subject: `You already have a ${app} account`,
      heading: 'You already have an account',
      paragraphs: [
        `Hi ${name}, someone (hopefully you) tried to create a new ${app} account with ${email}, which already has one. No new account was made.`,
        'To get in, sign in with your password. If you forgot it, choose a new one from the sign-in page. If it was not you, there is nothing to do.',
      ],
      action: { label: 'Sign in', path: `/login?email=${encodeURIComponent(email)}` },
      footer: `You get this email because someone tried to sign up for ${app} with ${email}.`,
    },
    { to: [email], tag: 'signup_existing', idempotencyKey: `signup-existing:${email}:${now}` },
  );
}

interface SignupRequestRow {
  id: string;
  email: string;
  name: string;
  account_name: string | null;
  agency: number;
  agency_id: string | null;
  password_hash: string;
  expires_at: number;
  used_at: number | null;
}

const badLink = (message: string) => new AppError('validation_failed', message, { errors: [{ field: 'token', message }] });

/** Creates the account of a sign-up with its emailed token, and signs its owner in. */
export async function confirmSignup(env: Env, token: string, now = Date.now()): Promise<AuthResult> {
  const request = await queryFirst<SignupRequestRow>(env.DB, 'SELECT * FROM signup_requests WHERE token_hash = ?', await sha256Hex(token));
  if (!request) throw badLink('This sign-up link is not valid. Sign up again to get a new one.');
  if (request.used_at !== null) throw badLink('This sign-up link was already used: your account exists. Sign in.');
  if (request.expires_at <= now) throw badLink('This sign-up link has expired (links work for 24 hours). Sign up again to get a new one.');
  // The agency may have closed sign-ups on its domain since.
  await assertSignupAllowed(env, { agency: request.agency === 1 }, request.agency_id);
  try {
    // The users.email unique index makes a second use of the link (or a login made meanwhile) fail the whole transaction.
    return await createAccountWithOwner(
      env,
      {
        email: request.email,
        name: request.name,
        account_name: request.account_name,
        agency: request.agency === 1,
        agency_id: request.agency_id,
        password_hash: request.password_hash,
      },
      [statement(env.DB, 'UPDATE signup_requests SET used_at = ? WHERE id = ?', now, request.id)],
    );
  } catch (err) {
    if (isUniqueViolation(err, 'users.email'))
      throw badLink('This email already has an account (this link was used, or it was registered meanwhile). Sign in.');
    throw err;
  }
}

/** How long a spent sign-up request (used, or past its 24 hours) is kept, so a late click is told why the link no longer works. */
export const SPENT_SIGNUP_REQUEST_KEPT_MS = 24 * 60 * 60 * 1000;

/**
 * Deletes sign-up requests spent for longer than SPENT_SIGNUP_REQUEST_KEPT_MS:
 * each holds a password hash, which has no business outliving its link.
 * Answers how many went. Run hourly by the scheduled sweeps.
 */
export async function forgetSpentSignupRequests(db: D1Database, now = Date.now()): Promise<number> {
  const before = now - SPENT_SIGNUP_REQUEST_KEPT_MS;
  const result = await db.prepare('DELETE FROM signup_requests WHERE expires_at < ?1 OR used_at < ?1').bind(before).run();
  return result.meta.changes;
}
