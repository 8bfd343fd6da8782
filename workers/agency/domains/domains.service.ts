import { requireAgencyManager } from '../agency-access';
import { accountStanding, assertPlanFeature } from '../../billing/entitlements';
import { planAllows } from '../../billing/plans';
import { isUniqueViolation, queryAll, queryFirst, statement, toIso, transaction } from '../../platform/db';
import type { ServiceDeps } from '../../platform/deps';
import { AppError } from '../../platform/errors';
import { createLogger } from '../../platform/logger';
import { forgetHost, isPlatformHost } from '../../tenancy/host.middleware';
import {
  CF_CODES,
  CloudflareApiError,
  CloudflareUnavailableError,
  customHostnamesClient,
  type CustomHostname,
  type CustomHostnamesClient,
  type SslRequest,
} from './custom-hostnames.client';
import { checkDomainDns, dnsResolver, normalizeName, type DnsResolver, type DomainDnsCheck } from './dns';
import {
  challengeFor,
  challengeMet,
  forgetChallenge,
  forgetRelease,
  isExpired,
  isUnproven,
  lastRelease,
  proofRequired,
  releaseClaim,
  releasedProblem,
  UNPROVEN_CLAIM_TTL_MS,
} from './claims';
import type { DomainStatus } from './domains.schemas';
import { registrableDomain } from './hostname';

/**
 * Agency custom domains (PRD 2.3) on Cloudflare for SaaS: add registers the
 * hostname with Cloudflare and answers the DNS records to create; verify asks
 * Cloudflare to re-check now; status reads where things stand; remove takes
 * the domain offline and deletes it at Cloudflare. Cloudflare's verdict
 * decides when a domain goes live; the service's own DNS lookups only explain
 * what is missing. `agencies.custom_domain`, which the edge resolves Host
 * headers with, is set only while the domain is live, and every change to it
 * drops the host from this isolate's cache. A claim that is not verified
 * holds its hostname for 72 hours only, and loses it sooner to an agency that
 * proves the domain is its own (claims.ts).
 */

export interface CustomDomainRow {
  agency_id: string;
  account_id: string;
  hostname: string;
  cloudflare_hostname_id: string | null;
  status: DomainStatus;
  cloudflare_status: string | null;
  ssl_status: string | null;
  ownership_txt_name: string | null;
  ownership_txt_value: string | null;
  verification_errors: string;
  checked_at: number | null;
  activated_at: number | null;
  /** Until when an unproven claim holds the hostname; NULL once proven (claims.ts). */
  expires_at: number | null;
  created_at: number;
  updated_at: number;
}

/** Cloudflare and DNS, replaceable in tests. */
export interface DomainProviders {
  cloudflare: CustomHostnamesClient;
  dns: DnsResolver;
}

export function domainProviders(env: Env): DomainProviders {
  return { cloudflare: customHostnamesClient(env), dns: dnsResolver(env) };
}

/**
 * Domain control for the certificate by HTTP: once the CNAME reaches the
 * platform, Cloudflare answers the CA's challenge itself, so agencies create
 * two records, not three. Sending the same settings again asks for a re-check.
 */
const SSL_REQUEST: SslRequest = { method: 'http', type: 'dv' };

const log = createLogger({ component: 'custom-domains' });

/** Where agencies point their CNAME: the fallback origin of the platform's Cloudflare for SaaS zone. */
export function customDomainTarget(env: Env): string {
  const target = normalizeName(env.CUSTOM_DOMAIN_TARGET ?? '');
  if (!target) throw new AppError('provider_unavailable', 'Custom domains are not configured on this platform (CUSTOM_DOMAIN_TARGET is empty).');
  return target;
}

// ---------------------------------------------------------------- who may

/**
 * Custom domains belong to an agency and are managed by its owners and
 * admins, from the agency's own account. Everyone else is told why not.
 */
