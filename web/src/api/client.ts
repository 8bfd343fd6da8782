// A thin fetch wrapper: JSON in and out, bearer auth, one silent refresh on
// 401, and RFC 9457 problems turned into ApiError so forms can show them.
import { getTokens, setTokens, type Tokens } from './session';
import type { AuthResponse, Page } from './types';

export interface FieldError {
  field: string;
  message: string;
}

export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  errors?: FieldError[];
  [extra: string]: unknown;
}

export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem;

  constructor(status: number, problem: Problem) {
    super(problem.detail || problem.title || `Request failed (${status})`);
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem;
  }

  /** The problem `type` with any URL prefix removed, e.g. "duplicate_contact". */
  get code(): string {
    const type = this.problem.type ?? '';
    return (type.split('/').pop() ?? type).replace(/-/g, '_');
  }

  /**
   * Field errors keyed by the field path without a "body." prefix ("body.email" and "email" both
   * become "email"), so a form can put each message next to its input.
   */
  get fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const e of this.problem.errors ?? []) {
      const key = String(e.field ?? '')
        .replace(/^(body|query|params)[./]/, '')
        .replace(/\//g, '.');
      if (key && !out[key]) out[key] = e.message;
    }
    return out;
  }
}

/** Human text for any error thrown by a request. */
export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) {
    const fields = err.problem.errors ?? [];
    if (!err.problem.detail && fields.length > 0) {
      return fields.map((f) => `${f.field}: ${f.message}`).join('; ');
    }
    return err.message;
  }
  if (err instanceof TypeError) return 'Could not reach the server. Check your connection and try again.';
  if (err instanceof Error) return err.message;
  return 'Something went wrong.';
}

type Unauthorized = () => void;
let onUnauthorized: Unauthorized = () => {};

/** Called when the session can no longer be refreshed (the app sends the user to /login). */
export function setUnauthorizedHandler(handler: Unauthorized) {
  onUnauthorized = handler;
}

export interface RequestOptions {
  method?: string;
  body?: unknown;
  query?: Record<string, string | number | boolean | null | undefined>;
  /** Send no bearer token and never attempt a refresh (login, signup). */
  anonymous?: boolean;
  signal?: AbortSignal;
  /** Extra request headers, e.g. Idempotency-Key. */
  headers?: Record<string, string>;
  /** A raw body (a file upload), sent with its own Content-Type instead of JSON. */
  raw?: { data: Blob; type: string };
}

let refreshing: Promise<boolean> | null = null;

async function refreshSession(): Promise<boolean> {
  const tokens = getTokens();
  if (!tokens) return false;
  // Several requests can fail at once; they share a single refresh.
  refreshing ??= (async () => {
    try {
      const res = await fetch('/api/auth/refresh', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify({ refresh_token: tokens.refresh_token }),
      });
      if (!res.ok) return false;
      const data = (await res.json()) as AuthResponse;
      setTokens({ token: data.token, refresh_token: data.refresh_token });
      return true;
    } catch {
      return false;
    } finally {
      setTimeout(() => (refreshing = null), 0);
    }
  })();
  return refreshing;
}

function buildUrl(path: string, query?: RequestOptions['query']): string {
  const url = path.startsWith('/api/') ? path : `/api${path}`;
  if (!query) return url;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  }
  const qs = params.toString();
  return qs ? `${url}?${qs}` : url;
}

async function send(path: string, opts: RequestOptions, tokens: Tokens | null): Promise<Response> {
  const headers: Record<string, string> = { Accept: 'application/json', ...opts.headers };
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
  if (opts.raw) headers['Content-Type'] = opts.raw.type;
  if (tokens && !opts.anonymous) headers.Authorization = `Bearer ${tokens.token}`;
  const hasBody = opts.body !== undefined || opts.raw !== undefined;
  return fetch(buildUrl(path, opts.query), {
    method: opts.method ?? (hasBody ? 'POST' : 'GET'),
    headers,
    body: opts.raw ? opts.raw.data : opts.body === undefined ? undefined : JSON.stringify(opts.body),
    signal: opts.signal,
  });
}

async function parseProblem(res: Response): Promise<Problem> {
  const text = await res.text();
  try {
    const parsed = JSON.parse(text) as Problem;
    if (parsed && typeof parsed === 'object') return parsed;
  } catch {
    // fall through
  }
  return { status: res.status, title: res.statusText || 'Request failed', detail: text.slice(0, 200) || undefined };
}

/** Sends the request with the bearer token, refreshing the session once on a 401. */
async function authorizedFetch(path: string, opts: RequestOptions): Promise<Response> {
  let res = await send(path, opts, getTokens());
  if (res.status === 401 && !opts.anonymous && getTokens()) {
    if (await refreshSession()) {
      res = await send(path, opts, getTokens());
    }
    if (res.status === 401) {
      setTokens(null);
      onUnauthorized();
    }
  }
  return res;
}

/** Calls the API and returns the parsed JSON body (undefined for 204). */
export async function api<T = unknown>(path: string, opts: RequestOptions = {}): Promise<T> {
  const res = await authorizedFetch(path, opts);
  if (!res.ok) throw new ApiError(res.status, await parseProblem(res));
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  if (!text) return undefined as T;
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new ApiError(res.status, { title: 'Unexpected response', detail: `The server sent something other than JSON for ${path}.` });
  }
}

/**
 * Downloads a file from the API (with the bearer token, which a plain link
 * cannot send) and hands it to the browser as a download.
 */
export async function downloadFile(path: string, opts: RequestOptions & { accept: string; filename?: string }): Promise<void> {
  const res = await authorizedFetch(path, { ...opts, headers: { ...opts.headers, Accept: opts.accept } });
  if (!res.ok) throw new ApiError(res.status, await parseProblem(res));
  const blob = await res.blob();
  const disposition = res.headers.get('content-disposition') ?? '';
  const filename = opts.filename ?? /filename="?([^";]+)"?/.exec(disposition)?.[1] ?? 'download';
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
  // Give the browser a moment to start the download before the URL goes away.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Accepts either a bare array or a `{ data, next_cursor }` page. */
export function toPage<T>(body: T[] | Page<T>): Page<T> {
  return Array.isArray(body) ? { data: body, next_cursor: null } : body;
}

/** Reads every page of a list (bounded, for small reference lists like tags). */
export async function listAll<T>(path: string, query: RequestOptions['query'] = {}, maxPages = 20): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < maxPages; i++) {
    const page: Page<T> = toPage(await api<T[] | Page<T>>(path, { query: { ...query, cursor } }));
    out.push(...page.data);
    cursor = page.next_cursor;
    if (!cursor) break;
  }
  return out;
}
