import { RECHECK_BACKOFF_SECONDS, SSL_DEPLOYMENT_SECONDS, SSL_ISSUANCE_SECONDS, VALIDATION_WINDOW_SECONDS } from './cloudflare.constants';
import { CF_ERRORS, type CfReply } from './cloudflare.wire';

/**
 * The rules of one emulated custom hostname, as pure functions over its
 * state: what Cloudflare accepts at creation, how a validation pass decides
 * activation from DNS (the hostname must CNAME to the zone's fallback origin
 * and the ownership TXT must hold its token), how the certificate moves
 * through issuance and deployment on the emulator's clock, and what the API
 * shows. Times are the emulator clock's unix seconds.
 *
 * One deliberate difference from Cloudflare: real Cloudflare activates a
 * hostname that CNAMEs to the zone without the TXT record (the TXT exists to
 * pre-validate before traffic moves). The sandbox asks for both, because the
 * product tells agencies to create both and its tests prove each is checked.
 */

export const HOSTNAME_STATUSES = [
  'active',
  'pending',
  'active_redeploying',
  'moved',
  'pending_deletion',
  'deleted',
  'pending_blocked',
  'pending_migration',
  'pending_provisioned',
  'test_pending',
  'test_active',
  'test_active_apex',
  'test_blocked',
  'test_failed',
  'provisioned',
  'blocked',
] as const;
export type HostnameStatus = (typeof HOSTNAME_STATUSES)[number];

export const SSL_STATUSES = [
  'initializing',
  'pending_validation',
  'deleted',
  'pending_issuance',
  'pending_deployment',
  'pending_deletion',
  'pending_expiration',
  'expired',
  'active',
  'initializing_timed_out',
  'validation_timed_out',
  'issuance_timed_out',
  'deployment_timed_out',
  'deletion_timed_out',
  'pending_cleanup',
  'staging_deployment',
  'staging_active',
  'deactivating',
  'inactive',
  'backup_issued',
  'holding_deployment',
] as const;
export type SslStatus = (typeof SSL_STATUSES)[number];

export type DcvMethod = 'http' | 'txt' | 'email';
const DCV_METHODS: readonly DcvMethod[] = ['http', 'txt', 'email'];
const BUNDLE_METHODS = ['ubiquitous', 'optimal', 'force'] as const;
const CERTIFICATE_AUTHORITIES = ['digicert', 'google', 'lets_encrypt', 'ssl_com'] as const;

export interface SslState {
  id: string;
  method: DcvMethod;
  type: 'dv';
  bundle_method: (typeof BUNDLE_METHODS)[number];
  certificate_authority: (typeof CERTIFICATE_AUTHORITIES)[number];
  wildcard: boolean;
  settings: Record<string, unknown>;
  status: SslStatus;
  /** The DCV token: the TXT value at `_acme-challenge.<host>`, or the body served at the HTTP challenge URL. */
  dcv_token: string;
  validation_errors: string[];
  validated_at: number | null;
  serial_number: string | null;
}

export interface HostnameState {
  id: string;
  hostname: string;
  created_at: number;
  status: HostnameStatus;
  /** The value the `_cf-custom-hostname.<host>` TXT record must hold. */
  ownership_token: string;
  verification_errors: string[];
  custom_metadata: Record<string, string> | null;
  ssl: SslState;
  /** Start of the current 7-day validation window (creation, or the last edit). */
  window_started_at: number;
  /** Validation passes run in this window; sets the back-off to the next one. */
  checks: number;
  last_checked_at: number | null;
  next_check_at: number | null;
  activated_at: number | null;
}

/** What a validation pass learned from DNS about one hostname. */
export interface DnsFacts {
  /** Every hostname the name's CNAME chain passes through, in order. */
  cnameChain: string[];
  /** TXT values at `_cf-custom-hostname.<host>`. */
  ownershipTxt: string[];
  /** TXT values at `_acme-challenge.<host>`. */
  acmeTxt: string[];
}

export const ownershipRecordName = (hostname: string) => `_cf-custom-hostname.${hostname}`;
export const acmeRecordName = (hostname: string) => `_acme-challenge.${hostname.replace(/^\*\./, '')}`;

