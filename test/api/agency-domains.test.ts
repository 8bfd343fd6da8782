import { env, exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { customHostnamesClient } from '../../workers/agency/domains/custom-hostnames.client';
import { dnsResolver } from '../../workers/agency/domains/dns';
import { addCustomDomain, customDomainStatus, refreshCustomDomains, type DomainProviders } from '../../workers/agency/domains/domains.service';
import type { ServiceDeps } from '../../workers/platform/deps';
import { forgetHost } from '../../workers/tenancy/host.middleware';
import { advanceCloudflareClock, removeSandboxDnsRecords, setSandboxDnsRecord } from '../../workers/sandbox/cloudflare/cloudflare.controls';
import { UNPROVEN_CLAIM_TTL_MS } from '../../workers/agency/domains/claims';
import { call, createTenant, uniqueEmail, type Tenant } from '../factories';
import type { AuthResult, CustomDomain, InvalidInput, Problem, SubAccount, TeamMember } from '../api-types';

/** The platform's CNAME target (wrangler.toml CUSTOM_DOMAIN_TARGET). */
const TARGET = 'edge.edge-crm.dev';

/** A hostname no other test uses, under a domain that is not the platform's. */
const uniqueHost = (label = 'app') => `${label}.agency-${crypto.randomUUID().slice(0, 8)}.com`;

/** A request to the Worker as a browser on `host` would send it. */
async function fetchHost(host: string, path: string): Promise<{ status: number; type: string | null; text: string }> {
  const res = await exports.default.fetch(`http://${host}${path}`);
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}

async function expectNeutral404(host: string): Promise<void> {
  const page = await fetchHost(host, '/');
  expect(page.status, `${host} should not be served`).toBe(404);
  expect(page.text).toContain('This address is not set up');
  expect(page.text).not.toMatch(/agy_|acc_/);
}

interface DomainBody {
  hostname: string;
  status: string;
  live: boolean;
  cloudflare_status: string | null;
  ssl_status: string | null;
  dns_records: { type: string; name: string; value: string; status: string; found: string[] }[];
  errors: string[];
  activated_at: string | null;
}

async function agencyDomainRow(accountId: string): Promise<{ custom_domain: string | null; id: string }> {
  return (await env.DB.prepare('SELECT id, custom_domain FROM agencies WHERE account_id = ?')
    .bind(accountId)
    .first<{ custom_domain: string | null; id: string }>()) as { custom_domain: string | null; id: string };
}

/** Signs in a new team member of `owner`'s account with `role`. */
async function teammate(owner: Tenant, role: 'admin' | 'member'): Promise<string> {
  const email = uniqueEmail(role);
  const added = await owner.api<TeamMember>('POST', '/api/users', { email, name: `A ${role}`, role, password: 'member-password-1' });
  expect(added.status).toBe(201);
  const login = await call<AuthResult>('POST', '/api/auth/login', { body: { email, password: 'member-password-1' } });
  return login.body.token as string;
}

describe('agency custom domain: the whole lifecycle in the sandbox', () => {
  it('add -> records to create -> verify without DNS -> CNAME only -> TXT -> certificate -> live at the edge -> remove -> 404 at once', async () => {
    const agency = await createTenant({ agency: true, name: 'Northwind' });
    const host = uniqueHost();
    const txtName = `_cf-custom-hostname.${host}`;

    const added = await agency.api<DomainBody>('POST', '/api/agency/domain/add', { hostname: host });
    expect(added.status).toBe(201);
    // Cloudflare ran its first check at once and found nothing yet.
    expect(added.body).toMatchObject({
      hostname: host,
      status: 'pending',
      live: false,
      cloudflare_status: 'pending',
      ssl_status: 'pending_validation',
      activated_at: null,
    });
    const [cname, txt] = added.body.dns_records;
    expect(cname).toMatchObject({ type: 'CNAME', name: host, value: TARGET, status: 'missing', found: [] });
    expect(txt).toMatchObject({ type: 'TXT', name: txtName, value: expect.stringMatching(/^[0-9a-f-]{36}$/), status: 'missing' });
    expect(added.body.errors).toEqual([
      `No CNAME record found for ${host}; create CNAME ${host} -> ${TARGET}.`,
      `No TXT record found at ${txtName}; create TXT ${txtName} with the value ${txt.value}.`,
    ]);
    const status = await agency.api<DomainBody>('GET', '/api/agency/domain/status');
    expect(status.body).toMatchObject({ hostname: host, status: 'pending', ssl_status: 'pending_validation', dns_records: added.body.dns_records });
    await expectNeutral404(host);

    // Verify with no DNS at all: still pending, and it says what to create.
    const bare = await agency.api<DomainBody>('POST', '/api/agency/domain/verify');
    expect(bare.status).toBe(200);
    expect(bare.body.status).toBe('pending');
    expect(bare.body.errors[0]).toBe(`No CNAME record found for ${host}; create CNAME ${host} -> ${TARGET}.`);

    // Only the CNAME: the remaining error names the TXT record and its value.
    await setSandboxDnsRecord(env, { name: host, type: 'CNAME', content: TARGET });
    const cnameOnly = await agency.api<DomainBody>('POST', '/api/agency/domain/verify');
    expect(cnameOnly.body).toMatchObject({ status: 'pending', cloudflare_status: 'pending' });
    expect(cnameOnly.body.dns_records.map((r) => [r.type, r.status])).toEqual([
      ['CNAME', 'ok'],
      ['TXT', 'missing'],
    ]);
    expect(cnameOnly.body.errors).toEqual([`No TXT record found at ${txtName}; create TXT ${txtName} with the value ${txt.value}.`]);
    await expectNeutral404(host);

    // The TXT too: Cloudflare verifies the hostname and starts on the certificate.
    await setSandboxDnsRecord(env, { name: txtName, type: 'TXT', content: txt.value });
    const verified = await agency.api<DomainBody>('POST', '/api/agency/domain/verify');
    expect(verified.body).toMatchObject({ status: 'provisioning', live: false, cloudflare_status: 'active', ssl_status: 'pending_issuance' });
    expect(verified.body.errors).toEqual([expect.stringContaining('Cloudflare is issuing its TLS certificate (pending_issuance)')]);
    await expectNeutral404(host);

    // Time passes on the sandbox zone's clock: the certificate is issued and deployed; the domain is live.
    await advanceCloudflareClock(env, { seconds: 30 });
    const active = await agency.api<DomainBody>('GET', '/api/agency/domain/status');
    expect(active.body).toMatchObject({ status: 'active', live: true, cloudflare_status: 'active', ssl_status: 'active', errors: [] });
    expect(Date.parse(active.body.activated_at as string)).toBeGreaterThan(0);
    expect((await agencyDomainRow(agency.accountId)).custom_domain).toBe(host);

    const app = await fetchHost(host, '/');
    expect(app.status).toBe(200);
    expect(app.type).toContain('text/html');
    expect(app.text).not.toContain('This address is not set up');
    expect((await fetchHost(host, '/api/health')).status).toBe(200);
    expect(JSON.parse((await fetchHost(host, '/api/health')).text)).toEqual({ ok: true });
    await expectNeutral404(uniqueHost('unknown'));

    // Remove: the host answers the neutral 404 on the very next request (no stale isolate cache).
    expect((await agency.api('DELETE', '/api/agency/domain/remove')).status).toBe(204);
    await expectNeutral404(host);
    expect((await fetchHost(host, '/api/health')).status).toBe(404);
    expect((await agencyDomainRow(agency.accountId)).custom_domain).toBeNull();
    expect((await agency.api<CustomDomain>('GET', '/api/agency/domain/status')).status).toBe(404);
    expect((await customHostnamesClient(env).list({ hostname: host })).result).toEqual([]);
    expect(await env.DB.prepare('SELECT COUNT(*) AS n FROM custom_domains WHERE hostname = ?').bind(host).first('n')).toBe(0);
    // The hostname is free again, for this agency or another.
    expect((await agency.api<CustomDomain>('POST', '/api/agency/domain/add', { hostname: host })).status).toBe(201);
  });

  it('a certificate finished while nobody looked goes live from the scheduled refresh; a CNAME taken away later takes it offline (moved)', async () => {
    const agency = await createTenant({ agency: true });
    const host = uniqueHost('portal');
    const added = await agency.api<DomainBody>('POST', '/api/agency/domain/add', { hostname: host });
    await setSandboxDnsRecord(env, { name: host, type: 'CNAME', content: TARGET });
    await setSandboxDnsRecord(env, { name: added.body.dns_records[1].name, type: 'TXT', content: added.body.dns_records[1].value });
    expect((await agency.api<DomainBody>('POST', '/api/agency/domain/verify')).body.status).toBe('provisioning');

    await advanceCloudflareClock(env, { seconds: 30 });
    const refreshed = await refreshCustomDomains(env, { limit: 100 });
    expect(refreshed.live).toBeGreaterThanOrEqual(1);
    expect((await fetchHost(host, '/api/health')).status).toBe(200);

    await removeSandboxDnsRecords(env, { name: host, type: 'CNAME' });
    await advanceCloudflareClock(env, { seconds: 3600 });
    const moved = await agency.api<DomainBody>('GET', '/api/agency/domain/status');
    expect(moved.body).toMatchObject({ status: 'moved', live: false, cloudflare_status: 'moved' });
    expect(moved.body.errors[0]).toBe(
      `${host} was verified, but its CNAME no longer points at ${TARGET}, so it was taken offline. Restore CNAME ${host} -> ${TARGET}, then verify again.`,
    );
    await expectNeutral404(host);
  });
});

describe('agency custom domain: the plan', () => {
  it("a live domain goes offline when the agency's plan loses white-label, says why in its status, and comes back with the plan", async () => {
    const agency = await createTenant({ agency: true });
    const host = uniqueHost('clients');
    const added = await agency.api<DomainBody>('POST', '/api/agency/domain/add', { hostname: host });
    await setSandboxDnsRecord(env, { name: host, type: 'CNAME', content: TARGET });
    await setSandboxDnsRecord(env, { name: added.body.dns_records[1].name, type: 'TXT', content: added.body.dns_records[1].value });
    await agency.api<CustomDomain>('POST', '/api/agency/domain/verify');
    await advanceCloudflareClock(env, { seconds: 30 });
    expect((await agency.api<DomainBody>('GET', '/api/agency/domain/status')).body).toMatchObject({ status: 'active', live: true });
    expect((await fetchHost(host, '/api/health')).status).toBe(200);

    const now = Date.now();
    await env.DB.prepare("INSERT INTO subscriptions (account_id, plan, created_at, updated_at) VALUES (?, 'professional', ?, ?)")
      .bind(agency.accountId, now, now)
      .run();
    forgetHost(host); // what the edge's host cache does by itself within HOST_CACHE_TTL_MS
    await expectNeutral404(host);
    expect((await fetchHost(host, '/api/health')).status).toBe(404);
    const status = await agency.api<DomainBody>('GET', '/api/agency/domain/status');
    expect(status.body).toMatchObject({ status: 'active', live: false });
    expect(status.body.errors[0]).toBe(
      `The Professional plan does not include white-label, so ${host} is offline: it answers the neutral "not set up" page and your clients sign in at the platform's address. Upgrading to a plan with white-label brings it back at once; nothing needs verifying again.`,
    );

    await env.DB.prepare("UPDATE subscriptions SET plan = 'agency' WHERE account_id = ?").bind(agency.accountId).run();
    forgetHost(host);
    expect((await fetchHost(host, '/api/health')).status).toBe(200);
    expect((await agency.api<DomainBody>('GET', '/api/agency/domain/status')).body).toMatchObject({ live: true, errors: [] });
  });
});

describe('agency custom domain: bad input', () => {
  it('refuses malformed hostnames with a field error saying why, and stores nothing', async () => {
    const agency = await createTenant({ agency: true });
    const cases: [string, RegExp][] = [
      ['https://app.acme-agency.com', /without https:\/\/ \(for example app\.acme-agency\.com\)/],
      ['app.acme-agency.com/login', /without a path/],
      ['app.acme-agency.com:8443', /without a port/],
      ['192.168.10.20', /IP address/],
      ['[2001:db8::1]', /IP address/],
      ['acme-agency.com', /bare domain\. Use a subdomain such as app\.acme-agency\.com/],
      ['acme-agency.co.uk', /bare domain/],
      ['localhost', /not a full hostname/],
      ['app_1.acme-agency.com', /underscores/],
      ['app..acme-agency.com', /empty part/],
      ['-app.acme-agency.com', /start or end with a hyphen/],
      ['app.example.com', /reserved for documentation/],
      ['app.acme.test', /\.test names cannot be reached/],
      ['*.acme-agency.com', /Wildcard/],
      ['me@acme-agency.com', /email address/],
      [`${'a'.repeat(64)}.acme-agency.com`, /at most 63 characters/],
      ['', /Enter the hostname/],
    ];
    for (const [hostname, message] of cases) {
      const res = await agency.api<InvalidInput>('POST', '/api/agency/domain/add', { hostname });
      expect(res.status, hostname).toBe(422);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.body.errors[0].field, hostname).toBe('hostname');
      expect(res.body.errors[0].message, hostname).toMatch(message);
    }
    expect((await agency.api<CustomDomain>('POST', '/api/agency/domain/add', {})).status).toBe(422);
    expect((await agency.api<CustomDomain>('POST', '/api/agency/domain/add', { hostname: 'app.acme-agency.com', extra: 1 })).status).toBe(422);
    expect((await agency.api<CustomDomain>('GET', '/api/agency/domain/status')).status).toBe(404);
  });

  it('stores a hostname lowercase without its trailing dot, and internationalized names in punycode', async () => {
    const agency = await createTenant({ agency: true });
    const host = uniqueHost();
    const res = await agency.api<DomainBody>('POST', '/api/agency/domain/add', { hostname: ` ${host.toUpperCase()}. ` });
    expect(res.status).toBe(201);
    expect(res.body.hostname).toBe(host);
    const idn = await createTenant({ agency: true });
    const label = crypto.randomUUID().slice(0, 6);
    expect((await idn.api<DomainBody>('POST', '/api/agency/domain/add', { hostname: `app.bücher-${label}.de` })).body.hostname).toMatch(
      /^app\.xn--bcher-.+\.de$/,
    );
  });

  it("refuses the platform's own addresses", async () => {
    const agency = await createTenant({ agency: true });
    for (const hostname of ['crm-preview.workers.dev', TARGET, 'app.edge-crm.dev']) {
      const res = await agency.api<InvalidInput>('POST', '/api/agency/domain/add', { hostname });
      expect(res.status, hostname).toBe(422);
      expect(res.body.errors[0]).toMatchObject({ field: 'hostname', code: 'platform_host' });
    }
  });

  it('refuses a domain another agency claimed (409, naming no one, saying how to prove it is yours), and changes nothing for either', async () => {
    const first = await createTenant({ agency: true, name: 'First Agency' });
    const second = await createTenant({ agency: true, name: 'Second Agency' });
    const host = uniqueHost();
    const claimed = await first.api<DomainBody>('POST', '/api/agency/domain/add', { hostname: host });
    expect(claimed.status).toBe(201);
    const firstAgency = await agencyDomainRow(first.accountId);

    for (const hostname of [host, host.toUpperCase()]) {
      const res = await second.api<Problem>('POST', '/api/agency/domain/add', { hostname });
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({ reason: 'ownership_proof_required', hostname: host, challenge: { type: 'TXT', name: `_edge-crm-claim.${host}` } });
      expect(res.body.detail).toContain(`${host} is claimed by another account on this platform, but that claim is not verified.`);
      expect(JSON.stringify(res.body)).not.toMatch(new RegExp(`${first.accountId}|${firstAgency.id}|First Agency`));
    }
    expect((await second.api<CustomDomain>('GET', '/api/agency/domain/status')).status).toBe(404);
    const after = await first.api<DomainBody>('GET', '/api/agency/domain/status');
    expect(after.body).toMatchObject({ hostname: host, status: 'pending' });
    expect(after.body.dns_records[1].value).toBe(claimed.body.dns_records[1].value);
    expect((await customHostnamesClient(env).list({ hostname: host })).result).toHaveLength(1);
  });

  it('keeps one custom domain per agency: another is refused until the first is removed; the same one again is answered unchanged', async () => {
    const agency = await createTenant({ agency: true });
    const host = uniqueHost();
    const first = await agency.api<DomainBody>('POST', '/api/agency/domain/add', { hostname: host });
    const again = await agency.api<DomainBody>('POST', '/api/agency/domain/add', { hostname: host });
    expect(again.status).toBe(200);
    expect(again.body.dns_records).toEqual(first.body.dns_records);
    const other = uniqueHost('crm');
    const second = await agency.api<CustomDomain>('POST', '/api/agency/domain/add', { hostname: other });
    expect(second.status).toBe(409);
    expect(second.body).toMatchObject({
      reason: 'domain_exists',
      hostname: host,
      detail: expect.stringContaining('Remove it first (DELETE /api/agency/domain/remove)'),
    });
    expect((await agency.api('DELETE', '/api/agency/domain/remove')).status).toBe(204);
    expect((await agency.api<DomainBody>('POST', '/api/agency/domain/add', { hostname: other })).status).toBe(201);
    expect((await agency.api('DELETE', '/api/agency/domain/remove')).status).toBe(204);
    expect((await agency.api('DELETE', '/api/agency/domain/remove')).status).toBe(404);
    expect((await agency.api<CustomDomain>('POST', '/api/agency/domain/verify')).status).toBe(404);
  });

  it('a domain that never verifies stays pending with errors: wrong CNAME, wrong TXT, and Cloudflare giving up after 7 days', async () => {
    const agency = await createTenant({ agency: true });
    const host = uniqueHost();
    const added = await agency.api<DomainBody>('POST', '/api/agency/domain/add', { hostname: host });
    const txt = added.body.dns_records[1];
    await setSandboxDnsRecord(env, { name: host, type: 'CNAME', content: 'lb.other-host.net' });
    await setSandboxDnsRecord(env, { name: txt.name, type: 'TXT', content: 'not-the-token' });
    const wrong = await agency.api<DomainBody>('POST', '/api/agency/domain/verify');
    expect(wrong.body.status).toBe('pending');
    expect(wrong.body.dns_records.map((r) => [r.status, r.found])).toEqual([
      ['wrong', ['lb.other-host.net']],
      ['wrong', ['not-the-token']],
    ]);
    expect(wrong.body.errors).toEqual([
      `${host} has a CNAME to lb.other-host.net, not ${TARGET}; change it to CNAME ${host} -> ${TARGET}.`,
      `The TXT record at ${txt.name} holds "not-the-token", not the expected value; set it to ${txt.value}.`,
    ]);
    await expectNeutral404(host);

    await advanceCloudflareClock(env, { days: 8 });
    const gaveUp = await agency.api<DomainBody>('GET', '/api/agency/domain/status');
    expect(gaveUp.body).toMatchObject({ status: 'pending', live: false, ssl_status: 'validation_timed_out' });
    expect(gaveUp.body.errors).toContain(
      'Cloudflare stopped checking after 7 days without the right records. Fix the records, then verify again to restart the checks.',
    );
    const restarted = await agency.api<DomainBody>('POST', '/api/agency/domain/verify');
    expect(restarted.body).toMatchObject({ status: 'pending', ssl_status: 'pending_validation' });
    await expectNeutral404(host);
  });
});

