import { Hono, type Context } from 'hono';
import { createLogger } from '../../platform/logger';
import { SANDBOX_CLOUDFLARE_ZONE_ID } from './cloudflare.constants';
import {
  advanceCloudflareClock,
  cloudflareClockNow,
  cloudflareZoneStub,
  listSandboxDnsRecords,
  removeSandboxDnsRecords,
  resolveSandboxDns,
  sandboxDnsStub,
} from './cloudflare.controls';
import { authenticate, CF_ERRORS, envelope, ZONE_ID_FORMAT, type CfReply } from './cloudflare.wire';
import { DNS_RECORD_TYPES, DNS_TYPE_CODES, normalizeDnsName, type DnsRecordType } from './sandbox-dns';

/**
 * Cloudflare's custom hostnames API (Cloudflare for SaaS) over HTTP, mounted
 * at /sandbox/cloudflare: `/client/v4/zones/{zone_id}/custom_hostnames...`
 * with Cloudflare's auth checks and envelope, each zone's state in its own
 * Durable Object. Beside it the sandbox's public DNS: a DNS-over-HTTPS JSON
 * resolver at `/dns-query` (the shape of 1.1.1.1's) and, under
 * `/_emulator/...`, the controls to edit its records and move zone clocks.
 */
export const cloudflareEmulator = new Hono<{ Bindings: Env }>();

type Ctx = Context<{ Bindings: Env }>;

const log = createLogger({ component: 'cloudflare-emulator' });

// With real Cloudflare in use the emulator is not served: its state would be storage anyone could fill.
cloudflareEmulator.use('*', async (c, next) => {
  if (c.env.PROVIDER_MODE === 'live') return envelope(CF_ERRORS.noRoute());
  await next();
});

// ---------------------------------------------------------------- DNS over HTTPS (JSON)

const TYPE_BY_CODE = new Map<string, DnsRecordType>(DNS_RECORD_TYPES.map((t) => [String(DNS_TYPE_CODES[t]), t]));

// GET /sandbox/cloudflare/dns-query?name=...&type=TXT – the sandbox DNS, answered like https://cloudflare-dns.com/dns-query
cloudflareEmulator.get('/dns-query', async (c) => {
  const dnsJson = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/dns-json' } });
  const accept = c.req.header('accept') ?? '';
  if (!accept.includes('application/dns-json') && c.req.query('ct') !== 'application/dns-json') {
    return dnsJson({ error: 'This resolver answers the JSON API only: send "Accept: application/dns-json".' }, 400);
  }
  const name = normalizeDnsName(c.req.query('name') ?? '');
  if (!name || name.length > 253) return dnsJson({ error: 'Invalid query name' }, 400);
  const rawType = (c.req.query('type') ?? 'A').toUpperCase();
  const type = (DNS_RECORD_TYPES as readonly string[]).includes(rawType) ? (rawType as DnsRecordType) : TYPE_BY_CODE.get(rawType);
  if (!type) return dnsJson({ error: `The sandbox resolver answers ${DNS_RECORD_TYPES.join(', ')} queries.` }, 400);
  const resolution = await resolveSandboxDns(c.env, name, type);
  return dnsJson({
    Status: resolution.Status,
    TC: false,
    RD: true,
    RA: true,
    AD: false,
    CD: false,
    Question: [{ name, type: DNS_TYPE_CODES[type] }],
    ...(resolution.Answer.length ? { Answer: resolution.Answer } : {}),
  });
});

// ---------------------------------------------------------------- the v4 API

cloudflareEmulator.use('/client/v4/*', async (c, next) => {
  const auth = authenticate(
    { authorization: c.req.header('authorization'), email: c.req.header('x-auth-email'), key: c.req.header('x-auth-key') },
    c.req.method,
  );
  if (!auth.ok) return envelope(auth.reply);
  await next();
});

/** The zone's Durable Object, or Cloudflare's routing error for a malformed zone tag. */
function zoneOf(c: Ctx): ReturnType<typeof cloudflareZoneStub> | Response {
  const zoneId = c.req.param('zone') ?? '';
  if (!ZONE_ID_FORMAT.test(zoneId)) return envelope(CF_ERRORS.badZone(`/zones/${zoneId}/custom_hostnames`));
  return cloudflareZoneStub(c.env, zoneId);
}

/** A JSON object body, `{}` for an empty one (an empty PATCH asks for a re-check), or Cloudflare's 1400. */
async function jsonObject(c: Ctx): Promise<Record<string, unknown> | Response> {
  const text = await c.req.text();
  if (text.trim() === '') return {};
  try {
    const value: unknown = JSON.parse(text);
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // answered below
  }
  return envelope(CF_ERRORS.badJson());
}

async function run(c: Ctx, op: (zone: ReturnType<typeof cloudflareZoneStub>) => Promise<CfReply> | CfReply): Promise<Response> {
  const zone = zoneOf(c);
  if (zone instanceof Response) return zone;
  try {
    return envelope(await op(zone));
  } catch (err) {
    log.error('emulator error', { path: c.req.path, error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) });
    return envelope(CF_ERRORS.internal());
  }
}

const base = '/client/v4/zones/:zone/custom_hostnames';

// GET …/custom_hostnames – list, filtered by hostname (exact, contain, startsWith), id or status; paginated
cloudflareEmulator.get(base, (c) => run(c, (zone) => zone.list({ ...c.req.query() })));

// POST …/custom_hostnames – { hostname, ssl?: { method, type, ... }, custom_metadata? }
cloudflareEmulator.post(base, async (c) => {
  const body = await jsonObject(c);
  if (body instanceof Response) return body;
  return run(c, (zone) => zone.create(body));
});