// ---------------------------------------------------------------- input

const RESERVED_TLDS = new Set(['test', 'example', 'invalid', 'localhost']);
const EXAMPLE_DOMAINS = ['example.com', 'example.net', 'example.org'];
/** Public suffixes of more than one label the emulator knows, so `co.uk` alone has no eTLD+1. */
const MULTI_LABEL_SUFFIXES = new Set([
  'co.uk',
  'org.uk',
  'ac.uk',
  'gov.uk',
  'com.au',
  'net.au',
  'org.au',
  'co.nz',
  'co.jp',
  'com.br',
  'com.mx',
  'co.za',
  'com.cn',
  'co.in',
  'workers.dev',
  'pages.dev',
]);
const SPECIAL = /[~`!@#$%^&()=+{}[\]\\|/?<>,;:'"\s]/;

/** Cloudflare's refusals of a hostname at creation (codes 1407-1411), or null when it is acceptable. */
export function hostnameRefusal(raw: unknown): CfReply | null {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length >= 256) return CF_ERRORS.invalidHostname();
  if (/[^\x20-\x7e]/.test(raw)) return CF_ERRORS.nonAscii();
  const host = raw.toLowerCase();
  if (SPECIAL.test(host) || /^\d{1,3}(\.\d{1,3}){3}$/.test(host)) return CF_ERRORS.invalidHostname();
  if (host.indexOf('*') > 0 || (host.startsWith('*') && !host.startsWith('*.'))) return CF_ERRORS.invalidHostname();
  const labels = host.replace(/^\*\./, '').split('.');
  if (labels.some((l) => l.length === 0 || l.length > 63 || l.startsWith('-') || l.endsWith('-'))) return CF_ERRORS.invalidHostname();
  if (RESERVED_TLDS.has(labels[labels.length - 1])) return CF_ERRORS.reservedTld();
  const bare = labels.join('.');
  if (EXAMPLE_DOMAINS.some((d) => bare === d || bare.endsWith(`.${d}`))) return CF_ERRORS.exampleDomain();
  if (labels.length < 2 || MULTI_LABEL_SUFFIXES.has(bare)) return CF_ERRORS.noRegistrableDomain(bare);
  return null;
}

export interface SslInput {
  method?: DcvMethod;
  type?: 'dv';
  bundle_method?: SslState['bundle_method'];
  certificate_authority?: SslState['certificate_authority'];
  wildcard?: boolean;
  settings?: Record<string, unknown>;
}

/** Reads an `ssl` (SSLPost) object; Cloudflare wants method and type together when either is given. */
export function parseSslInput(raw: unknown): { ok: true; ssl: SslInput } | { ok: false; reply: CfReply } {
  if (raw === undefined || raw === null) return { ok: true, ssl: {} };
  if (typeof raw !== 'object' || Array.isArray(raw)) return { ok: false, reply: CF_ERRORS.badSsl() };
  const s = raw as Record<string, unknown>;
  if ((s.method === undefined) !== (s.type === undefined)) return { ok: false, reply: CF_ERRORS.methodAndType() };
  if (s.method !== undefined && !DCV_METHODS.includes(s.method as DcvMethod)) return { ok: false, reply: CF_ERRORS.badMethod() };
  if (s.type !== undefined && s.type !== 'dv') return { ok: false, reply: CF_ERRORS.badType() };
  if (s.bundle_method !== undefined && !(BUNDLE_METHODS as readonly unknown[]).includes(s.bundle_method)) return { ok: false, reply: CF_ERRORS.badBundle() };
  if (s.certificate_authority !== undefined && !(CERTIFICATE_AUTHORITIES as readonly unknown[]).includes(s.certificate_authority))
    return { ok: false, reply: CF_ERRORS.badSsl() };
  if (s.wildcard !== undefined && typeof s.wildcard !== 'boolean') return { ok: false, reply: CF_ERRORS.badSsl() };
  if (s.settings !== undefined && (typeof s.settings !== 'object' || s.settings === null || Array.isArray(s.settings)))
    return { ok: false, reply: CF_ERRORS.badSsl() };
  return { ok: true, ssl: s as SslInput };
}

/** `custom_metadata` is a flat object of strings. */
export function parseMetadata(raw: unknown): { ok: true; metadata: Record<string, string> | null | undefined } | { ok: false; reply: CfReply } {
  if (raw === undefined) return { ok: true, metadata: undefined };
  if (raw === null) return { ok: true, metadata: null };
  if (typeof raw !== 'object' || Array.isArray(raw) || Object.values(raw as object).some((v) => typeof v !== 'string'))
    return { ok: false, reply: CF_ERRORS.badMetadata() };
  return { ok: true, metadata: raw as Record<string, string> };
}

function hex(bytes: number): string {
  return [...crypto.getRandomValues(new Uint8Array(bytes))].map((b) => b.toString(16).padStart(2, '0')).join('');
}

export function createHostnameState(
  input: { hostname: string; ssl: SslInput; metadata: Record<string, string> | null | undefined },
  now: number,
): HostnameState {
  return {
    id: crypto.randomUUID(),
    hostname: input.hostname.toLowerCase(),
    created_at: now,
    status: 'pending',
    ownership_token: crypto.randomUUID(),
    verification_errors: [],
    custom_metadata: input.metadata ?? null,
    ssl: {
      id: crypto.randomUUID(),
      method: input.ssl.method ?? 'http',
      type: 'dv',
      bundle_method: input.ssl.bundle_method ?? 'ubiquitous',
      certificate_authority: input.ssl.certificate_authority ?? 'google',
      wildcard: input.ssl.wildcard ?? false,
      settings: input.ssl.settings ?? {},
      status: 'initializing',
      dcv_token: hex(16),
      validation_errors: [],
      validated_at: null,
      serial_number: null,
    },
    window_started_at: now,
    checks: 0,
    last_checked_at: null,
    // The first validation pass is due at once: the next read runs it.
    next_check_at: now,
    activated_at: null,
  };
}

// ---------------------------------------------------------------- validation

/** Edited SSL settings or a plain PATCH: Cloudflare re-checks at once and the 7-day window starts again. */
export function restartValidation(state: HostnameState, ssl: SslInput, metadata: Record<string, string> | null | undefined, now: number): HostnameState {
  const methodChanged = ssl.method !== undefined && ssl.method !== state.ssl.method;
  const sslPending = ['initializing', 'pending_validation', 'validation_timed_out'].includes(state.ssl.status);
  return {
    ...state,
    custom_metadata: metadata === undefined ? state.custom_metadata : metadata,
    ssl: {
      ...state.ssl,
      method: ssl.method ?? state.ssl.method,
      bundle_method: ssl.bundle_method ?? state.ssl.bundle_method,
      certificate_authority: ssl.certificate_authority ?? state.ssl.certificate_authority,
      wildcard: ssl.wildcard ?? state.ssl.wildcard,
      settings: ssl.settings ?? state.ssl.settings,
      status: sslPending ? 'pending_validation' : state.ssl.status,
      dcv_token: methodChanged && sslPending ? hex(16) : state.ssl.dcv_token,
    },
    window_started_at: now,
    checks: 0,
    next_check_at: now,
  };
}

const CNAME_ERROR = 'custom hostname does not CNAME to this zone.';
const OWNERSHIP_ERROR = 'None of the A or AAAA records are owned by this account and the pre-generated ownership verification token was not found.';
const NO_FALLBACK_ERROR =
  'The zone has no fallback origin, so custom hostnames cannot be routed. Set one with PUT /zones/:zone_id/custom_hostnames/fallback_origin.';

/** Active hostnames are re-checked hourly, so a CNAME taken away moves them to `moved`. */
const ACTIVE_RECHECK_SECONDS = 3_600;

function needsValidation(state: HostnameState): boolean {
  return state.status === 'pending' || state.status === 'moved' || state.ssl.status === 'initializing' || state.ssl.status === 'pending_validation';
}

/**
 * One validation pass: the hostname goes active when its CNAME chain
 * reaches the fallback origin and the ownership TXT holds its token; an
 * active hostname whose CNAME went elsewhere is `moved`. Domain control for
 * the certificate passes by HTTP once traffic reaches the zone, or by the
 * `_acme-challenge` TXT; issuance then runs on the clock (advanceTime).
 */
export function runValidation(state: HostnameState, facts: DnsFacts, fallbackOrigin: string | null, now: number): HostnameState {
  const pointsAtZone = fallbackOrigin !== null && facts.cnameChain.includes(fallbackOrigin);
  const owned = facts.ownershipTxt.includes(state.ownership_token);
  let status = state.status;
  let activatedAt = state.activated_at;
  const errors: string[] = [];
  if (status === 'pending' || status === 'moved') {
    if (fallbackOrigin === null) errors.push(NO_FALLBACK_ERROR);
    else if (!pointsAtZone) errors.push(CNAME_ERROR);
    if (!owned) errors.push(OWNERSHIP_ERROR);
    if (pointsAtZone && owned) {
      status = 'active';
      activatedAt = now;
    }
  } else if (status === 'active' && !pointsAtZone) {
    status = 'moved';
    errors.push(fallbackOrigin === null ? NO_FALLBACK_ERROR : CNAME_ERROR);
  }

  const ssl = { ...state.ssl };
  if (ssl.status === 'initializing') ssl.status = 'pending_validation';
  if (ssl.status === 'pending_validation') {
    const host = state.hostname.replace(/^\*\./, '');
    let problem: string | null = null;
    if (ssl.method === 'http' && !pointsAtZone)
      problem = `HTTP validation could not reach http://${host}/.well-known/acme-challenge/: the hostname does not CNAME to this zone yet.`;
    if (ssl.method === 'txt' && !facts.acmeTxt.includes(ssl.dcv_token)) problem = `The TXT record ${acmeRecordName(host)} does not hold the validation token.`;
    if (ssl.method === 'email') problem = 'Email validation is not available in the sandbox; use the http or txt method.';
    if (problem) ssl.validation_errors = [problem];
    else {
      ssl.status = 'pending_issuance';
      ssl.validated_at = now;
      ssl.validation_errors = [];
    }
  }

  const checked: HostnameState = {
    ...state,
    status,
    activated_at: activatedAt,
    verification_errors: errors,
    ssl,
    checks: state.checks + 1,
    last_checked_at: now,
  };
  const backoff = RECHECK_BACKOFF_SECONDS[Math.min(checked.checks, RECHECK_BACKOFF_SECONDS.length - 1)];
  return { ...checked, next_check_at: needsValidation(checked) ? now + backoff : status === 'active' ? now + ACTIVE_RECHECK_SECONDS : null };
}

