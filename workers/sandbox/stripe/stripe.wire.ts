/**
 * Stripe's v1 wire format: form-encoded parameters in bracket notation
 * (`items[0][price]=price_x`, `expand[]=latest_invoice`, `metadata[k]=v`),
 * JSON replies, and the error envelope
 * `{ error: { type, code?, decline_code?, message, param?, doc_url? } }`.
 */

/** A decoded request: strings at the leaves, nested objects and arrays above. */
export type Param = string | Param[] | { [key: string]: Param };
export type Params = { [key: string]: Param };

/** Splits `items[0][price]` into `['items', '0', 'price']`; `expand[]` gives `['expand', '']`. */
function splitKey(key: string): string[] {
  const open = key.indexOf('[');
  if (open <= 0) return [key];
  const parts = [key.slice(0, open)];
  for (const m of key.slice(open).matchAll(/\[([^\]]*)\]/g)) parts.push(m[1]);
  return parts;
}

type Tree = { [key: string]: Tree | string };

function assign(tree: Tree, path: string[], value: string): void {
  let node = tree;
  for (let i = 0; i < path.length; i++) {
    let key = path[i];
    if (key === '') key = String(Object.keys(node).length);
    if (i === path.length - 1) {
      node[key] = value;
      return;
    }
    const next = node[key];
    if (typeof next !== 'object') node[key] = {};
    node = node[key] as Tree;
  }
}

/** Objects whose keys are all 0..n-1 become arrays, the way Stripe reads `items[0]`, `items[1]`. */
function normalize(node: Tree | string): Param {
  if (typeof node === 'string') return node;
  const keys = Object.keys(node);
  const isArray = keys.length > 0 && keys.every((k) => /^\d+$/.test(k));
  if (isArray) {
    return keys
      .map(Number)
      .sort((a, b) => a - b)
      .map((k) => normalize(node[String(k)]));
  }
  const out: Params = {};
  for (const k of keys) out[k] = normalize(node[k]);
  return out;
}

export function parseForm(body: string): Params {
  const tree: Tree = {};
  for (const [key, value] of new URLSearchParams(body)) assign(tree, splitKey(key), value);
  return normalize(tree) as Params;
}

/** A canonical form of parameters, so a retried request compares equal however its keys were ordered. */
export function canonicalParams(params: Params): string {
  const sort = (p: Param): unknown => {
    if (typeof p === 'string') return p;
    if (Array.isArray(p)) return p.map(sort);
    return Object.fromEntries(
      Object.keys(p)
        .sort()
        .map((k) => [k, sort(p[k])]),
    );
  };
  return JSON.stringify(sort(params));
}

// ---------------------------------------------------------------- errors

export type StripeErrorType = 'api_error' | 'card_error' | 'idempotency_error' | 'invalid_request_error' | 'authentication_error' | 'rate_limit_error';

export interface StripeErrorBody {
  type: StripeErrorType;
  message: string;
  code?: string;
  decline_code?: string;
  param?: string;
  doc_url?: string;
  [extra: string]: unknown;
}

/**
 * An error Stripe answers before it changes anything (bad parameters, missing
 * objects). Thrown from handlers: the request's writes roll back and no
 * idempotent result is saved, as Stripe documents.
 */
export class StripeApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: StripeErrorBody,
  ) {
    super(body.message);
  }
}

function docUrl(code: string): string {
  return `https://stripe.com/docs/error-codes/${code.replace(/_/g, '-')}`;
}

export function invalidRequest(message: string, param?: string, code?: string, status = 400): StripeApiError {
  return new StripeApiError(status, {
    type: 'invalid_request_error',
    message,
    ...(code ? { code, doc_url: docUrl(code) } : {}),
    ...(param ? { param } : {}),
  });
}

export function missingParam(param: string): StripeApiError {
  return invalidRequest(`Missing required param: ${param}.`, param, 'parameter_missing');
}

