import { runInDurableObject } from 'cloudflare:test';
import { env, exports } from 'cloudflare:workers';
import { resendSandboxStub, sandboxEmails } from '../workers/sandbox/resend/resend.controls';
import type { AuthResult, SavedBranding, SubAccount } from './api-types';

/** The same origin the web app uses; a platform host. */
export const ORIGIN = 'http://localhost';

let counter = 0;
export function uniqueEmail(label = 'user'): string {
  counter += 1;
  return `${label}.${Date.now().toString(36)}.${counter}@example.com`;
}

export interface ApiReply<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

/** Calls the real Worker with an optional bearer token and JSON body. */
export async function call<T = unknown>(
  method: string,
  path: string,
  options: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {},
): Promise<ApiReply<T>> {
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

/** The value a test expects to be there (a nullable field the scenario has filled): fails the test when it is missing. */
export function present<T>(value: T | null | undefined, what = 'value'): T {
  if (value === null || value === undefined) throw new Error(`expected a ${what}, got ${value}`);
  return value;
}

export interface Tenant {
  token: string;
  refreshToken: string;
  accountId: string;
  userId: string;
  email: string;
  password: string;
  api: <T = unknown>(method: string, path: string, body?: unknown) => Promise<ApiReply<T>>;
}

/** The newest sign-up email to `email` (sign-up answers after the email is sent) and its link's token. */
async function signupLink(email: string): Promise<{ mailId: string; token: string }> {
  const mails = (await sandboxEmails(env, { to: email })).filter((m) => m.tags.some((t) => t.value === 'signup_confirm'));
  const match = /\/signup\/confirm#token=([\w-]+)/.exec(mails[0]?.text ?? '');
  if (!match || !mails[0]) throw new Error(`no sign-up link was emailed to ${email}`);
  return { mailId: mails[0].id, token: match[1] as string };
}

export async function signupLinkToken(email: string): Promise<string> {
  return (await signupLink(email)).token;
}

/** Finishes a sign-up of `email` with its emailed link, as its owner would; `origin` is the host it was made on. */
export async function confirmSignupByEmail<T = AuthResult>(email: string, origin = ORIGIN): Promise<ApiReply<T>> {
  const token = await signupLinkToken(email);
  const res = await exports.default.fetch(`${origin}/api/auth/signup/confirm`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token }),
  });
  return { status: res.status, body: (await res.json()) as T, headers: res.headers };
}

/** Signs up a fresh account (confirming it from the sandbox mailbox) and returns a client bound to its token. */
export async function createTenant(options: { agency?: boolean; name?: string } = {}): Promise<Tenant> {
  const email = uniqueEmail(options.agency ? 'agency' : 'owner');
  const password = 'correct-horse-battery';
  const res = await call<AuthReply>('POST', '/api/auth/signup', {
    body: { email, password, name: options.name ?? 'Test Owner', account_name: `${options.name ?? 'Test'} Co`, ...(options.agency ? { agency: true } : {}) },
  });
  if (res.status !== 202) throw new Error(`signup failed: ${res.status} ${JSON.stringify(res.body)}`);
  const { mailId } = await signupLink(email);
  const confirmed = await confirmSignupByEmail(email);
  if (confirmed.status !== 201) throw new Error(`signup confirmation failed: ${confirmed.status} ${JSON.stringify(confirmed.body)}`);
  // The new owner is done with that email: the tenant starts with an empty mailbox, so tests see only what they cause.
  await runInDurableObject(resendSandboxStub(env), (_emulator, state) => void state.storage.sql.exec('DELETE FROM emails WHERE id = ?', mailId));
  return tenantFromAuth(confirmed.body, email, password);
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

/** An agency branded "Bright CRM" (its colour, its support address) with one client account, Harbor Dental: for emails sent in an agency's brand. */
export async function brandedAgencyWithClient(): Promise<{ agency: Tenant; client: SubAccount }> {
  const agency = await createTenant({ agency: true, name: 'Bright' });
  const branded = await agency.api<SavedBranding>('PUT', '/api/agency/branding', {
    app_name: 'Bright CRM',
    primary_color: '#0F766E',
    support_email: 'help@brightagency.com',
  });
  if (branded.status !== 200) throw new Error(`branding failed: ${branded.status}`);
  const client = await agency.api<SubAccount>('POST', '/api/agency/sub-accounts', { name: 'Harbor Dental' });
  if (client.status !== 201) throw new Error(`sub-account failed: ${client.status}`);
  return { agency, client: client.body };
}