/**
 * What time alone does: a validated certificate is issued, then deployed;
 * a hostname still unvalidated when its 7-day window closes stops being
 * checked (`validation_timed_out`) until it is edited.
 */
export function advanceTime(state: HostnameState, now: number): HostnameState {
  const ssl = { ...state.ssl };
  if (ssl.validated_at !== null && (ssl.status === 'pending_issuance' || ssl.status === 'pending_deployment')) {
    if (now >= ssl.validated_at + SSL_ISSUANCE_SECONDS + SSL_DEPLOYMENT_SECONDS) {
      ssl.status = 'active';
      ssl.serial_number = ssl.serial_number ?? BigInt(`0x${hex(16)}`).toString();
    } else if (now >= ssl.validated_at + SSL_ISSUANCE_SECONDS) ssl.status = 'pending_deployment';
  }
  let next = state.next_check_at;
  if (ssl.status === 'pending_validation' && now >= state.window_started_at + VALIDATION_WINDOW_SECONDS) {
    ssl.status = 'validation_timed_out';
    ssl.validation_errors = ['Domain control validation timed out after 7 days; edit the custom hostname to try again.'];
    if (state.status === 'pending') next = null;
  }
  return { ...state, ssl, next_check_at: next };
}

/** The emulator time at which this hostname next changes on its own, if ever. */
export function nextChangeAt(state: HostnameState): number | null {
  const times: number[] = [];
  if (state.next_check_at !== null) times.push(state.next_check_at);
  const validated = state.ssl.validated_at;
  if (validated !== null && state.ssl.status === 'pending_issuance') times.push(validated + SSL_ISSUANCE_SECONDS);
  if (validated !== null && state.ssl.status === 'pending_deployment') times.push(validated + SSL_ISSUANCE_SECONDS + SSL_DEPLOYMENT_SECONDS);
  if (state.ssl.status === 'pending_validation') times.push(state.window_started_at + VALIDATION_WINDOW_SECONDS);
  return times.length ? Math.min(...times) : null;
}

