import { env, exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import {
  CloudflareApiError,
  customHostnamesClient,
  type CustomHostname,
  type CustomHostnamesClient,
} from '../../workers/agency/domains/custom-hostnames.client';
import { dohResolver, LIVE_DOH_URL } from '../../workers/agency/domains/dns';
import {
  SANDBOX_CLOUDFLARE_API_TOKEN,
  SANDBOX_CLOUDFLARE_EMAIL,
  SANDBOX_CLOUDFLARE_GLOBAL_KEY,
  SANDBOX_CLOUDFLARE_READ_ONLY_TOKEN,
  SANDBOX_CLOUDFLARE_ZONE_ID,
} from '../../workers/sandbox/cloudflare/cloudflare.constants';
import { advanceCloudflareClock, removeSandboxDnsRecords, setSandboxDnsRecord } from '../../workers/sandbox/cloudflare/cloudflare.controls';

/** What the emulator answers on the wire, as far as these tests read it. */
interface Envelope<R = unknown> {
  success: boolean;
  errors: { code: number; message: string; error_chain?: { code: number; message: string }[] }[];
  messages: unknown[];
  result: R;
  result_info?: { page: number; per_page: number; count: number; total_count: number };
  id?: string;
}

const TARGET = 'edge.edge-crm.dev';

/** A raw request to the emulator as mounted on the Worker, the way curl would send it. */
async function raw<R = unknown>(
  method: string,
  path: string,
  options: { body?: string; headers?: Record<string, string>; auth?: Record<string, string> } = {},
): Promise<{ status: number; body: Envelope<R> }> {
  const res = await exports.default.fetch(`http://localhost/sandbox/cloudflare${path}`, {
    method,
    headers: {
      ...(options.auth ?? { authorization: `Bearer ${SANDBOX_CLOUDFLARE_API_TOKEN}` }),
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(options.headers ?? {}),
    },
    body: options.body,
  });
  return { status: res.status, body: (await res.json()) as Envelope<R> };
}

/** A fresh zone per test, so hostnames and clocks do not meet. */
function freshZone(): { zoneId: string; cf: CustomHostnamesClient; path: string } {
  const zoneId = crypto.randomUUID().replaceAll('-', '');
  return { zoneId, cf: customHostnamesClient(env, { zoneId }), path: `/client/v4/zones/${zoneId}/custom_hostnames` };
}

const unique = (label: string) => `${label}-${crypto.randomUUID().slice(0, 8)}.saas-customer.com`;

async function pointAt(hostname: string, target = TARGET): Promise<void> {
  await setSandboxDnsRecord(env, { name: hostname, type: 'CNAME', content: target });
}

async function proveOwnership(hostname: string, value: string): Promise<void> {
  await setSandboxDnsRecord(env, { name: `_cf-custom-hostname.${hostname}`, type: 'TXT', content: value });
}

describe('Cloudflare sandbox: auth', () => {
  const path = `/client/v4/zones/${SANDBOX_CLOUDFLARE_ZONE_ID}/custom_hostnames`;

  it("refuses missing, malformed and unknown credentials with Cloudflare's codes, in its envelope", async () => {
    const none = await raw('GET', path, { auth: {} });
    expect(none).toMatchObject({
      status: 400,
      body: { success: false, result: null, messages: [], errors: [{ code: 9106, message: 'Missing X-Auth-Key, X-Auth-Email or Authorization headers' }] },
    });
    const malformed = await raw('GET', path, { auth: { authorization: 'Bearer short' } });
    expect(malformed).toMatchObject({ status: 400, body: { errors: [{ code: 6003, message: 'Invalid request headers', error_chain: [{ code: 6111 }] }] } });
    const unknown = await raw('GET', path, { auth: { authorization: `Bearer ${'x'.repeat(40)}` } });
    expect(unknown).toMatchObject({ status: 403, body: { errors: [{ code: 9109, message: 'Invalid access token' }] } });
    const wrongKey = await raw('GET', path, { auth: { 'x-auth-email': SANDBOX_CLOUDFLARE_EMAIL, 'x-auth-key': 'nope' } });
    expect(wrongKey).toMatchObject({ status: 403, body: { errors: [{ code: 9103 }] } });
  });

  it('takes an API token or the X-Auth-Email + X-Auth-Key pair; a read-only token may list but not create (#ssl:edit)', async () => {
    expect((await raw('GET', path, { auth: { 'x-auth-email': SANDBOX_CLOUDFLARE_EMAIL, 'x-auth-key': SANDBOX_CLOUDFLARE_GLOBAL_KEY } })).status).toBe(200);
    const readOnly = { authorization: `Bearer ${SANDBOX_CLOUDFLARE_READ_ONLY_TOKEN}` };
    expect((await raw('GET', path, { auth: readOnly })).body.success).toBe(true);
    const write = await raw('POST', path, { auth: readOnly, body: JSON.stringify({ hostname: unique('ro') }) });
    expect(write).toMatchObject({ status: 403, body: { success: false, errors: [{ code: 10000, message: 'Authentication error' }] } });
  });

  it('routes only well-formed zones and known paths', async () => {
    expect((await raw('GET', '/client/v4/zones/not-a-zone/custom_hostnames')).body.errors[0]).toMatchObject({
      code: 7003,
      message: expect.stringContaining('perhaps your object identifier is invalid'),
    });
    expect((await raw('GET', `/client/v4/zones/${SANDBOX_CLOUDFLARE_ZONE_ID}/dns_records`)).body.errors[0].code).toBe(7000);
  });
});

describe('Cloudflare sandbox: custom hostnames over the wire', () => {
  it("creates a hostname (201) with the ownership TXT, the HTTP token and the certificate's validation records", async () => {
    const { path } = freshZone();
    const hostname = unique('create');
    const res = await raw<CustomHostname>('POST', path, { body: JSON.stringify({ hostname, ssl: { method: 'txt', type: 'dv' } }) });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ success: true, errors: [], messages: [] });
    const h = res.body.result;
    expect(h.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(h).toMatchObject({
      hostname,
      status: 'pending',
      ssl: {
        type: 'dv',
        method: 'txt',
        status: 'initializing',
        validation_records: [{ txt_name: `_acme-challenge.${hostname}`, txt_value: expect.stringMatching(/^[0-9a-f]{32}$/) }],
      },
      ownership_verification: { type: 'txt', name: `_cf-custom-hostname.${hostname}`, value: expect.stringMatching(/^[0-9a-f-]{36}$/) },
      ownership_verification_http: {
        http_url: `http://${hostname}/.well-known/cf-custom-hostname-challenge/${h.id}`,
        http_body: h.ownership_verification?.value,
      },
    });
    expect(Date.parse(h.created_at ?? '')).toBeGreaterThan(0);
  });

  it("answers Cloudflare's errors: duplicate 1406, bad hostnames 1407-1411, bad JSON 1400, ssl 1440, custom origin 1414, ids 1435/1436", async () => {
    const { path, cf } = freshZone();
    const hostname = unique('dup');
    await cf.create({ hostname, ssl: { method: 'http', type: 'dv' } });
    const duplicate = await raw('POST', path, { body: JSON.stringify({ hostname }) });
    expect(duplicate).toMatchObject({
      status: 409,
      body: { success: false, result: null, errors: [{ code: 1406, message: 'Duplicate custom hostname found.' }] },
    });
    const thrown = await cf.create({ hostname }).catch((err: unknown) => err);
    expect(thrown).toBeInstanceOf(CloudflareApiError);
    expect((thrown as CloudflareApiError).has(1406)).toBe(true);

    const refusals: [unknown, number][] = [
      ['app.example.com', 1411],
      ['app.shop.test', 1409],
      ['localhost', 1409],
      ['10.0.0.1', 1407],
      ['app/path.saas-customer.com', 1407],
      ['bücher.de', 1408],
      ['co.uk', 1410],
      ['com', 1410],
      [`${'a'.repeat(250)}.com`, 1407],
      [42, 1407],
    ];
    for (const [name, code] of refusals) {
      const res = await raw('POST', path, { body: JSON.stringify({ hostname: name }) });
      expect(res.status, String(name)).toBe(400);
      expect(res.body.errors[0].code, String(name)).toBe(code);
    }
    expect((await raw('POST', path, { body: '{not json' })).body.errors[0].code).toBe(1400);
    expect((await raw('POST', path, { body: JSON.stringify({ hostname: unique('ssl'), ssl: { method: 'http' } }) })).body.errors[0].code).toBe(1440);
    expect(
      (await raw('POST', path, { body: JSON.stringify({ hostname: unique('ssl'), ssl: { method: 'carrier-pigeon', type: 'dv' } }) })).body.errors[0].code,
    ).toBe(1432);
    expect((await raw('POST', path, { body: JSON.stringify({ hostname: unique('origin'), custom_origin_server: 'origin.saas.com' }) })).body).toMatchObject({
      errors: [{ code: 1414 }],
    });
    expect((await raw('GET', `${path}/not-an-id`)).body.errors[0].code).toBe(1435);
    const missing = await raw('GET', `${path}/${crypto.randomUUID()}`);
    expect(missing).toMatchObject({ status: 404, body: { errors: [{ code: 1436, message: 'The custom hostname was not found.' }] } });
    expect(
      (await raw('PATCH', `${path}/${(await cf.list({ hostname })).result[0].id}`, { body: JSON.stringify({ hostname: 'other.saas-customer.com' }) })).body
        .errors[0].code,
    ).toBe(1439);
  });

  it('lists with result_info, filtered by hostname (exact, contain) or id, and paginates', async () => {
    const { path, cf } = freshZone();
    const names = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta'].map(unique);
    for (const hostname of names) await cf.create({ hostname, ssl: { method: 'http', type: 'dv' } });
    const one = await cf.list({ hostname: names[1] });
    expect(one.result.map((h) => h.hostname)).toEqual([names[1]]);
    expect(one.result_info).toEqual({ page: 1, per_page: 20, count: 1, total_count: 1 });
    const contain = await raw<CustomHostname[]>('GET', `${path}?hostname.contain=${names[2].split('.')[0]}`);
    expect(contain.body.result.map((h) => h.hostname)).toEqual([names[2]]);
    const byId = await raw<CustomHostname[]>('GET', `${path}?id=${one.result[0].id}`);
    expect(byId.body.result).toHaveLength(1);
    expect((await raw('GET', `${path}?id=${one.result[0].id}&hostname=${names[1]}`)).body.errors[0].code).toBe(1438);
    const page2 = await raw<CustomHostname[]>('GET', `${path}?per_page=5&page=2`);
    expect(page2.body.result_info).toEqual({ page: 2, per_page: 5, count: 1, total_count: 6 });
    expect(page2.body.result[0].hostname).toBe(names[5]);
    expect((await cf.list({ hostname: unique('nobody') })).result).toEqual([]);
  });

  it('deletes a hostname: { id } at the top level and in result; it is gone afterwards', async () => {
    const { path, cf } = freshZone();
    const created = await cf.create({ hostname: unique('delete'), ssl: { method: 'http', type: 'dv' } });
    const res = await raw('DELETE', `${path}/${created.id}`, { body: '{}' });
    expect(res).toMatchObject({ status: 200, body: { id: created.id, success: true, result: { id: created.id } } });
    expect((await raw('GET', `${path}/${created.id}`)).body.errors[0].code).toBe(1436);
    const again = await cf.create({ hostname: created.hostname, ssl: { method: 'http', type: 'dv' } });
    expect(await cf.delete(again.id)).toEqual({ id: again.id });
    await expect(cf.delete(again.id)).rejects.toMatchObject({ status: 404 });
  });
});

