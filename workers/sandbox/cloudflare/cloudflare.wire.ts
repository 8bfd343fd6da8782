import {
  SANDBOX_CLOUDFLARE_API_TOKEN,
  SANDBOX_CLOUDFLARE_EMAIL,
  SANDBOX_CLOUDFLARE_GLOBAL_KEY,
  SANDBOX_CLOUDFLARE_READ_ONLY_TOKEN,
} from './cloudflare.constants';

/**
 * Cloudflare's v4 wire format: every answer is the envelope
 * `{ success, errors: [{code, message}], messages, result, result_info? }`;
 * failures carry `success: false`, `result: null` and at least one error.
 * Error codes and messages are Cloudflare's own (Cloudflare for SaaS
 * "Status codes - Custom hostnames" reference, and the gateway's auth codes).
 */

export interface CloudflareMessage {
  code: number;
  message: string;
  error_chain?: CloudflareMessage[];
}

export interface ResultInfo {
  page: number;
  per_page: number;
  count: number;
  total_count: number;
}

/** What an emulated operation answers, before it is put in the envelope. */
export type CfReply =
  | { ok: true; status: number; result: unknown; resultInfo?: ResultInfo; topLevel?: Record<string, unknown> }
  | { ok: false; status: number; errors: CloudflareMessage[] };

export function cfOk(result: unknown, status = 200, extra: { resultInfo?: ResultInfo; topLevel?: Record<string, unknown> } = {}): CfReply {
  return { ok: true, status, result, ...extra };
}

export function cfFail(status: number, code: number, message: string, chain?: CloudflareMessage[]): CfReply {
  return { ok: false, status, errors: [{ code, message, ...(chain ? { error_chain: chain } : {}) }] };
}

export function envelope(reply: CfReply): Response {
  const body = reply.ok
    ? {
        ...(reply.topLevel ?? {}),
        success: true,
        errors: [],
        messages: [],
        result: reply.result,
        ...(reply.resultInfo ? { result_info: reply.resultInfo } : {}),
      }
    : { success: false, errors: reply.errors, messages: [], result: null };
  return new Response(JSON.stringify(body, null, 2), { status: reply.status, headers: { 'content-type': 'application/json' } });
}

/** Cloudflare's custom-hostname errors, by the code it answers with. */
export const CF_ERRORS = {
  badJson: () => cfFail(400, 1400, 'Unable to decode the JSON request body. Check your input and try again.'),
  badMetadata: () => cfFail(400, 1401, 'Unable to encode the Custom Metadata as JSON. Check your input and try again.'),
  invalidHostname: () =>
    cfFail(
      400,
      1407,
      'Invalid custom hostname. Custom hostnames have to be smaller than 256 characters in length, cannot be IP addresses, cannot contain any special characters such as ``~`!@#$%^&*()=+{}[]\\. Check your input and try again.',
    ),
  nonAscii: () => cfFail(400, 1408, 'Custom hostnames with non-ASCII characters are not supported. Check your input and try again.'),
  reservedTld: () =>
    cfFail(
      400,
      1409,
      "Reserved top domain custom hostnames, such as 'test', 'example', 'invalid' or 'localhost', is not supported. Check your input and try again.",
    ),
  noRegistrableDomain: (domain: string) =>
    cfFail(400, 1410, `Unable to parse custom hostname - publicsuffix: cannot derive eTLD+1 for domain ${domain}. Check your input and try again.`),
  exampleDomain: () => cfFail(400, 1411, 'Custom hostnames ending in example.com, example.net, or example.org are prohibited. Check your input and try again.'),
  noCustomOrigin: () =>
    cfFail(
      403,
      1414,
      'Access to setting a custom origin server has not been granted for this zone. If you are already a paid Cloudflare for SaaS customer, contact your account team for additional provisioning.',
    ),
  quotaExceeded: () =>
    cfFail(403, 1405, 'Quota exceeded. If you are already a paid Cloudflare for SaaS customer, contact your account team for additional provisioning.'),
  duplicate: () => cfFail(409, 1406, 'Duplicate custom hostname found.'),
  badMethod: () => cfFail(400, 1432, 'The validation method is not supported. Only `http`, `email`, or `txt` are accepted. Check your input and try again.'),
  badType: () => cfFail(400, 1433, "The validation type is not supported. Only 'dv' is accepted. Check your input and try again."),
  badSsl: () => cfFail(400, 1434, 'The SSL attribute is invalid. Refer to the API documentation, check your input and try again.'),
  badId: () => cfFail(400, 1435, 'The custom hostname ID is invalid. Check your input and try again.'),
  notFound: () => cfFail(404, 1436, 'The custom hostname was not found.'),
  idWithFilters: () =>
    cfFail(400, 1438, 'Cannot specify other filter parameters in addition to `id`. Only one must be specified. Check your input and try again.'),
  hostnameImmutable: () => cfFail(409, 1439, 'Modifying the custom hostname is not supported. Check your input and try again.'),
  methodAndType: () => cfFail(400, 1440, 'Both validation type and validation method are required. Check your input and try again.'),
  badBundle: () => cfFail(400, 1449, 'The request input `bundle_method` must be one of: ubiquitous, optimal, force.'),
  badOrigin: () =>
    cfFail(
      400,
      1415,
      'Invalid custom origin hostname. Custom origin hostnames have to be smaller than 256 characters in length, cannot be IP addresses, cannot contain any special characters.',
    ),
  internal: () => cfFail(500, 1500, 'Internal Server Error'),
  noRoute: () => cfFail(400, 7000, 'No route for that URI'),
  badZone: (path: string) => cfFail(400, 7003, `Could not route to ${path}, perhaps your object identifier is invalid?`),
} as const;