// ---------------------------------------------------------------- wire

const iso = (seconds: number) => new Date(seconds * 1000).toISOString();

function registrable(hostname: string): string {
  const labels = hostname.replace(/^\*\./, '').split('.');
  const lastTwo = labels.slice(-2).join('.');
  return MULTI_LABEL_SUFFIXES.has(lastTwo) ? labels.slice(-3).join('.') : lastTwo;
}

function validationRecords(state: HostnameState): Record<string, unknown>[] {
  const host = state.hostname.replace(/^\*\./, '');
  switch (state.ssl.method) {
    case 'txt':
      return [{ txt_name: acmeRecordName(host), txt_value: state.ssl.dcv_token }];
    case 'http':
      return [{ http_url: `http://${host}/.well-known/acme-challenge/${state.ssl.id.replaceAll('-', '')}`, http_body: state.ssl.dcv_token }];
    case 'email': {
      const apex = registrable(host);
      return [{ emails: ['admin', 'administrator', 'hostmaster', 'postmaster', 'webmaster'].map((box) => `${box}@${apex}`) }];
    }
  }
}

/** The CustomHostname object exactly as the API shows it. */
export function renderHostname(state: HostnameState): Record<string, unknown> {
  const ssl = state.ssl;
  const issued = ssl.status === 'active' && ssl.validated_at !== null;
  const issuedAt = (ssl.validated_at ?? 0) + SSL_ISSUANCE_SECONDS;
  const pendingDcv = ssl.status === 'initializing' || ssl.status === 'pending_validation' || ssl.status === 'validation_timed_out';
  return {
    id: state.id,
    hostname: state.hostname,
    ssl: {
      id: ssl.id,
      type: ssl.type,
      method: ssl.method,
      status: ssl.status,
      bundle_method: ssl.bundle_method,
      certificate_authority: ssl.certificate_authority,
      wildcard: ssl.wildcard,
      settings: ssl.settings,
      ...(pendingDcv ? { validation_records: validationRecords(state) } : {}),
      ...(ssl.validation_errors.length ? { validation_errors: ssl.validation_errors.map((message) => ({ message })) } : {}),
      ...(issued
        ? {
            hosts: ssl.wildcard ? [state.hostname, `*.${state.hostname}`] : [state.hostname],
            issuer:
              ssl.certificate_authority === 'google'
                ? 'GoogleTrustServices'
                : ssl.certificate_authority === 'lets_encrypt'
                  ? 'LetsEncrypt'
                  : ssl.certificate_authority === 'ssl_com'
                    ? 'SSLCom'
                    : 'DigiCertInc',
            serial_number: ssl.serial_number,
            signature: 'ECDSAWithSHA256',
            uploaded_on: iso(issuedAt),
            expires_on: iso(issuedAt + 90 * 86_400),
          }
        : {}),
    },
    status: state.status,
    ...(state.verification_errors.length ? { verification_errors: state.verification_errors } : {}),
    ownership_verification: { type: 'txt', name: ownershipRecordName(state.hostname.replace(/^\*\./, '')), value: state.ownership_token },
    ownership_verification_http: {
      http_url: `http://${state.hostname.replace(/^\*\./, '')}/.well-known/cf-custom-hostname-challenge/${state.id}`,
      http_body: state.ownership_token,
    },
    created_at: iso(state.created_at),
    ...(state.custom_metadata ? { custom_metadata: state.custom_metadata } : {}),
  };
}