function requireDomainManager(deps: ServiceDeps): Promise<{ id: string }> {
  return requireAgencyManager(deps, {
    subject: 'Custom domains',
    forClientUsers: 'Custom domains are set up by the agency that manages this account. Ask your agency to connect one.',
    forBusinesses: "Custom domains are part of white-label for agency accounts. This is a business account, which is served at the platform's own address.",
    action: "manage the agency's custom domain",
  });
}

// ---------------------------------------------------------------- rows

async function domainOf(db: D1Database, agencyId: string): Promise<CustomDomainRow | null> {
  return queryFirst<CustomDomainRow>(db, 'SELECT * FROM custom_domains WHERE agency_id = ?', agencyId);
}

function taken(hostname: string): AppError {
  return new AppError(
    'conflict',
    `${hostname} is already connected to another account on this platform. If the domain is yours, remove it from that account first, or contact support.`,
    {
      extensions: { reason: 'domain_taken' },
    },
  );
}

/** Refuses the platform's own addresses: they already serve the unbranded app. */
function assertNotPlatformAddress(env: Env, hostname: string, target: string): void {
  const platformZone = registrableDomain(target);
  if (isPlatformHost(hostname, env.PLATFORM_HOSTS) || hostname === target || hostname === platformZone || hostname.endsWith(`.${platformZone}`)) {
    throw new AppError('validation_failed', `${hostname} is one of the platform's own addresses, so it cannot be an agency's custom domain.`, {
      errors: [
        { field: 'hostname', message: "This is one of the platform's own addresses; use a hostname under a domain the agency owns.", code: 'platform_host' },
      ],
    });
  }
}

// ---------------------------------------------------------------- Cloudflare

/** Cloudflare's refusals and failures, in the API's own errors. */
function fromCloudflare(err: unknown, hostname: string): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof CloudflareApiError) {
    const hostnameCodes: number[] = [CF_CODES.invalidHostname, CF_CODES.nonAscii, CF_CODES.reservedTld, CF_CODES.unparsable, CF_CODES.exampleDomain];
    const refusal = err.errors.find((e) => hostnameCodes.includes(e.code));
    if (refusal) {
      return new AppError('validation_failed', `Cloudflare does not accept ${hostname} as a custom hostname.`, {
        errors: [{ field: 'hostname', message: refusal.message, code: `cloudflare_${refusal.code}` }],
      });
    }
    if (err.has(CF_CODES.quotaExceeded))
      return new AppError('provider_unavailable', 'The platform has used all of its custom domains at Cloudflare; contact support to raise the limit.');
    log.error('cloudflare refused a custom hostname call', { status: err.status, errors: err.errors });
    return new AppError(
      'provider_unavailable',
      `Cloudflare refused the request (${err.errors.map((e) => e.code).join(', ') || err.status}); nothing was changed. Contact support if this persists.`,
    );
  }
  if (err instanceof CloudflareUnavailableError) {
    log.warn('cloudflare unavailable', { error: err.message });
    return new AppError('provider_unavailable', 'Cloudflare could not be reached just now; nothing was changed. Try again in a minute.');
  }
  return new AppError('internal_error', 'Something went wrong on our side. The request id identifies it in our logs.');
}

/**
 * Registers the hostname in the platform's zone. Cloudflare's "duplicate"
 * (1406) means either an earlier attempt of ours left it in our zone (then it
 * is adopted: D1 already says no other agency claims it) or another
 * Cloudflare customer holds it.
 */
async function registerHostname(cloudflare: CustomHostnamesClient, hostname: string): Promise<CustomHostname> {
  try {
    return await cloudflare.create({ hostname, ssl: SSL_REQUEST });
  } catch (err) {
    if (!(err instanceof CloudflareApiError && err.has(CF_CODES.duplicate))) throw err;
    const ours = (await cloudflare.list({ hostname })).result.find((h) => h.hostname === hostname);
    if (ours) return ours;
    throw new AppError('conflict', `${hostname} is already registered with Cloudflare by another service. Remove it there first, then add it here.`, {
      extensions: { reason: 'domain_taken' },
    });
  }
}