// ---------------------------------------------------------------- auth

export type Permission = 'ssl:read' | 'ssl:edit';

export type AuthOutcome = { ok: true; permissions: Permission[] } | { ok: false; reply: CfReply };

const TOKEN_FORMAT = /^[A-Za-z0-9_-]{40}$/;

/**
 * Cloudflare's checks, in its order: some credential must be present (an API
 * token as `Authorization: Bearer`, or the `X-Auth-Email` + `X-Auth-Key`
 * pair the 2024 spec declares for these operations); a token must be well
 * formed and known; and it must carry `#ssl:edit` for writes
 * (`x-cfPermissionsRequired`: `#ssl:read` on GET, `#ssl:edit` otherwise).
 */
export function authenticate(headers: { authorization?: string; email?: string; key?: string }, method: string): AuthOutcome {
  let permissions: Permission[];
  if (headers.authorization !== undefined && headers.authorization !== '') {
    const match = /^Bearer (\S+)$/.exec(headers.authorization);
    if (!match || !TOKEN_FORMAT.test(match[1])) {
      return { ok: false, reply: cfFail(400, 6003, 'Invalid request headers', [{ code: 6111, message: 'Invalid format for Authorization header' }]) };
    }
    if (match[1] === SANDBOX_CLOUDFLARE_API_TOKEN) permissions = ['ssl:read', 'ssl:edit'];
    else if (match[1] === SANDBOX_CLOUDFLARE_READ_ONLY_TOKEN) permissions = ['ssl:read'];
    else return { ok: false, reply: cfFail(403, 9109, 'Invalid access token') };
  } else if (headers.email && headers.key) {
    if (headers.email.toLowerCase() !== SANDBOX_CLOUDFLARE_EMAIL || headers.key !== SANDBOX_CLOUDFLARE_GLOBAL_KEY) {
      return { ok: false, reply: cfFail(403, 9103, 'Unknown X-Auth-Key or X-Auth-Email') };
    }
    permissions = ['ssl:read', 'ssl:edit'];
  } else {
    return { ok: false, reply: cfFail(400, 9106, 'Missing X-Auth-Key, X-Auth-Email or Authorization headers') };
  }
  const needed: Permission = method === 'GET' || method === 'HEAD' ? 'ssl:read' : 'ssl:edit';
  if (!permissions.includes(needed)) return { ok: false, reply: cfFail(403, 10000, 'Authentication error') };
  return { ok: true, permissions };
}

/** Zone and custom-hostname identifiers: a 32-hex zone tag, a 36-character UUID. */
export const ZONE_ID_FORMAT = /^[0-9a-f]{32}$/;
export const HOSTNAME_ID_FORMAT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
