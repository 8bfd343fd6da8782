import { z } from 'zod';
import { AppError } from '../../platform/errors';
import { sandboxProviders } from '../../platform/providers';

/**
 * The product's way to Cloudflare for SaaS custom hostnames
 * (`/client/v4/zones/{zone_id}/custom_hostnames`), with fetch: live against
 * api.cloudflare.com with CLOUDFLARE_API_TOKEN and CLOUDFLARE_ZONE_ID, or the
 * sandbox emulator in-process (docs/decisions/0002). Every answer is read
 * through Cloudflare's envelope and parsed with zod; a failure becomes a
 * CloudflareApiError carrying Cloudflare's error codes.
 */

export const LIVE_CLOUDFLARE_API = 'https://api.cloudflare.com/client/v4';
export const SANDBOX_CLOUDFLARE_API = 'http://sandbox.internal/cloudflare/client/v4';

/** How long one call may take while a person waits on it. */
export const CLOUDFLARE_TIMEOUT_MS = 15_000;

/** Cloudflare's codes the product reacts to. */
export const CF_CODES = {
  duplicate: 1406,
  invalidHostname: 1407,
  nonAscii: 1408,
  reservedTld: 1409,
  unparsable: 1410,
  exampleDomain: 1411,
  quotaExceeded: 1405,
  notFound: 1436,
} as const;

const messageSchema = z.object({ code: z.number().int(), message: z.string() });

const sslSchema = z.object({
  id: z.string().optional(),
  type: z.string().optional(),
  method: z.string().optional(),
  status: z.string(),
  certificate_authority: z.string().optional(),
  validation_records: z
    .array(
      z.object({
        txt_name: z.string().optional(),
        txt_value: z.string().optional(),
        http_url: z.string().optional(),
        http_body: z.string().optional(),
        emails: z.array(z.string()).optional(),
      }),
    )
    .optional(),
  validation_errors: z.array(z.object({ message: z.string() })).optional(),
  hosts: z.array(z.string()).optional(),
  expires_on: z.string().optional(),
});

export const customHostnameSchema = z.object({
  id: z.string(),
  hostname: z.string(),
  status: z.string(),
  ssl: sslSchema.optional(),
  verification_errors: z.array(z.string()).optional(),
  ownership_verification: z.object({ type: z.string(), name: z.string(), value: z.string() }).optional(),
  ownership_verification_http: z.object({ http_url: z.string(), http_body: z.string() }).optional(),
  created_at: z.string().optional(),
  custom_metadata: z.record(z.string(), z.string()).optional(),
});
export type CustomHostname = z.infer<typeof customHostnameSchema>;

const resultInfoSchema = z.object({ page: z.number(), per_page: z.number(), count: z.number(), total_count: z.number() });

export const fallbackOriginSchema = z.object({
  origin: z.string().optional(),
  status: z.string().optional(),
  errors: z.array(z.string()).optional(),
  created_at: z.string().optional(),
  updated_at: z.string().optional(),
});
export type FallbackOrigin = z.infer<typeof fallbackOriginSchema>;

/** A call Cloudflare answered with `success: false` (or an HTTP error), with its codes. */
export class CloudflareApiError extends Error {
  readonly status: number;
  readonly errors: { code: number; message: string }[];

  constructor(status: number, errors: { code: number; message: string }[]) {
    super(errors.length ? errors.map((e) => `${e.code}: ${e.message}`).join('; ') : `Cloudflare answered HTTP ${status}`);
    this.status = status;
    this.errors = errors;
  }

  has(code: number): boolean {
    return this.errors.some((e) => e.code === code);
  }
}

/** Cloudflare could not be reached, or answered something that is not its API. */
export class CloudflareUnavailableError extends Error {}

export interface SslRequest {
  method: 'http' | 'txt' | 'email';
  type: 'dv';
  [key: string]: unknown;
}

export interface ListHostnamesQuery {
  hostname?: string;
  id?: string;
  page?: number;
  per_page?: number;
}

export interface CustomHostnamesClient {
  mode: 'live' | 'sandbox';
  zoneId: string;
  list(query?: ListHostnamesQuery): Promise<{ result: CustomHostname[]; result_info: z.infer<typeof resultInfoSchema> | null }>;
  create(input: { hostname: string; ssl?: SslRequest; custom_metadata?: Record<string, string> }): Promise<CustomHostname>;
  get(id: string): Promise<CustomHostname>;
  /** PATCH; sending the current SSL settings again asks Cloudflare to re-check validation now. */
  edit(id: string, input: { ssl?: SslRequest; custom_metadata?: Record<string, string> }): Promise<CustomHostname>;
  delete(id: string): Promise<{ id: string }>;
  fallbackOrigin(): Promise<FallbackOrigin>;
  setFallbackOrigin(origin: string): Promise<FallbackOrigin>;
}

/** Cloudflare's secrets are unset in sandbox, so wrangler.toml does not declare them; read them as optional. */
function cloudflareSecrets(env: Env): { CLOUDFLARE_API_TOKEN?: string; CLOUDFLARE_ZONE_ID?: string } {
  return env as unknown as { CLOUDFLARE_API_TOKEN?: string; CLOUDFLARE_ZONE_ID?: string };
}