// ---------------------------------------------------------------- where things stand

export interface DomainState {
  status: DomainStatus;
  cloudflareStatus: string | null;
  sslStatus: string | null;
  errors: string[];
}

/** The product's reading of Cloudflare's two statuses: live only when the hostname and its certificate are both active. */
export function domainStatusOf(cf: Pick<CustomHostname, 'status' | 'ssl'> | null): DomainStatus {
  if (!cf) return 'pending';
  if (cf.status === 'active' || cf.status === 'active_redeploying') return cf.ssl?.status === 'active' ? 'active' : 'provisioning';
  if (cf.status === 'moved') return 'moved';
  if (cf.status.includes('blocked')) return 'blocked';
  return 'pending';
}

/** What stands between the domain and going live, in words for the person setting up DNS. */
export function explainDomain(input: {
  hostname: string;
  target: string;
  txtName: string | null;
  txtValue: string | null;
  status: DomainStatus;
  sslStatus: string | null;
  cloudflareErrors: string[];
  dns: DomainDnsCheck;
}): string[] {
  const { hostname, target, txtName, txtValue, status, dns } = input;
  const cnameFix = `CNAME ${hostname} -> ${target}`;
  let cnameProblem: string | null = null;
  switch (dns.cname.state) {
    case 'missing':
      cnameProblem = dns.cname.addresses.length
        ? `${hostname} has an address record (${dns.cname.addresses.join(', ')}) instead of a CNAME; replace it with ${cnameFix}.`
        : `No CNAME record found for ${hostname}; create ${cnameFix}.`;
      break;
    case 'wrong': {
      const via = dns.cname.chain.length > 1 ? ` (which leads on to ${dns.cname.chain[dns.cname.chain.length - 1]})` : '';
      cnameProblem = `${hostname} has a CNAME to ${dns.cname.chain[0]}${via}, not ${target}; change it to ${cnameFix}.`;
      break;
    }
    case 'unknown':
      cnameProblem = `Could not look up the CNAME of ${hostname} just now (${dns.cname.error}).`;
      break;
  }

  if (status === 'active')
    return cnameProblem && dns.cname.state !== 'unknown'
      ? [`${hostname} is live, but its DNS no longer points at the platform, so it will be taken offline: ${cnameProblem}`]
      : [];
  if (status === 'blocked')
    return [`Cloudflare has blocked ${hostname}, so it cannot be used as a custom domain. Contact support if you believe this is a mistake.`];

  const errors: string[] = [];
  if (status === 'moved')
    errors.push(`${hostname} was verified, but its CNAME no longer points at ${target}, so it was taken offline. Restore ${cnameFix}, then verify again.`);
  if (cnameProblem && !(status === 'moved' && dns.cname.state !== 'unknown')) errors.push(cnameProblem);
  if (status === 'pending' || status === 'moved') {
    if (txtName && txtValue) {
      if (dns.txt.state === 'missing') errors.push(`No TXT record found at ${txtName}; create TXT ${txtName} with the value ${txtValue}.`);
      if (dns.txt.state === 'wrong')
        errors.push(`The TXT record at ${txtName} holds "${dns.txt.values.join('", "')}", not the expected value; set it to ${txtValue}.`);
      if (dns.txt.state === 'unknown') errors.push(`Could not look up the TXT record at ${txtName} just now (${dns.txt.error}).`);
    }
    if (input.sslStatus === 'validation_timed_out')
      errors.push('Cloudflare stopped checking after 7 days without the right records. Fix the records, then verify again to restart the checks.');
    if (dns.cname.state === 'ok' && dns.txt.state === 'ok') {
      const said = input.cloudflareErrors.length ? ` (it last reported: ${input.cloudflareErrors.join(' ')})` : '';
      errors.push(
        `The DNS records look right, but Cloudflare has not confirmed them yet${said}. DNS changes can take a few minutes to reach Cloudflare; verify again shortly.`,
      );
    }
  }
  if (status === 'provisioning') {
    errors.push(
      `Ownership of ${hostname} is verified. Cloudflare is issuing its TLS certificate (${input.sslStatus ?? 'pending'}); the domain goes live as soon as the certificate is active, usually within a few minutes.`,
    );
  }
  return errors;
}