describe('Cloudflare sandbox: activation decided from the sandbox DNS', () => {
  it('stays pending until the CNAME reaches the fallback origin and the ownership TXT holds its token; then issues and deploys the certificate on its clock', async () => {
    const { cf, zoneId } = freshZone();
    const hostname = unique('activate');
    const created = await cf.create({ hostname, ssl: { method: 'http', type: 'dv' } });
    const token = created.ownership_verification?.value as string;

    const nothing = await cf.get(created.id);
    expect(nothing).toMatchObject({ status: 'pending', ssl: { status: 'pending_validation' } });
    expect(nothing.verification_errors).toEqual([
      'custom hostname does not CNAME to this zone.',
      'None of the A or AAAA records are owned by this account and the pre-generated ownership verification token was not found.',
    ]);

    await pointAt(hostname);
    const cnameOnly = await cf.edit(created.id, { ssl: { method: 'http', type: 'dv' } });
    expect(cnameOnly.status).toBe('pending');
    expect(cnameOnly.verification_errors).toEqual([
      'None of the A or AAAA records are owned by this account and the pre-generated ownership verification token was not found.',
    ]);

    await proveOwnership(hostname, 'some-other-value');
    expect((await cf.edit(created.id, {})).status).toBe('pending');
    await proveOwnership(hostname, token);
    const verified = await cf.edit(created.id, {});
    expect(verified).toMatchObject({ status: 'active', ssl: { status: 'pending_issuance' } });
    expect(verified.verification_errors).toBeUndefined();

    await advanceCloudflareClock(env, { seconds: 15, zoneId });
    expect((await cf.get(created.id)).ssl?.status).toBe('pending_deployment');
    await advanceCloudflareClock(env, { seconds: 15, zoneId });
    const live = await cf.get(created.id);
    expect(live.ssl).toMatchObject({ status: 'active', hosts: [hostname] });
    expect(live.ssl?.validation_records).toBeUndefined();

    // Taking the CNAME away: the hourly re-check on the zone clock moves the hostname.
    await removeSandboxDnsRecords(env, { name: hostname, type: 'CNAME' });
    await advanceCloudflareClock(env, { seconds: 3600, zoneId });
    expect(await cf.get(created.id)).toMatchObject({ status: 'moved', verification_errors: ['custom hostname does not CNAME to this zone.'] });
  });

  it('follows a CNAME chain to the fallback origin, and re-checks pending hostnames on its own clock', async () => {
    const { cf, zoneId } = freshZone();
    const hostname = unique('chain');
    const created = await cf.create({ hostname, ssl: { method: 'http', type: 'dv' } });
    expect((await cf.get(created.id)).status).toBe('pending'); // the first check runs, and finds nothing
    await setSandboxDnsRecord(env, { name: hostname, type: 'CNAME', content: `hop.${hostname}` });
    await pointAt(`hop.${hostname}`);
    await proveOwnership(hostname, created.ownership_verification?.value as string);
    expect((await cf.get(created.id)).status).toBe('pending'); // the next check is not due yet
    await advanceCloudflareClock(env, { seconds: 60, zoneId });
    expect((await cf.get(created.id)).status).toBe('active');
  });

  it('validates the certificate by the _acme-challenge TXT when the method is txt', async () => {
    const { cf } = freshZone();
    const hostname = unique('dcv');
    const created = await cf.create({ hostname, ssl: { method: 'txt', type: 'dv' } });
    await pointAt(hostname);
    await proveOwnership(hostname, created.ownership_verification?.value as string);
    const active = await cf.edit(created.id, {});
    expect(active).toMatchObject({
      status: 'active',
      ssl: { status: 'pending_validation', validation_errors: [{ message: expect.stringContaining(`_acme-challenge.${hostname}`) }] },
    });
    const record = active.ssl?.validation_records?.[0];
    await setSandboxDnsRecord(env, { name: record?.txt_name as string, type: 'TXT', content: record?.txt_value as string });
    expect((await cf.edit(created.id, {})).ssl?.status).toBe('pending_issuance');
  });

  it('stops checking after 7 days (validation_timed_out) until the hostname is edited', async () => {
    const { cf, zoneId } = freshZone();
    const created = await cf.create({ hostname: unique('timeout'), ssl: { method: 'http', type: 'dv' } });
    await cf.get(created.id);
    await advanceCloudflareClock(env, { days: 8, zoneId });
    expect(await cf.get(created.id)).toMatchObject({ status: 'pending', ssl: { status: 'validation_timed_out' } });
    expect((await cf.edit(created.id, { ssl: { method: 'http', type: 'dv' } })).ssl?.status).toBe('pending_validation');
  });

  it("routes to the zone's fallback origin: a new zone starts with CUSTOM_DOMAIN_TARGET, and a CNAME to the old origin stops validating after a change", async () => {
    const { cf } = freshZone();
    expect(await cf.fallbackOrigin()).toMatchObject({ origin: TARGET, status: 'active' });
    expect(await cf.setFallbackOrigin('fallback.other-saas.com')).toMatchObject({ origin: 'fallback.other-saas.com' });
    const hostname = unique('origin');
    const created = await cf.create({ hostname, ssl: { method: 'http', type: 'dv' } });
    await pointAt(hostname);
    await proveOwnership(hostname, created.ownership_verification?.value as string);
    expect((await cf.edit(created.id, {})).verification_errors).toEqual(['custom hostname does not CNAME to this zone.']);
    await pointAt(hostname, 'fallback.other-saas.com');
    expect((await cf.edit(created.id, {})).status).toBe('active');
  });
});