interface Endpoint {
  mode: 'live' | 'sandbox';
  baseUrl: string;
  token: string;
  zoneId: string;
  fetch: typeof fetch;
}

function endpointFor(env: Env): Endpoint {
  if (env.PROVIDER_MODE === 'live') {
    const { CLOUDFLARE_API_TOKEN: token, CLOUDFLARE_ZONE_ID: zoneId } = cloudflareSecrets(env);
    if (!token || !zoneId)
      throw new AppError('provider_unavailable', 'Cloudflare is set to live mode but CLOUDFLARE_API_TOKEN or CLOUDFLARE_ZONE_ID is not configured.');
    return { mode: 'live', baseUrl: LIVE_CLOUDFLARE_API, token, zoneId, fetch: globalThis.fetch.bind(globalThis) };
  }
  const sandbox = sandboxProviders();
  return { mode: 'sandbox', baseUrl: SANDBOX_CLOUDFLARE_API, token: sandbox.cloudflare.apiToken, zoneId: sandbox.cloudflare.zoneId, fetch: sandbox.fetch(env) };
}

/**
 * A custom-hostnames client for this environment (or for an explicit
 * endpoint, which tests use to try other credentials and zones).
 *
 * @example
 * const cf = customHostnamesClient(env);
 * const created = await cf.create({ hostname: 'app.acme-agency.com', ssl: { method: 'http', type: 'dv' } });
 */
export function customHostnamesClient(env: Env, override: Partial<Pick<Endpoint, 'token' | 'zoneId' | 'baseUrl' | 'fetch'>> = {}): CustomHostnamesClient {
  const endpoint = { ...endpointFor(env), ...override };
  const zonePath = `/zones/${encodeURIComponent(endpoint.zoneId)}/custom_hostnames`;

  async function send<T extends z.ZodType>(
    method: string,
    path: string,
    schema: T,
    body?: unknown,
  ): Promise<{ result: z.infer<T>; raw: Record<string, unknown> }> {
    let res: Response;
    try {
      res = await endpoint.fetch(`${endpoint.baseUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${endpoint.token}`, 'content-type': 'application/json', accept: 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(CLOUDFLARE_TIMEOUT_MS),
      });
    } catch (err) {
      throw new CloudflareUnavailableError(`Cloudflare did not answer ${method} ${path}: ${err instanceof Error ? err.message : String(err)}`);
    }
    const json: unknown = await res.json().catch(() => null);
    const envelope = z
      .object({ success: z.boolean(), errors: z.array(messageSchema), result: z.unknown() })
      .passthrough()
      .safeParse(json);
    // The 2024 spec's DELETE answers a bare `{ id }`, without the envelope.
    const bareId = z.object({ id: z.string() }).safeParse(json);
    if (!envelope.success && method === 'DELETE' && res.ok && bareId.success) return { result: schema.parse(bareId.data), raw: bareId.data };
    if (!envelope.success) throw new CloudflareUnavailableError(`Cloudflare answered ${method} ${path} with HTTP ${res.status} and no API envelope.`);
    if (!envelope.data.success || !res.ok) {
      if (res.status >= 500)
        throw new CloudflareUnavailableError(
          `Cloudflare failed ${method} ${path}: HTTP ${res.status} ${envelope.data.errors.map((e) => e.message).join('; ')}`,
        );
      throw new CloudflareApiError(res.status, envelope.data.errors);
    }
    const result = schema.safeParse(envelope.data.result);
    if (!result.success)
      throw new CloudflareUnavailableError(
        `Cloudflare's answer to ${method} ${path} did not have the expected shape: ${result.error.issues[0]?.message ?? 'invalid'}.`,
      );
    return { result: result.data, raw: envelope.data as Record<string, unknown> };
  }

  return {
    mode: endpoint.mode,
    zoneId: endpoint.zoneId,
    async list(query = {}) {
      const params = new URLSearchParams();
      for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, String(v));
      const qs = params.toString();
      const { result, raw } = await send('GET', `${zonePath}${qs ? `?${qs}` : ''}`, z.array(customHostnameSchema));
      const info = resultInfoSchema.safeParse(raw.result_info);
      return { result, result_info: info.success ? info.data : null };
    },
    async create(input) {
      return (await send('POST', zonePath, customHostnameSchema, input)).result;
    },
    async get(id) {
      return (await send('GET', `${zonePath}/${encodeURIComponent(id)}`, customHostnameSchema)).result;
    },
    async edit(id, input) {
      return (await send('PATCH', `${zonePath}/${encodeURIComponent(id)}`, customHostnameSchema, input)).result;
    },
    async delete(id) {
      // The 2024 spec answers `{ id }` at the top level; an envelope's `result.id` is read too.
      const { result, raw } = await send('DELETE', `${zonePath}/${encodeURIComponent(id)}`, z.unknown(), {});
      const parsed = z.object({ id: z.string() }).safeParse(result ?? raw);
      return { id: parsed.success ? parsed.data.id : typeof raw.id === 'string' ? raw.id : id };
    },
    async fallbackOrigin() {
      return (await send('GET', `${zonePath}/fallback_origin`, fallbackOriginSchema)).result;
    },
    async setFallbackOrigin(origin) {
      return (await send('PUT', `${zonePath}/fallback_origin`, fallbackOriginSchema, { origin })).result;
    },
  };
}