// ---------------------------------------------------------------- the view

export interface CustomDomainView {
  hostname: string;
  status: DomainStatus;
  live: boolean;
  cloudflare_status: string | null;
  ssl_status: string | null;
  dns_records: { type: 'CNAME' | 'TXT'; name: string; value: string; purpose: string; status: DomainDnsCheck['cname']['state']; found: string[] }[];
  errors: string[];
  checked_at: string | null;
  activated_at: string | null;
  expires_at: string | null;
  created_at: string;
}

function viewOf(row: CustomDomainRow, dns: DomainDnsCheck, target: string): CustomDomainView {
  const records: CustomDomainView['dns_records'] = [
    {
      type: 'CNAME',
      name: row.hostname,
      value: target,
      purpose: "Sends your clients' visits to this hostname to the platform.",
      status: dns.cname.state,
      found: dns.cname.chain.length ? dns.cname.chain : dns.cname.addresses,
    },
  ];
  if (row.ownership_txt_name && row.ownership_txt_value) {
    records.push({
      type: 'TXT',
      name: row.ownership_txt_name,
      value: row.ownership_txt_value,
      purpose: 'Proves to Cloudflare that you control this domain; you may delete it once the domain is active.',
      status: dns.txt.state,
      found: dns.txt.values,
    });
  }
  return {
    hostname: row.hostname,
    status: row.status,
    live: row.status === 'active',
    cloudflare_status: row.cloudflare_status,
    ssl_status: row.ssl_status,
    dns_records: records,
    errors: JSON.parse(row.verification_errors) as string[],
    checked_at: toIso(row.checked_at),
    activated_at: toIso(row.activated_at),
    expires_at: isUnproven(row) ? toIso(row.expires_at) : null,
    created_at: toIso(row.created_at) as string,
  };
}

/**
 * Brings the row in line with Cloudflare (`verify`: PATCH, a re-check now;
 * `read`: GET, which shows whatever Cloudflare's own clock has done), looks
 * at the DNS, stores the result, and puts the domain on or off the edge.
 */
async function sync(env: Env, db: D1Database, row: CustomDomainRow, mode: 'verify' | 'read', providers: DomainProviders): Promise<CustomDomainView> {
  const target = customDomainTarget(env);
  let cf: CustomHostname | null = null;
  let unreachable: string | null = null;
  try {
    if (!row.cloudflare_hostname_id) cf = await registerHostname(providers.cloudflare, row.hostname);
    else if (mode === 'verify') cf = await providers.cloudflare.edit(row.cloudflare_hostname_id, { ssl: SSL_REQUEST });
    else cf = await providers.cloudflare.get(row.cloudflare_hostname_id);
  } catch (err) {
    if (err instanceof CloudflareApiError && err.has(CF_CODES.notFound)) {
      // Cloudflare no longer has the hostname (deleted outside the product): register it again.
      try {
        cf = await registerHostname(providers.cloudflare, row.hostname);
      } catch (again) {
        if (mode === 'verify') throw fromCloudflare(again, row.hostname);
        unreachable = fromCloudflare(again, row.hostname).message;
      }
    } else if (mode === 'verify') {
      throw fromCloudflare(err, row.hostname);
    } else {
      unreachable =
        err instanceof CloudflareUnavailableError
          ? 'Cloudflare could not be reached just now, so this shows the last known state.'
          : `${fromCloudflare(err, row.hostname).message} This shows the last known state.`;
    }
  }

  const txtName = cf?.ownership_verification?.name ?? row.ownership_txt_name;
  const txtValue = cf?.ownership_verification?.value ?? row.ownership_txt_value;
  const dns = await checkDomainDns(providers.dns, {
    hostname: row.hostname,
    target,
    txtName: txtName ?? `_cf-custom-hostname.${row.hostname}`,
    txtValue: txtValue ?? '',
  });
  const status = cf ? domainStatusOf(cf) : row.status;
  const sslStatus = cf ? (cf.ssl?.status ?? null) : row.ssl_status;
  const errors = explainDomain({ hostname: row.hostname, target, txtName, txtValue, status, sslStatus, cloudflareErrors: cf?.verification_errors ?? [], dns });
  if (unreachable) errors.push(unreachable);

  const now = Date.now();
  const next: CustomDomainRow = {
    ...row,
    cloudflare_hostname_id: cf?.id ?? row.cloudflare_hostname_id,
    status,
    cloudflare_status: cf?.status ?? row.cloudflare_status,
    ssl_status: sslStatus,
    ownership_txt_name: txtName,
    ownership_txt_value: txtValue,
    verification_errors: JSON.stringify(errors),
    checked_at: cf ? now : row.checked_at,
    activated_at: status === 'active' ? (row.activated_at ?? now) : row.status === 'active' ? null : row.activated_at,
    // Verified by Cloudflare once: the claim is proven and no longer lapses.
    expires_at: status === 'provisioning' || status === 'active' || status === 'moved' ? null : row.expires_at,
    updated_at: now,
  };
  await save(db, next);
  return viewOf(next, dns, target);
}