// GET/PUT/DELETE …/custom_hostnames/fallback_origin – where custom hostnames' traffic goes
cloudflareEmulator.get(`${base}/fallback_origin`, (c) => run(c, (zone) => zone.getFallbackOrigin()));
cloudflareEmulator.put(`${base}/fallback_origin`, async (c) => {
  const body = await jsonObject(c);
  if (body instanceof Response) return body;
  return run(c, (zone) => zone.putFallbackOrigin(body.origin));
});
cloudflareEmulator.delete(`${base}/fallback_origin`, (c) => run(c, (zone) => zone.deleteFallbackOrigin()));

// GET …/custom_hostnames/quota
cloudflareEmulator.get(`${base}/quota`, (c) => run(c, (zone) => zone.quota()));

// GET …/custom_hostnames/:id – details (runs a validation pass when one is due on the zone clock)
cloudflareEmulator.get(`${base}/:id`, (c) => run(c, (zone) => zone.get(c.req.param('id'))));

// PATCH …/custom_hostnames/:id – edit SSL or metadata; any PATCH re-checks validation now
cloudflareEmulator.patch(`${base}/:id`, async (c) => {
  const body = await jsonObject(c);
  if (body instanceof Response) return body;
  return run(c, (zone) => zone.edit(c.req.param('id'), body));
});

// DELETE …/custom_hostnames/:id
cloudflareEmulator.delete(`${base}/:id`, (c) => run(c, (zone) => zone.remove(c.req.param('id'))));

// Any other path, or a method a path does not take, is Cloudflare's "No route for that URI".
cloudflareEmulator.all('/client/v4/*', () => envelope(CF_ERRORS.noRoute()));

// ---------------------------------------------------------------- controls (JSON)

cloudflareEmulator.use('/_emulator/*', async (c, next) => {
  const auth = authenticate(
    { authorization: c.req.header('authorization'), email: c.req.header('x-auth-email'), key: c.req.header('x-auth-key') },
    c.req.method,
  );
  if (!auth.ok) return envelope(auth.reply);
  await next();
});

const controlError = (c: Ctx, message: string) => c.json({ error: { message } }, 400);

// GET /sandbox/cloudflare/_emulator/dns?name= – the records in the sandbox DNS
cloudflareEmulator.get('/_emulator/dns', async (c) => c.json({ data: await listSandboxDnsRecords(c.env, c.req.query('name') || undefined) }));

// POST /sandbox/cloudflare/_emulator/dns – { name, type: CNAME|TXT|A|AAAA, content, ttl? }; a CNAME replaces the name's CNAME
cloudflareEmulator.post('/_emulator/dns', async (c) => {
  const body = (await c.req.json().catch(() => null)) as { name?: unknown; type?: unknown; content?: unknown; ttl?: unknown } | null;
  if (
    !body ||
    typeof body.name !== 'string' ||
    typeof body.type !== 'string' ||
    typeof body.content !== 'string' ||
    (body.ttl !== undefined && typeof body.ttl !== 'number')
  ) {
    return controlError(c, 'A record needs `name`, `type` (CNAME, TXT, A or AAAA) and `content` as strings, and optionally `ttl` in seconds.');
  }
  const result = await sandboxDnsStub(c.env).put({ name: body.name, type: body.type, content: body.content, ttl: body.ttl as number | undefined });
  if (!result.ok) return controlError(c, result.error);
  return c.json({ record: result.record, replaced: result.replaced }, 201);
});

// DELETE /sandbox/cloudflare/_emulator/dns?name=&type=&content= – remove records at a name
cloudflareEmulator.delete('/_emulator/dns', async (c) => {
  const name = c.req.query('name');
  if (!name) return controlError(c, 'Give the `name` whose records to remove (and optionally `type` and `content`).');
  const type = c.req.query('type')?.toUpperCase();
  if (type !== undefined && !(DNS_RECORD_TYPES as readonly string[]).includes(type)) return controlError(c, `type is one of ${DNS_RECORD_TYPES.join(', ')}.`);
  return c.json({ deleted: await removeSandboxDnsRecords(c.env, { name, type: type as DnsRecordType | undefined, content: c.req.query('content') }) });
});

// GET /sandbox/cloudflare/_emulator/clock?zone_id= – the zone clock
cloudflareEmulator.get('/_emulator/clock', async (c) => {
  const zoneId = c.req.query('zone_id') ?? SANDBOX_CLOUDFLARE_ZONE_ID;
  if (!ZONE_ID_FORMAT.test(zoneId)) return controlError(c, 'zone_id is a 32-character zone tag.');
  const now = await cloudflareClockNow(c.env, zoneId);
  return c.json({ now, iso: new Date(now * 1000).toISOString() });
});

// POST /sandbox/cloudflare/_emulator/clock/advance – { seconds?, days?, zone_id? }; re-checks and certificate steps due on the way happen
cloudflareEmulator.post('/_emulator/clock/advance', async (c) => {
  const body = (await c.req.json().catch(() => ({}))) as { seconds?: unknown; days?: unknown; zone_id?: unknown };
  const num = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : undefined);
  if (num(body.seconds) === undefined && num(body.days) === undefined) return controlError(c, 'Give `seconds` or `days` as non-negative integers.');
  const zoneId = typeof body.zone_id === 'string' ? body.zone_id : SANDBOX_CLOUDFLARE_ZONE_ID;
  if (!ZONE_ID_FORMAT.test(zoneId)) return controlError(c, 'zone_id is a 32-character zone tag.');
  const result = await advanceCloudflareClock(c.env, { seconds: num(body.seconds), days: num(body.days), zoneId });
  return c.json({ ...result, iso: new Date(result.now * 1000).toISOString() });
});

cloudflareEmulator.all('*', () => envelope(CF_ERRORS.noRoute()));
