import { isEmailedNotice } from '../../email/notice-email';
import { sendNoticeEmailsSoon } from '../../email/notice-delivery';
import { queryFirst, statement, toIso, transaction } from '../../platform/db';
import { AppError } from '../../platform/errors';
import { createId } from '../../platform/ids';
import { createLogger } from '../../platform/logger';
import { CF_CODES, CloudflareApiError, type CustomHostnamesClient } from './custom-hostnames.client';
import { checkTxt, type DnsResolver } from './dns';

/**
 * Who may hold a hostname. Adding a domain claims it at once (so two
 * agencies cannot race for it), but a claim nobody has proven holds the
 * hostname for 72 hours only: proof is Cloudflare verifying the domain's DNS,
 * or, for an agency that finds the hostname held by an unproven claim, a TXT
 * record with a token of its own. A claim that is not proven in time, or that
 * loses to a proven one, is released: deleted here and at Cloudflare, its
 * agency told by a notice, and its domain status saying why.
 */

/** How long an unproven claim holds its hostname. */
export const UNPROVEN_CLAIM_TTL_MS = 72 * 60 * 60 * 1000;

export type ReleaseReason = 'expired' | 'proven_elsewhere';

/** What a claim row needs here (a subset of the custom_domains row). */
export interface ClaimRow {
  agency_id: string;
  account_id: string;
  hostname: string;
  cloudflare_hostname_id: string | null;
  status: string;
  expires_at: number | null;
  created_at: number;
}

/** Holds its hostname only until `expires_at`: never verified by Cloudflare and not proven by a TXT of its own. */
export function isUnproven(row: Pick<ClaimRow, 'status' | 'expires_at'>): row is Pick<ClaimRow, 'status'> & { expires_at: number } {
  return row.status === 'pending' && row.expires_at !== null;
}

export function isExpired(row: Pick<ClaimRow, 'status' | 'expires_at'>, now: number): boolean {
  return isUnproven(row) && row.expires_at <= now;
}

// ---------------------------------------------------------------- proof by TXT

/** The TXT record an agency creates to prove a hostname held by an unproven claim is its own. */
export const claimRecordName = (hostname: string) => `_edge-crm-claim.${hostname}`;
export const claimRecordValue = (token: string) => `edge-crm-claim=${token}`;

export interface ClaimChallenge {
  type: 'TXT';
  name: string;
  value: string;
}

/** The agency's token for `hostname`: made once, the same on every try, so a record created once keeps proving. */
export async function challengeFor(db: D1Database, claimant: { agencyId: string; accountId: string }, hostname: string): Promise<ClaimChallenge> {
  const token = crypto.randomUUID().replaceAll('-', '');
  await statement(
    db,
    'INSERT INTO custom_domain_challenges (agency_id, account_id, hostname, token, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (agency_id, hostname) DO NOTHING',
    claimant.agencyId,
    claimant.accountId,
    hostname,
    token,
    Date.now(),
  ).run();
  const row = await queryFirst<{ token: string }>(
    db,
    'SELECT token FROM custom_domain_challenges WHERE agency_id = ? AND hostname = ?',
    claimant.agencyId,
    hostname,
  );
  return { type: 'TXT', name: claimRecordName(hostname), value: claimRecordValue(row?.token ?? token) };
}

/** Whether the DNS shows the agency's own claim record for the hostname now. */
export async function challengeMet(dns: DnsResolver, challenge: ClaimChallenge): Promise<{ met: boolean; found: string[]; state: string }> {
  const txt = await checkTxt(dns, challenge.name, challenge.value);
  return { met: txt.state === 'ok', found: txt.values, state: txt.state };
}

export function forgetChallenge(db: D1Database, agencyId: string, hostname: string): D1PreparedStatement {
  return statement(db, 'DELETE FROM custom_domain_challenges WHERE agency_id = ? AND hostname = ?', agencyId, hostname);
}

/** The 409 an agency gets for a hostname held by another agency's unproven claim: how to prove it is theirs. */
export function proofRequired(hostname: string, challenge: ClaimChallenge, holder: { expires_at: number }, dns: { state: string; found: string[] }): AppError {
  const seen =
    dns.state === 'wrong' ? ` The DNS shows "${dns.found.join('", "')}" there now.` : dns.state === 'unknown' ? ' The DNS could not be read just now.' : '';
  return new AppError(
    'conflict',
    `${hostname} is claimed by another account on this platform, but that claim is not verified. If the domain is yours, create the DNS record TXT ${challenge.name} with the value ${challenge.value}, then add the domain again: the unverified claim is released and the domain is yours.${seen} Otherwise the other claim lapses at ${toIso(holder.expires_at)} if it is not verified by then.`,
    { extensions: { reason: 'ownership_proof_required', hostname, challenge, claim_expires_at: toIso(holder.expires_at) } },
  );
}