/**
 * Stores the row and aligns the edge with it in one transaction: the agency's
 * `custom_domain` is set only while this row is active (and still exists:
 * a remove running meanwhile wins), and cleared otherwise.
 */
async function save(db: D1Database, row: CustomDomainRow): Promise<void> {
  const results = await transaction(db, [
    statement(
      db,
      `UPDATE custom_domains SET cloudflare_hostname_id = ?, status = ?, cloudflare_status = ?, ssl_status = ?, ownership_txt_name = ?, ownership_txt_value = ?,
              verification_errors = ?, checked_at = ?, activated_at = ?, updated_at = ?, expires_at = ?
        WHERE agency_id = ? AND hostname = ? AND status != 'removing'`,
      row.cloudflare_hostname_id,
      row.status,
      row.cloudflare_status,
      row.ssl_status,
      row.ownership_txt_name,
      row.ownership_txt_value,
      row.verification_errors,
      row.checked_at,
      row.activated_at,
      row.updated_at,
      row.expires_at,
      row.agency_id,
      row.hostname,
    ),
    row.status === 'active'
      ? statement(
          db,
          `UPDATE agencies SET custom_domain = ?1 WHERE id = ?2 AND custom_domain IS NOT ?1
              AND EXISTS (SELECT 1 FROM custom_domains WHERE agency_id = ?2 AND hostname = ?1 AND status = 'active')`,
          row.hostname,
          row.agency_id,
        )
      : statement(db, 'UPDATE agencies SET custom_domain = NULL WHERE id = ? AND custom_domain = ?', row.agency_id, row.hostname),
  ]);
  if ((results[1]?.meta.changes ?? 0) > 0) forgetHost(row.hostname);
}

// ---------------------------------------------------------------- verbs

/**
 * Connects a custom domain to the caller's agency: checks the plan
 * (white-label), refuses platform addresses and domains claimed elsewhere,
 * registers the hostname with Cloudflare and answers the DNS records to
 * create. Adding the agency's current domain again answers it unchanged.
 *
 * @example await addCustomDomain(deps, 'app.acme-agency.com') // { created: true, domain: { status: 'pending', dns_records: [...] } }
 */