export function unknownParam(param: string): StripeApiError {
  return invalidRequest(`Received unknown parameter: ${param}`, param, 'parameter_unknown');
}

/** `No such customer: 'cus_x'`, answered 404 with `resource_missing`. */
export function noSuch(resource: string, id: string, param = 'id'): StripeApiError {
  return invalidRequest(`No such ${resource}: '${id}'`, param, 'resource_missing', 404);
}

export function cardErrorBody(code: string, message: string, declineCode?: string, extra: Record<string, unknown> = {}): StripeErrorBody {
  return {
    type: 'card_error',
    code,
    ...(declineCode ? { decline_code: declineCode } : {}),
    doc_url: docUrl(code),
    message,
    ...extra,
  };
}

// ---------------------------------------------------------------- parameter readers

export function str(params: Params, name: string): string | undefined {
  const v = params[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw invalidRequest(`Invalid string: ${name} must be a string.`, name);
  return v;
}

export function requireStr(params: Params, name: string): string {
  const v = str(params, name);
  if (v === undefined || v === '') throw missingParam(name);
  return v;
}

export function int(params: Params, name: string): number | undefined {
  const v = str(params, name);
  if (v === undefined || v === '') return undefined;
  if (!/^-?\d+$/.test(v)) throw invalidRequest(`Invalid integer: ${v}`, name);
  return Number(v);
}

export function bool(params: Params, name: string): boolean | undefined {
  const v = str(params, name);
  if (v === undefined || v === '') return undefined;
  if (v !== 'true' && v !== 'false') throw invalidRequest(`Invalid boolean: ${v}`, name);
  return v === 'true';
}

export function oneOf<T extends string>(params: Params, name: string, allowed: readonly T[]): T | undefined {
  const v = str(params, name);
  if (v === undefined || v === '') return undefined;
  if (!allowed.includes(v as T)) throw invalidRequest(`Invalid ${name}: must be one of ${allowed.join(', ')}`, name);
  return v as T;
}

export function obj(params: Params, name: string): Params | undefined {
  const v = params[name];
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw invalidRequest(`Invalid object: ${name} must be a hash.`, name);
  return v;
}

export function list(params: Params, name: string): Param[] | undefined {
  const v = params[name];
  if (v === undefined || v === '') return undefined;
  if (typeof v === 'string') return [v];
  if (!Array.isArray(v)) throw invalidRequest(`Invalid array: ${name} must be an array.`, name);
  return v;
}

export function strList(params: Params, name: string): string[] | undefined {
  const v = list(params, name);
  if (v === undefined) return undefined;
  return v.map((item, i) => {
    if (typeof item !== 'string') throw invalidRequest(`Invalid array: ${name}[${i}] must be a string.`, name);
    return item;
  });
}

export type Metadata = Record<string, string>;

/**
 * Applies `metadata[...]` the way Stripe does: keys are merged, a key set to
 * "" is removed, and `metadata=""` clears everything.
 */
export function mergeMetadata(current: Metadata, params: Params, name = 'metadata'): Metadata {
  const v = params[name];
  if (v === undefined) return current;
  if (v === '') return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw invalidRequest('Invalid metadata: must be a hash of strings.', name);
  const next = { ...current };
  for (const [k, value] of Object.entries(v)) {
    if (typeof value !== 'string') throw invalidRequest(`Invalid metadata value for ${k}.`, `${name}[${k}]`);
    if (value === '') delete next[k];
    else next[k] = value;
  }
  if (Object.keys(next).length > 50) throw invalidRequest('You can specify up to 50 keys in metadata.', name);
  return next;
}

/** Rejects top-level parameters an endpoint does not take, as Stripe does. */
export function onlyParams(params: Params, allowed: readonly string[]): void {
  for (const key of Object.keys(params)) {
    if (key === 'expand') continue;
    if (!allowed.includes(key)) throw unknownParam(key);
  }
}