describe('agency custom domain: Cloudflare unreachable', () => {
  const down: DomainProviders = {
    cloudflare: customHostnamesClient(env, {
      fetch: async () => {
        throw new TypeError('Network connection lost.');
      },
    }),
    dns: dnsResolver(env),
  };
  const ownerDeps = (tenant: Tenant): ServiceDeps => ({
    env,
    db: env.DB,
    waitUntil: () => {},
    auth: { accountId: tenant.accountId, userId: tenant.userId, role: 'owner', actorUserId: null, actorAccountId: null, via: 'session', sessionId: null },
  });

  it('an add Cloudflare cannot take changes nothing (502); a status read shows the last known state and says so', async () => {
    const agency = await createTenant({ agency: true });
    const host = uniqueHost();
    await expect(addCustomDomain(ownerDeps(agency), host, down)).rejects.toMatchObject({
      code: 'provider_unavailable',
      message: expect.stringContaining('nothing was changed'),
    });
    expect((await agency.api<CustomDomain>('GET', '/api/agency/domain/status')).status).toBe(404);

    const added = await agency.api<DomainBody>('POST', '/api/agency/domain/add', { hostname: host });
    expect(added.status).toBe(201);
    const stale = await customDomainStatus(ownerDeps(agency), down);
    expect(stale).toMatchObject({ hostname: host, status: 'pending', dns_records: added.body.dns_records });
    expect(stale.errors[stale.errors.length - 1]).toBe('Cloudflare could not be reached just now, so this shows the last known state.');
  });
});