export async function addCustomDomain(
  deps: ServiceDeps,
  hostname: string,
  providers: DomainProviders = domainProviders(deps.env),
): Promise<{ created: boolean; domain: CustomDomainView }> {
  const agency = await requireDomainManager(deps);
  await assertPlanFeature(deps.db, deps.auth.accountId, 'white_label');
  const target = customDomainTarget(deps.env);
  assertNotPlatformAddress(deps.env, hostname, target);

  const existing = await domainOf(deps.db, agency.id);
  if (existing) {
    if (existing.status === 'removing')
      throw new AppError('conflict', `Removing ${existing.hostname} did not finish. Call DELETE /api/agency/domain/remove again, then add ${hostname}.`);
    if (existing.hostname === hostname) return { created: false, domain: await sync(deps.env, deps.db, existing, 'read', providers) };
    throw new AppError(
      'conflict',
      `This agency already has the custom domain ${existing.hostname}, and an agency has one custom domain. Remove it first (DELETE /api/agency/domain/remove), then add ${hostname}.`,
      {
        extensions: { reason: 'domain_exists', hostname: existing.hostname },
      },
    );
  }
  const liveElsewhere = await queryFirst<{ one: number }>(deps.db, 'SELECT 1 AS one FROM agencies WHERE custom_domain = ? AND id != ?', hostname, agency.id);
  if (liveElsewhere) throw taken(hostname);
  const holder = await queryFirst<CustomDomainRow>(deps.db, 'SELECT * FROM custom_domains WHERE hostname = ?', hostname);
  const proven = holder ? await contestHostname(deps, agency.id, holder, providers) : false;

  // The row claims the hostname before Cloudflare is called, so two agencies racing for it cannot both get it.
  // Unless this agency just proved the domain by TXT, the claim lapses if it is not verified in time.
  const now = Date.now();
  const row: CustomDomainRow = {
    agency_id: agency.id,
    account_id: deps.auth.accountId,
    hostname,
    cloudflare_hostname_id: null,
    status: 'pending',
    cloudflare_status: null,
    ssl_status: null,
    ownership_txt_name: null,
    ownership_txt_value: null,
    verification_errors: '[]',
    checked_at: null,
    activated_at: null,
    expires_at: proven ? null : now + UNPROVEN_CLAIM_TTL_MS,
    created_at: now,
    updated_at: now,
  };
  try {
    await transaction(deps.db, [
      statement(
        deps.db,
        'INSERT INTO custom_domains (agency_id, account_id, hostname, status, verification_errors, expires_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        row.agency_id,
        row.account_id,
        row.hostname,
        row.status,
        row.verification_errors,
        row.expires_at,
        row.created_at,
        row.updated_at,
      ),
      forgetRelease(deps.db, agency.id),
      forgetChallenge(deps.db, agency.id, hostname),
    ]);
  } catch (err) {
    if (isUniqueViolation(err, 'hostname')) throw taken(hostname);
    if (isUniqueViolation(err))
      throw new AppError('conflict', 'This agency is adding a custom domain in another request right now; check GET /api/agency/domain/status.');
    throw err;
  }

  let cf: CustomHostname;
  try {
    cf = await registerHostname(providers.cloudflare, hostname);
  } catch (err) {
    await deps.db.prepare('DELETE FROM custom_domains WHERE agency_id = ? AND hostname = ? AND cloudflare_hostname_id IS NULL').bind(agency.id, hostname).run();
    throw fromCloudflare(err, hostname);
  }
  const registered = { ...row, cloudflare_hostname_id: cf.id };
  await deps.db.prepare('UPDATE custom_domains SET cloudflare_hostname_id = ? WHERE agency_id = ?').bind(cf.id, agency.id).run();
  return { created: true, domain: await sync(deps.env, deps.db, registered, 'read', providers) };
}

/**
 * A hostname another agency holds: taken when that claim is proven; when it
 * is not, released if it lapsed or if this agency's own TXT record is in the
 * DNS, and otherwise a 409 saying which record proves the domain. Answers
 * whether this agency proved the domain.
 */