// ---------------------------------------------------------------- release

const log = createLogger({ component: 'custom-domain-claims' });

const RELEASE_WHY: Record<ReleaseReason, string> = {
  expired: 'it was not verified within 72 hours, and an unverified claim holds a hostname for that long only',
  proven_elsewhere: "another account proved it controls the domain's DNS (with a TXT record of its own) while this claim was not verified",
};

export function releaseMessage(hostname: string, reason: ReleaseReason): string {
  return `Your claim on the custom domain ${hostname} was released: ${RELEASE_WHY[reason]}. If the domain is yours, add it again and create its DNS records.`;
}

export const CLAIM_RELEASED_NOTICE = 'domain.claim_released';

/**
 * Releases an unproven claim in one transaction: the row goes (only if it is
 * still unproven, so a claim verified meanwhile is kept), and in the same
 * commit its agency gets a release record and a notice. Then the hostname is
 * deleted at Cloudflare, so a new claim starts with a token of its own.
 * Answers whether this call released it.
 */
export async function releaseClaim(
  db: D1Database,
  env: Env,
  cloudflare: CustomHostnamesClient,
  row: ClaimRow,
  reason: ReleaseReason,
  now = Date.now(),
): Promise<boolean> {
  const message = releaseMessage(row.hostname, reason);
  const emailed = isEmailedNotice(CLAIM_RELEASED_NOTICE);
  const [deleted] = await transaction(db, [
    statement(
      db,
      "DELETE FROM custom_domains WHERE agency_id = ? AND hostname = ? AND status = 'pending' AND expires_at IS NOT NULL",
      row.agency_id,
      row.hostname,
    ),
    // changes() is the DELETE's: nothing below happens unless it removed the claim.
    statement(
      db,
      `INSERT INTO custom_domain_releases (agency_id, account_id, hostname, reason, released_at) SELECT ?, ?, ?, ?, ? WHERE changes() = 1
         ON CONFLICT (agency_id) DO UPDATE SET hostname = excluded.hostname, reason = excluded.reason, released_at = excluded.released_at`,
      row.agency_id,
      row.account_id,
      row.hostname,
      reason,
      now,
    ),
    statement(
      db,
      `INSERT INTO notifications (id, account_id, kind, message, dedupe_key, created_at, email_status, email_next_at)
       SELECT ?, ?, ?, ?, ?, ?, ?, ? WHERE changes() = 1 ON CONFLICT (dedupe_key) DO NOTHING`,
      createId('notification'),
      row.account_id,
      CLAIM_RELEASED_NOTICE,
      message,
      `domain-release:${row.agency_id}:${row.hostname}:${row.created_at}`,
      now,
      emailed ? 'pending' : null,
      emailed ? now : null,
    ),
  ]);
  if ((deleted?.meta.changes ?? 0) === 0) return false;
  log.info('released an unproven custom domain claim', { hostname: row.hostname, agency_id: row.agency_id, reason });

  const ids = row.cloudflare_hostname_id
    ? [row.cloudflare_hostname_id]
    : await cloudflare.list({ hostname: row.hostname }).then(
        (r) => r.result.filter((h) => h.hostname === row.hostname).map((h) => h.id),
        () => [],
      );
  for (const id of ids) {
    try {
      await cloudflare.delete(id);
    } catch (err) {
      // Left at Cloudflare, the next claim adopts it (registerHostname): the hostname is still free here.
      if (!(err instanceof CloudflareApiError && err.has(CF_CODES.notFound)))
        log.warn('released claim still registered at Cloudflare', { hostname: row.hostname, error: err instanceof Error ? err.message : String(err) });
    }
  }
  if (emailed) await sendNoticeEmailsSoon(env, row.account_id);
  return true;
}

export interface ReleaseRecord {
  hostname: string;
  reason: ReleaseReason;
  released_at: number;
}

export async function lastRelease(db: D1Database, agencyId: string): Promise<ReleaseRecord | null> {
  return queryFirst<ReleaseRecord>(db, 'SELECT hostname, reason, released_at FROM custom_domain_releases WHERE agency_id = ?', agencyId);
}

export function forgetRelease(db: D1Database, agencyId: string): D1PreparedStatement {
  return statement(db, 'DELETE FROM custom_domain_releases WHERE agency_id = ?', agencyId);
}

/** The 404 an agency whose claim was released gets from status and verify: what happened, and what to do. */
export function releasedProblem(release: ReleaseRecord): AppError {
  return new AppError(
    'not_found',
    `${releaseMessage(release.hostname, release.reason)} (Released at ${toIso(release.released_at)}.) This agency has no custom domain now; add one with POST /api/agency/domain/add.`,
    {
      extensions: { reason: 'claim_released', hostname: release.hostname, release_reason: release.reason, released_at: toIso(release.released_at) },
    },
  );
}