describe('agency custom domain: who may', () => {
  const routes: [string, string, unknown?][] = [
    ['POST', '/api/agency/domain/add', { hostname: 'app.who-may-agency.com' }],
    ['POST', '/api/agency/domain/verify'],
    ['DELETE', '/api/agency/domain/remove'],
    ['GET', '/api/agency/domain/status'],
  ];

  async function expectForbidden(token: string, detail: RegExp): Promise<void> {
    for (const [method, path, body] of routes) {
      const res = await call<Problem>(method, path, { token, body });
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.body.detail, `${method} ${path}`).toMatch(detail);
    }
  }

  it('a business account, an agency member, and sub-account users (impersonating or their own) get a 403 saying why', async () => {
    const business = await createTenant();
    await expectForbidden(business.token, /business account/);

    const agency = await createTenant({ agency: true });
    await expectForbidden(await teammate(agency, 'member'), /Only an account admin or above can manage the agency's custom domain/);

    const sub = await agency.api<SubAccount>('POST', '/api/agency/sub-accounts', { name: 'Client Co' });
    const inside = await call<AuthResult>('POST', '/api/auth/token-exchange', { token: agency.token, body: { account_id: sub.body.id } });
    await expectForbidden(inside.body.token, /switch back to the agency account/);

    const subOwner = { token: inside.body.token, api: (m: string, p: string, b?: unknown) => call(m, p, { token: inside.body.token, body: b }) } as Tenant;
    await expectForbidden(await teammate(subOwner, 'admin'), /set up by the agency that manages this account/);

    expect(await env.DB.prepare('SELECT COUNT(*) AS n FROM custom_domains WHERE hostname = ?').bind('app.who-may-agency.com').first('n')).toBe(0);
  });

  it('an agency admin may; an agency on a plan without white-label is told which plan has it', async () => {
    const agency = await createTenant({ agency: true });
    const admin = await teammate(agency, 'admin');
    expect((await call<CustomDomain>('POST', '/api/agency/domain/add', { token: admin, body: { hostname: uniqueHost() } })).status).toBe(201);

    const downgraded = await createTenant({ agency: true });
    const now = Date.now();
    await env.DB.prepare("INSERT INTO subscriptions (account_id, plan, created_at, updated_at) VALUES (?, 'professional', ?, ?)")
      .bind(downgraded.accountId, now, now)
      .run();
    const res = await downgraded.api<CustomDomain>('POST', '/api/agency/domain/add', { hostname: uniqueHost() });
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({
      feature: 'white_label',
      upgrade: { plan: 'agency' },
      detail: expect.stringContaining('White-label is not included in the Professional plan'),
    });
  });
});