describe('Cloudflare sandbox: DNS', () => {
  it('answers DNS-over-HTTPS JSON like 1.1.1.1: TXT quoted, CNAME chains for address queries, NXDOMAIN for unknown names', async () => {
    const hostname = unique('doh');
    await pointAt(hostname);
    await setSandboxDnsRecord(env, { name: `_cf-custom-hostname.${hostname}`, type: 'TXT', content: 'token "quoted"' });
    const query = async (name: string, type: string, accept = 'application/dns-json') => {
      const res = await exports.default.fetch(`http://localhost/sandbox/cloudflare/dns-query?name=${name}&type=${type}`, { headers: { accept } });
      return {
        status: res.status,
        type: res.headers.get('content-type'),
        body: (await res.json()) as { Status: number; Answer?: { name: string; type: number; TTL: number; data: string }[] },
      };
    };
    const txt = await query(`_cf-custom-hostname.${hostname}`, 'TXT');
    expect(txt).toMatchObject({
      status: 200,
      type: 'application/dns-json',
      body: { Status: 0, Answer: [{ name: `_cf-custom-hostname.${hostname}`, type: 16, TTL: 300, data: '"token \\"quoted\\""' }] },
    });
    expect((await query(hostname, 'A')).body.Answer).toEqual([{ name: hostname, type: 5, TTL: 300, data: `${TARGET}.` }]);
    expect((await query(hostname, 'TXT')).body).toMatchObject({ Status: 0 });
    expect((await query(unique('nobody'), 'CNAME')).body).toEqual({
      Status: 3,
      TC: false,
      RD: true,
      RA: true,
      AD: false,
      CD: false,
      Question: [{ name: expect.any(String), type: 5 }],
    });
    expect((await query(hostname, 'CNAME', 'text/html')).status).toBe(400);

    // The product's DoH client reads the same answers.
    const resolver = dohResolver('http://localhost/sandbox/cloudflare/dns-query', (input, init) => exports.default.fetch(input as string, init));
    expect(await resolver.lookup(`_cf-custom-hostname.${hostname}`, 'TXT')).toEqual({ status: 0, values: ['token "quoted"'] });
    expect(await resolver.lookup(hostname, 'CNAME')).toEqual({ status: 0, values: [TARGET] });
  });

  it("the DoH client parses 1.1.1.1's live JSON, joining long TXT records split into strings", async () => {
    const seen: string[] = [];
    const fake: typeof fetch = async (input, init) => {
      seen.push(`${String(input)} ${new Headers(init?.headers).get('accept')}`);
      return new Response(
        JSON.stringify({
          Status: 0,
          TC: false,
          RD: true,
          RA: true,
          AD: false,
          CD: false,
          Question: [{ name: 'x.acme.com', type: 16 }],
          Answer: [{ name: 'x.acme.com', type: 16, TTL: 300, data: '"first half " "second half"' }],
        }),
        {
          headers: { 'content-type': 'application/dns-json' },
        },
      );
    };
    const resolver = dohResolver(LIVE_DOH_URL, fake);
    expect(await resolver.lookup('x.acme.com', 'TXT')).toEqual({ status: 0, values: ['first half second half'] });
    expect(seen).toEqual(['https://cloudflare-dns.com/dns-query?name=x.acme.com&type=TXT application/dns-json']);
    const broken = dohResolver(LIVE_DOH_URL, async () => new Response('<html>', { status: 200 }));
    await expect(broken.lookup('x.acme.com', 'TXT')).rejects.toThrow(/not DNS JSON/);
  });

  it('edits records over HTTP under /_emulator/dns, refusing malformed records and a CNAME beside other records', async () => {
    const hostname = unique('http');
    const post = (body: unknown, auth = true) =>
      exports.default.fetch('http://localhost/sandbox/cloudflare/_emulator/dns', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(auth ? { authorization: `Bearer ${SANDBOX_CLOUDFLARE_API_TOKEN}` } : {}) },
        body: JSON.stringify(body),
      });
    expect((await post({ name: hostname, type: 'TXT', content: 'hello' }, false)).status).toBe(400);
    const created = await post({ name: `${hostname}.`, type: 'txt', content: 'hello' });
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ record: { name: hostname, type: 'TXT', content: 'hello', ttl: 300 }, replaced: null });
    const conflict = await post({ name: hostname, type: 'CNAME', content: TARGET });
    expect(conflict.status).toBe(400);
    expect(((await conflict.json()) as { error: { message: string } }).error.message).toMatch(/cannot share its name/);
    expect((await post({ name: hostname, type: 'MX', content: 'mail' })).status).toBe(400);
    expect((await post({ name: 'bad name', type: 'TXT', content: 'x' })).status).toBe(400);
    const listed = await exports.default.fetch(`http://localhost/sandbox/cloudflare/_emulator/dns?name=${hostname}`, {
      headers: { authorization: `Bearer ${SANDBOX_CLOUDFLARE_API_TOKEN}` },
    });
    expect(((await listed.json()) as { data: unknown[] }).data).toHaveLength(1);
    const removed = await exports.default.fetch(`http://localhost/sandbox/cloudflare/_emulator/dns?name=${hostname}&type=TXT`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${SANDBOX_CLOUDFLARE_API_TOKEN}` },
    });
    expect(await removed.json()).toEqual({ deleted: 1 });
  });
});

describe('Cloudflare sandbox: live mode', () => {
  it('is not served in live mode, and the live client refuses to start without its secrets', async () => {
    const live = { ...env, PROVIDER_MODE: 'live' } as Env;
    const { sandboxRoutes } = await import('../../workers/sandbox/sandbox.routes');
    const res = await sandboxRoutes.fetch(
      new Request(`http://sandbox.internal/cloudflare/client/v4/zones/${SANDBOX_CLOUDFLARE_ZONE_ID}/custom_hostnames`, {
        headers: { authorization: `Bearer ${SANDBOX_CLOUDFLARE_API_TOKEN}` },
      }),
      live,
    );
    expect(res.status).toBe(400);
    expect(((await res.json()) as Envelope).success).toBe(false);
    expect(() => customHostnamesClient(live)).toThrow(/CLOUDFLARE_API_TOKEN/);
    expect(customHostnamesClient({ ...live, CLOUDFLARE_API_TOKEN: 't'.repeat(40), CLOUDFLARE_ZONE_ID: 'z'.repeat(32) } as Env)).toMatchObject({
      mode: 'live',
      zoneId: 'z'.repeat(32),
    });
  });
});
