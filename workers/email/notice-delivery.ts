import { queryAll, queryFirst } from '../platform/db';
import { createLogger } from '../platform/logger';
import { emailBrandOf } from './branded-email';
import { noticeEmail } from './notice-email';
import { EmailSendError, sendEmail } from './resend.client';

/**
 * Delivers the emails of pending notices. Each notice is sent once to its
 * account's owners and admins with the notice id as Resend's idempotency
 * key, so two deliverers racing, or a retry after a lost answer, still make
 * one email. Transient failures (ESP down, rate limited) back off and are
 * tried again by the next sweep; a refusal is recorded and not retried.
 */

const MAX_ATTEMPTS = 8;
/** Back-off after the n-th failed attempt: 1, 2, 4 ... minutes, at most an hour. */
const retryDelayMs = (attempt: number) => Math.min(60, 2 ** (attempt - 1)) * 60_000;

interface PendingNotice {
  id: string;
  account_id: string;
  kind: string;
  message: string;
  email_attempts: number;
}

export interface DeliveryReport {
  sent: number;
  retrying: number;
  failed: number;
  no_recipient: number;
}

export async function deliverNoticeEmails(env: Env, options: { accountId?: string; limit?: number; now?: number } = {}): Promise<DeliveryReport> {
  const now = options.now ?? Date.now();
  const pending = await queryAll<PendingNotice>(
    env.DB,
    `SELECT id, account_id, kind, message, email_attempts FROM notifications
      WHERE email_status = 'pending' AND email_next_at <= ? ${options.accountId ? 'AND account_id = ?' : ''}
      ORDER BY email_next_at LIMIT ?`,
    now,
    ...(options.accountId ? [options.accountId] : []),
    options.limit ?? 25,
  );
  const report: DeliveryReport = { sent: 0, retrying: 0, failed: 0, no_recipient: 0 };
  for (const notice of pending) report[await deliverOne(env, notice, now)]++;
  return report;
}

/**
 * Right after a notice is written: sends its account's pending emails now.
 * A failure here is only logged; the every-minute sweep tries again.
 */
export async function sendNoticeEmailsSoon(env: Env, accountId: string): Promise<void> {
  try {
    await deliverNoticeEmails(env, { accountId, limit: 5 });
  } catch (err) {
    createLogger({ email: 'notice' }).warn('notice emails left for the sweep', {
      account_id: accountId,
      error: err instanceof Error ? err.message : String(err),
    });
  }
}

async function deliverOne(env: Env, notice: PendingNotice, now: number): Promise<keyof DeliveryReport> {
  const log = createLogger({ email: notice.kind, notification_id: notice.id });
  const recipients = await queryAll<{ email: string }>(
    env.DB,
    `SELECT u.email FROM memberships m JOIN users u ON u.id = m.user_id
      WHERE m.account_id = ? AND m.role IN ('owner', 'admin') ORDER BY m.role = 'owner' DESC, u.email LIMIT 50`,
    notice.account_id,
  );
  if (recipients.length === 0) {
    await settle(env, notice.id, "email_status = 'no_recipient', email_error = 'The account has no owner or admin to write to.'");
    return 'no_recipient';
  }
  const to = recipients.map((r) => r.email);
  const account = await queryFirst<{ name: string }>(env.DB, 'SELECT name FROM accounts WHERE id = ?', notice.account_id);
  const content = noticeEmail(
    { kind: notice.kind, message: notice.message, accountName: account?.name ?? 'your account' },
    await emailBrandOf(env, notice.account_id, now),
    env.EMAIL_FROM_ADDRESS,
  );

  try {
    const sent = await sendEmail(
      env,
      {
        ...content,
        to,
        headers: { 'X-Entity-Ref-ID': notice.id },
        tags: [
          { name: 'notice', value: notice.kind.replace(/[^A-Za-z0-9_-]/g, '_') },
          { name: 'account', value: notice.account_id.replace(/[^A-Za-z0-9_-]/g, '_') },
        ],
      },
      `notice:${notice.id}`,
    );
    await settle(env, notice.id, "email_status = 'sent', email_id = ?, email_to = ?, email_error = NULL", sent.id, to.join(', '));
    return 'sent';
  } catch (err) {
    const failure = err instanceof EmailSendError ? err : new EmailSendError(0, 'unexpected_error', err instanceof Error ? err.message : String(err));
    if (failure.code === 'invalid_idempotent_request') {
      // Resend keeps a key only for a send it accepted: an earlier attempt went out (its answer was lost), with content since changed.
      await settle(env, notice.id, "email_status = 'sent', email_to = ?, email_error = 'Sent by an earlier attempt whose answer was lost.'", to.join(', '));
      return 'sent';
    }
    const attempt = notice.email_attempts + 1;
    const giveUp = !failure.retryable || attempt >= MAX_ATTEMPTS;
    log.warn('notice email not sent', { attempt, status: failure.status, code: failure.code, giving_up: giveUp });
    await env.DB.prepare(
      `UPDATE notifications SET email_attempts = ?, email_error = ?, email_status = ?, email_next_at = ? WHERE id = ? AND email_status = 'pending'`,
    )
      .bind(attempt, `${failure.code}: ${failure.message}`, giveUp ? 'failed' : 'pending', giveUp ? null : now + retryDelayMs(attempt), notice.id)
      .run();
    return giveUp ? 'failed' : 'retrying';
  }
}

async function settle(env: Env, id: string, set: string, ...binds: string[]): Promise<void> {
  await env.DB.prepare(`UPDATE notifications SET ${set}, email_attempts = email_attempts + 1, email_next_at = NULL WHERE id = ? AND email_status = 'pending'`)
    .bind(...binds, id)
    .run();
}