// Kept last in the file: the sweep below runs with a clock 72 hours ahead and releases every unproven claim made so far.
describe('agency custom domain: squatting', () => {
  interface Challenge {
    reason: string;
    challenge: { type: 'TXT'; name: string; value: string };
    claim_expires_at: string;
    detail: string;
  }
  interface Released {
    reason: string;
    release_reason: string;
    hostname: string;
    detail: string;
  }
  interface Notice {
    kind: string;
    message: string;
    email: { status: string } | null;
  }
  const notices = async (tenant: Tenant) =>
    (await tenant.api<{ data: Notice[] }>('GET', '/api/notifications')).body.data.filter((n) => n.kind === 'domain.claim_released');

  /** Both records Cloudflare needs, so the domain verifies. */
  async function completeDns(host: string, domain: DomainBody): Promise<void> {
    await setSandboxDnsRecord(env, { name: host, type: 'CNAME', content: TARGET });
    await setSandboxDnsRecord(env, { name: domain.dns_records[1].name, type: 'TXT', content: domain.dns_records[1].value });
  }

  it('a later claimant who proves the domain with its own TXT token wins over an unverified claim; the squatter is told and cannot take it back', async () => {
    const squatter = await createTenant({ agency: true, name: 'Trial Squatter' });
    const owner = await createTenant({ agency: true, name: 'Real Owner' });
    const host = uniqueHost('portal');
    const squatted = await squatter.api<DomainBody & { expires_at: string; created_at: string }>('POST', '/api/agency/domain/add', { hostname: host });
    expect(squatted.status).toBe(201);
    expect(Date.parse(squatted.body.expires_at) - Date.parse(squatted.body.created_at)).toBe(UNPROVEN_CLAIM_TTL_MS);

    // The real owner is told how to prove the domain; the token is its own and the same on every try.
    const asked = await owner.api<Challenge>('POST', '/api/agency/domain/add', { hostname: host });
    expect(asked.status).toBe(409);
    expect(asked.body).toMatchObject({
      reason: 'ownership_proof_required',
      challenge: { type: 'TXT', name: `_edge-crm-claim.${host}`, value: expect.stringMatching(/^edge-crm-claim=[0-9a-f]{32}$/) },
    });
    expect(asked.body.challenge.value).not.toContain(squatted.body.dns_records[1].value);
    await setSandboxDnsRecord(env, { name: asked.body.challenge.name, type: 'TXT', content: 'edge-crm-claim=someone-elses-token' });
    const wrong = await owner.api<Challenge>('POST', '/api/agency/domain/add', { hostname: host });
    expect(wrong.status).toBe(409);
    expect(wrong.body.challenge).toEqual(asked.body.challenge);
    expect(wrong.body.detail).toContain('The DNS shows "edge-crm-claim=someone-elses-token" there now.');

    // The record in place: the unverified claim is released and the owner's claim is made, proven (it does not lapse).
    await setSandboxDnsRecord(env, { name: asked.body.challenge.name, type: 'TXT', content: asked.body.challenge.value });
    const won = await owner.api<DomainBody & { expires_at: string | null }>('POST', '/api/agency/domain/add', { hostname: host });
    expect(won.status).toBe(201);
    expect(won.body).toMatchObject({ hostname: host, status: 'pending', expires_at: null });
    // A new Cloudflare hostname with a new ownership token: the squatter's token proves nothing now.
    expect(won.body.dns_records[1].value).not.toBe(squatted.body.dns_records[1].value);
    expect((await customHostnamesClient(env).list({ hostname: host })).result).toHaveLength(1);

    const status = await squatter.api<Released>('GET', '/api/agency/domain/status');
    expect(status.status).toBe(404);
    expect(status.body).toMatchObject({ reason: 'claim_released', release_reason: 'proven_elsewhere', hostname: host });
    expect(status.body.detail).toContain("another account proved it controls the domain's DNS");
    expect(JSON.stringify(status.body)).not.toMatch(new RegExp(`${owner.accountId}|Real Owner`));
    expect((await squatter.api<CustomDomain>('POST', '/api/agency/domain/verify')).body).toMatchObject({ reason: 'claim_released' });
    const [notice] = await notices(squatter);
    expect(notice.message).toBe(
      `Your claim on the custom domain ${host} was released: another account proved it controls the domain's DNS (with a TXT record of its own) while this claim was not verified. If the domain is yours, add it again and create its DNS records.`,
    );
    expect(notice.email?.status).toBe('sent');

    // The owner's proven claim cannot be contested back.
    const back = await squatter.api<{ reason: string }>('POST', '/api/agency/domain/add', { hostname: host });
    expect(back.status).toBe(409);
    expect(back.body.reason).toBe('domain_taken');

    // And it goes live the ordinary way.
    await completeDns(host, won.body);
    expect((await owner.api<DomainBody>('POST', '/api/agency/domain/verify')).body.status).toBe('provisioning');
    await advanceCloudflareClock(env, { seconds: 30 });
    expect((await owner.api<DomainBody>('GET', '/api/agency/domain/status')).body).toMatchObject({ status: 'active', live: true });
  });

  it('an unverified claim lapses after 72 hours: the scheduled refresh releases it at Cloudflare, tells its agency why, and frees the hostname; a verified one never lapses', async () => {
    const squatter = await createTenant({ agency: true });
    const verified = await createTenant({ agency: true });
    const owner = await createTenant({ agency: true });
    const host = uniqueHost('brand');
    const kept = uniqueHost('kept');
    expect((await squatter.api<CustomDomain>('POST', '/api/agency/domain/add', { hostname: host })).status).toBe(201);
    const keptDomain = await verified.api<DomainBody & { expires_at: string | null }>('POST', '/api/agency/domain/add', { hostname: kept });
    await completeDns(kept, keptDomain.body);
    expect((await verified.api<DomainBody & { expires_at: string | null }>('POST', '/api/agency/domain/verify')).body).toMatchObject({
      status: 'provisioning',
      expires_at: null,
    });

    // Before the 72 hours are up, nothing lapses.
    expect((await refreshCustomDomains(env, { limit: 100, now: Date.now() + UNPROVEN_CLAIM_TTL_MS - 60_000 })).released).toBe(0);
    expect((await squatter.api<CustomDomain>('GET', '/api/agency/domain/status')).status).toBe(200);

    const swept = await refreshCustomDomains(env, { limit: 100, now: Date.now() + UNPROVEN_CLAIM_TTL_MS + 60_000 });
    expect(swept.released).toBeGreaterThanOrEqual(1);
    const status = await squatter.api<Released>('GET', '/api/agency/domain/status');
    expect(status.status).toBe(404);
    expect(status.body).toMatchObject({ reason: 'claim_released', release_reason: 'expired', hostname: host });
    expect(status.body.detail).toContain('it was not verified within 72 hours');
    expect((await notices(squatter)).map((n) => n.message)).toEqual([
      expect.stringContaining(`Your claim on the custom domain ${host} was released: it was not verified within 72 hours`),
    ]);
    expect((await customHostnamesClient(env).list({ hostname: host })).result).toEqual([]);

    // The verified domain stays, and cannot be contested even by someone with a claim record in the DNS.
    expect((await verified.api<DomainBody>('GET', '/api/agency/domain/status')).body.hostname).toBe(kept);
    const contested = await owner.api<{ reason: string }>('POST', '/api/agency/domain/add', { hostname: kept });
    expect(contested.status).toBe(409);
    expect(contested.body.reason).toBe('domain_taken');

    // The freed hostname is anyone's to add; adding a domain again clears the release note.
    expect((await owner.api<CustomDomain>('POST', '/api/agency/domain/add', { hostname: host })).status).toBe(201);
    const other = uniqueHost('again');
    expect((await squatter.api<CustomDomain>('POST', '/api/agency/domain/add', { hostname: other })).status).toBe(201);
    expect((await squatter.api<DomainBody>('GET', '/api/agency/domain/status')).body.hostname).toBe(other);
  });

  it('a claim found lapsed when another agency adds the hostname is released then and there', async () => {
    const squatter = await createTenant({ agency: true });
    const owner = await createTenant({ agency: true });
    const host = uniqueHost('lapsed');
    expect((await squatter.api<CustomDomain>('POST', '/api/agency/domain/add', { hostname: host })).status).toBe(201);
    // What 72 hours without verification leave behind (the scheduled sweep has not run yet).
    await env.DB.prepare('UPDATE custom_domains SET expires_at = ? WHERE hostname = ?')
      .bind(Date.now() - 1, host)
      .run();
    expect((await owner.api<CustomDomain>('POST', '/api/agency/domain/add', { hostname: host })).status).toBe(201);
    expect((await squatter.api<Released>('GET', '/api/agency/domain/status')).body).toMatchObject({ reason: 'claim_released', release_reason: 'expired' });
  });
});