async function contestHostname(deps: ServiceDeps, agencyId: string, holder: CustomDomainRow, providers: DomainProviders): Promise<boolean> {
  if (holder.agency_id === agencyId || !isUnproven(holder)) throw taken(holder.hostname);
  if (isExpired(holder, Date.now())) {
    if (await releaseIfLapsed(deps.env, deps.db, holder, providers, 'read')) return false;
    throw taken(holder.hostname); // verified at the last moment
  }
  const challenge = await challengeFor(deps.db, { agencyId, accountId: deps.auth.accountId }, holder.hostname);
  const dns = await challengeMet(providers.dns, challenge);
  if (!dns.met) throw proofRequired(holder.hostname, challenge, holder, dns);
  if (!(await releaseClaim(deps.db, deps.env, providers.cloudflare, holder, 'proven_elsewhere'))) throw taken(holder.hostname);
  return true;
}

/**
 * An unproven claim past its time gets one last look at Cloudflare (a domain
 * verified at the last minute is kept); still unverified, it is released.
 * Answers whether it was released.
 */
async function releaseIfLapsed(
  env: Env,
  db: D1Database,
  row: CustomDomainRow,
  providers: DomainProviders,
  mode: 'verify' | 'read',
  now = Date.now(),
): Promise<boolean> {
  if (!isExpired(row, now)) return false;
  const view = await sync(env, db, row, mode, providers).catch(() => null);
  if (view && view.status !== 'pending') return false;
  return releaseClaim(db, env, providers.cloudflare, row, 'expired', now);
}

/** The agency's domain for status and verify: a lapsed claim is released on the spot, and either way a missing domain says why. */
async function currentDomainOrThrow(
  deps: ServiceDeps,
  agencyId: string,
  action: string,
  providers: DomainProviders,
  mode: 'verify' | 'read',
): Promise<CustomDomainRow> {
  const row = await domainOf(deps.db, agencyId);
  if (row && !(await releaseIfLapsed(deps.env, deps.db, row, providers, mode))) return row;
  const release = await lastRelease(deps.db, agencyId);
  throw release ? releasedProblem(release) : noDomain(action);
}

function noDomain(action: string): AppError {
  return new AppError('not_found', `This agency has no custom domain to ${action}. Add one with POST /api/agency/domain/add.`);
}

/** Asks Cloudflare to re-check the domain now, and answers where it stands. */
export async function verifyCustomDomain(deps: ServiceDeps, providers: DomainProviders = domainProviders(deps.env)): Promise<CustomDomainView> {
  const agency = await requireDomainManager(deps);
  await assertPlanFeature(deps.db, deps.auth.accountId, 'white_label');
  const row = await currentDomainOrThrow(deps, agency.id, 'verify', providers, 'verify');
  if (row.status === 'removing') throw new AppError('conflict', `${row.hostname} is being removed. Call DELETE /api/agency/domain/remove again to finish.`);
  return sync(deps.env, deps.db, row, 'verify', providers);
}

/** Where the domain stands: Cloudflare's statuses, the DNS records to create and what the DNS shows now. */
export async function customDomainStatus(deps: ServiceDeps, providers: DomainProviders = domainProviders(deps.env)): Promise<CustomDomainView> {
  const agency = await requireDomainManager(deps);
  const row = await currentDomainOrThrow(deps, agency.id, 'show', providers, 'read');
  if (row.status === 'removing') {
    const target = customDomainTarget(deps.env);
    const dns = await checkDomainDns(providers.dns, {
      hostname: row.hostname,
      target,
      txtName: row.ownership_txt_name ?? '',
      txtValue: row.ownership_txt_value ?? '',
    });
    return {
      ...viewOf(row, dns, target),
      errors: [`Removing ${row.hostname} did not finish; it is offline. Call DELETE /api/agency/domain/remove again to finish.`],
    };
  }
  const view = await sync(deps.env, deps.db, row, 'read', providers);
  const standing = await accountStanding(deps.db, deps.auth.accountId);
  if (planAllows(standing.plan, 'white_label')) return view;
  return {
    ...view,
    live: false,
    errors: [
      `The ${standing.plan.name} plan does not include white-label, so ${row.hostname} is offline: it answers the neutral "not set up" page and your clients sign in at the platform's address. Upgrading to a plan with white-label brings it back at once; nothing needs verifying again.`,
      ...view.errors,
    ],
  };
}

