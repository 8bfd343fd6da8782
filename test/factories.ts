import { exports } from 'cloudflare:workers';

/** The same origin the web app uses; a platform host. */
export const ORIGIN = 'http://localhost';

let counter = 0;
export function uniqueEmail(label = 'user'): string {
  counter += 1;
  return `${label}.${Date.now().toString(36)}.${counter}@example.com`;
}

export interface ApiReply<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

/** Calls the real Worker with an optional bearer token and JSON body. */
export async function call<T = any>(method: string, path: string, options: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {}): Promise<ApiReply<T>> {
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.raw !== undefined) body = options.raw;
  else if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
  const res = await exports.default.fetch(`${ORIGIN}${path}`, { method, headers, body });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: leave as text
  }
  return { status: res.status, body: parsed as T, headers: res.headers };
}

export interface Tenant {
  token: string;
  refreshToken: string;
  accountId: string;
  userId: string;
  email: string;
  password: string;
  api: <T = any>(method: string, path: string, body?: unknown) => Promise<ApiReply<T>>;
}

/** Signs up a fresh account and returns a client bound to its token. */
export async function createTenant(options: { agency?: boolean; name?: string } = {}): Promise<Tenant> {
  const email = uniqueEmail(options.agency ? 'agency' : 'owner');
  const password = 'correct-horse-battery';
  const res = await call<AuthReply>('POST', '/api/auth/signup', {
    body: { email, password, name: options.name ?? 'Test Owner', account_name: `${options.name ?? 'Test'} Co`, ...(options.agency ? { agency: true } : {}) },
  });
  if (res.status !== 201) throw new Error(`signup failed: ${res.status} ${JSON.stringify(res.body)}`);
  return tenantFromAuth(res.body, email, password);
}

/** What signup, login and token exchange answer, as far as a tenant needs it. */
export interface AuthReply {
  token: string;
  refresh_token: string;
  account: { id: string };
  user: { id: string };
}

export function tenantFromAuth(auth: AuthReply, email: string, password: string): Tenant {
  return {
    token: auth.token,
    refreshToken: auth.refresh_token,
    accountId: auth.account.id,
    userId: auth.user.id,
    email,
    password,
    api: (method, path, body) => call(method, path, { token: auth.token, body }),
  };
}