/**
 * Takes the domain off the edge at once (the host answers the neutral 404
 * from the next request), deletes it at Cloudflare, then forgets it. When
 * Cloudflare cannot be reached the domain stays offline and marked
 * `removing`; calling remove again finishes.
 */
export async function removeCustomDomain(deps: ServiceDeps, providers: DomainProviders = domainProviders(deps.env)): Promise<{ hostname: string }> {
  const agency = await requireDomainManager(deps);
  const row = await domainOf(deps.db, agency.id);
  if (!row) throw noDomain('remove');
  await transaction(deps.db, [
    statement(deps.db, "UPDATE custom_domains SET status = 'removing', updated_at = ? WHERE agency_id = ?", Date.now(), agency.id),
    statement(deps.db, 'UPDATE agencies SET custom_domain = NULL WHERE id = ? AND custom_domain = ?', agency.id, row.hostname),
  ]);
  forgetHost(row.hostname);

  try {
    const ids = row.cloudflare_hostname_id
      ? [row.cloudflare_hostname_id]
      : // An add that stopped between Cloudflare and D1 may have left the hostname registered without its id here.
        (await providers.cloudflare.list({ hostname: row.hostname })).result.filter((h) => h.hostname === row.hostname).map((h) => h.id);
    for (const id of ids) {
      try {
        await providers.cloudflare.delete(id);
      } catch (err) {
        if (!(err instanceof CloudflareApiError && err.has(CF_CODES.notFound))) throw err;
      }
    }
  } catch (err) {
    const reason = fromCloudflare(err, row.hostname);
    throw new AppError(
      reason.code,
      `${row.hostname} is offline, but deleting it at Cloudflare did not finish: ${reason.message} Call DELETE /api/agency/domain/remove again to finish.`,
    );
  }
  await deps.db.prepare('DELETE FROM custom_domains WHERE agency_id = ?').bind(agency.id).run();
  return { hostname: row.hostname };
}

/**
 * Releases unproven claims past their 72 hours (claims.ts), then refreshes
 * domains still on their way to live from Cloudflare, oldest check first, so
 * a certificate that finished while nobody was looking puts the domain live.
 * Meant for the scheduled handler; answers how many went live and how many
 * claims were released.
 *
 * @example ctx.waitUntil(refreshCustomDomains(env, { limit: 20 }))
 */
export async function refreshCustomDomains(
  env: Env,
  options: { limit?: number; providers?: DomainProviders; now?: number } = {},
): Promise<{ checked: number; live: number; released: number }> {
  const now = options.now ?? Date.now();
  const providers = options.providers ?? domainProviders(env);
  // Unproven claims past their 72 hours are released first, so they stop holding hostnames others may own.
  const lapsed = await queryAll<CustomDomainRow>(
    env.DB,
    "SELECT * FROM custom_domains WHERE status = 'pending' AND expires_at IS NOT NULL AND expires_at <= ? ORDER BY expires_at LIMIT ?",
    now,
    options.limit ?? 20,
  );
  let released = 0;
  for (const row of lapsed) {
    try {
      if (await releaseIfLapsed(env, env.DB, row, providers, 'read', now)) released += 1;
    } catch (err) {
      log.warn('releasing a lapsed custom domain claim failed', { hostname: row.hostname, error: err instanceof Error ? err.message : String(err) });
    }
  }

  const rows = await queryAll<CustomDomainRow>(
    env.DB,
    "SELECT * FROM custom_domains WHERE status IN ('pending', 'provisioning', 'moved') ORDER BY COALESCE(checked_at, 0) LIMIT ?",
    options.limit ?? 20,
  );
  let live = 0;
  for (const row of rows) {
    try {
      if ((await sync(env, env.DB, row, 'read', providers)).live) live += 1;
    } catch (err) {
      log.warn('custom domain refresh failed', { hostname: row.hostname, error: err instanceof Error ? err.message : String(err) });
    }
  }
  return { checked: rows.length, live, released };
}
