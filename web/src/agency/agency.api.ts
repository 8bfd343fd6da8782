// The agency's own API: its client accounts (sub-accounts) and their users
// and plans, the impersonation audit log, the custom domain, Stripe Connect,
// the tiers it sells and its usage markup. Shapes follow the OpenAPI document
// (workers/tenancy, workers/agency); money is decimal USD strings.
import { api, ApiError, listAll, type Problem } from '../api/client';
import type { DunningCase, Page, TeamMember } from '../api/types';
import type { NewUser } from '../settings/AddUserDialog';

// ------------------------------------------------------------------ client accounts

export interface SubAccount {
  id: string;
  name: string;
  /** Billing standing: active, past_due, paused or archived. */
  status: string;
  /** Suspended by the agency: closed to its own users. */
  suspended: boolean;
  suspended_at: string | null;
  created_at: string;
}

export interface SubAccountPage extends Page<SubAccount> {
  counts: { total: number; suspended: number };
}

export const subAccounts = {
  /** One page in name order; `counts` covers all the agency's clients. */
  page: (query: { q?: string; cursor?: string | null; limit?: number }, signal?: AbortSignal) => api<SubAccountPage>('/agency/sub-accounts', { query, signal }),
  /** Every client, for pickers: walks the pages. */
  all: () => listAll<SubAccount>('/agency/sub-accounts', { limit: 200 }),
  create: (name: string) => api<SubAccount>('/agency/sub-accounts', { body: { name } }),
  rename: (id: string, name: string) => api<SubAccount>(`/agency/sub-accounts/${encodeURIComponent(id)}`, { method: 'PATCH', body: { name } }),
  setSuspended: (id: string, suspended: boolean) => api<SubAccount>(`/agency/sub-accounts/${encodeURIComponent(id)}`, { method: 'PATCH', body: { suspended } }),
  /** Adds a person to a client account; without a password, a new person is emailed an invitation. */
  addUser: (id: string, input: NewUser) => api<TeamMember>(`/agency/sub-accounts/${encodeURIComponent(id)}/users`, { body: input }),
};

// ------------------------------------------------------------------ a client's plan

export interface SubAccountSubscription {
  sub_account_id: string;
  tier: { key: string; name: string; price: string; contacts: number | null; users: number | null } | null;
  plan: { id: string; name: string };
  /** agency: covered by the agency's own plan; agency_tier: on one of the agency's tiers. */
  plan_source: 'trial' | 'subscription' | 'free' | 'agency' | 'agency_tier';
  status: 'active' | 'past_due' | 'paused' | 'archived';
  subscription: {
    id: string;
    status: string;
    current_period_start: string | null;
    current_period_end: string | null;
    cancel_at_period_end: boolean;
  } | null;
  payment_method: { brand: string | null; last4: string | null } | null;
  dunning: DunningCase | null;
}

const subscriptionPath = (id: string) => `/agency/sub-accounts/${encodeURIComponent(id)}/subscription`;

export const clientPlans = {
  get: (id: string, signal?: AbortSignal) => api<SubAccountSubscription>(subscriptionPath(id), { signal }),
  /** `idempotencyKey`: a new one per submit, so a retried request never charges twice. */
  put: (id: string, body: { tier: string; payment_method?: string }, idempotencyKey: string) =>
    api<SubAccountSubscription>(subscriptionPath(id), { body, headers: { 'Idempotency-Key': idempotencyKey } }),
  cancel: (id: string) => api<SubAccountSubscription>(subscriptionPath(id), { method: 'DELETE' }),
};

// ------------------------------------------------------------------ audit log

export interface AuditEntry {
  id: string;
  action: 'impersonation_started' | 'request';
  sub_account: { id: string; name: string };
  actor: { id: string; name: string; email: string };
  method: string | null;
  path: string | null;
  status: number | null;
  request_id: string | null;
  occurred_at: string;
}

export const auditLog = {
  list: (query: { sub_account_id?: string; cursor?: string | null }, signal?: AbortSignal) =>
    api<Page<AuditEntry>>('/agency/audit-log', { query: { ...query, limit: 25 }, signal }),
};

// ------------------------------------------------------------------ client sign-up

export interface ClientSignup {
  enabled: boolean;
  /** Where clients sign up: the live custom domain's /signup, or null without one. */
  signup_url: string | null;
}

export const clientSignup = {
  get: (signal?: AbortSignal) => api<ClientSignup>('/agency/client-signup', { signal }),
  set: (enabled: boolean) => api<ClientSignup>('/agency/client-signup', { method: 'PUT', body: { enabled } }),
};

// ------------------------------------------------------------------ custom domain

export type DomainStatus = 'pending' | 'provisioning' | 'active' | 'moved' | 'blocked' | 'removing';

export interface DnsRecord {
  type: 'CNAME' | 'TXT';
  name: string;
  value: string;
  purpose: string;
  /** What the DNS shows now. */
  status: 'ok' | 'missing' | 'wrong' | 'unknown';
  found: string[];
}

export interface CustomDomain {
  hostname: string;
  status: DomainStatus;
  live: boolean;
  cloudflare_status: string | null;
  ssl_status: string | null;
  dns_records: DnsRecord[];
  /** What stands between the domain and going live, in plain words. */
  errors: string[];
  checked_at: string | null;
  activated_at: string | null;
  /** While not verified: when the claim lapses and the hostname is released (72 hours after adding it). */
  expires_at: string | null;
  created_at: string;
}

export const domain = {
  /** The agency's domain, or null when it has none (the API answers 404). */
  status: (signal?: AbortSignal) =>
    api<CustomDomain>('/agency/domain/status', { signal }).catch((err: unknown) => {
      if (err instanceof ApiError && err.status === 404) return null;
      throw err;
    }),
  add: (hostname: string) => api<CustomDomain>('/agency/domain/add', { body: { hostname } }),
  verify: () => api<CustomDomain>('/agency/domain/verify', { method: 'POST' }),
  remove: () => api<void>('/agency/domain/remove', { method: 'DELETE' }),
};

// The sandbox's Cloudflare emulator (workers/sandbox/cloudflare): its public
// DNS and its zone clock, so a tester can take a domain live without a real
// DNS provider. The token is the emulator's fixed sandbox token
// (cloudflare.constants.ts), not a secret; in live mode these routes do not exist.
const SANDBOX_CLOUDFLARE_TOKEN = 'edgecrm-sandbox-cf-token-ssl-edit-000001';

async function sandboxCloudflare<T>(path: string, body: unknown): Promise<T> {
  const res = await fetch(`/sandbox/cloudflare/_emulator${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${SANDBOX_CLOUDFLARE_TOKEN}` },
    body: JSON.stringify(body),
  });
  const parsed = (await res.json().catch(() => null)) as { error?: { message?: string }; errors?: { message?: string }[] } | null;
  if (!res.ok) {
    const detail = parsed?.error?.message ?? parsed?.errors?.[0]?.message ?? `The sandbox DNS answered ${res.status}.`;
    throw new ApiError(res.status, { status: res.status, title: 'Sandbox request failed', detail } satisfies Problem);
  }
  return parsed as T;
}

export const sandboxDns = {
  /** Creates a record in the sandbox's public DNS (a CNAME replaces the name's CNAME). */
  put: (record: { name: string; type: DnsRecord['type']; content: string }) => sandboxCloudflare<{ record: unknown }>('/dns', record),
  /** Moves the sandbox zone's clock: certificate issuance and re-checks due on the way happen. */
  advanceClock: (seconds: number) => sandboxCloudflare<{ now: number; iso: string }>('/clock/advance', { seconds }),
};

// ------------------------------------------------------------------ Stripe Connect

export interface StripeConnection {
  connected: boolean;
  stripe_account_id: string | null;
  type: 'standard' | 'express' | null;
  charges_enabled: boolean;
  payouts_enabled: boolean;
  details_submitted: boolean;
  /** Stripe takes charges on the account: clients can be put on tiers. */
  onboarding_complete: boolean;
  onboarded_at: string | null;
  /** The platform's share of each paid invoice, in percent. */
  revenue_share_percent: string;
}

export const stripeConnect = {
  status: (signal?: AbortSignal) => api<StripeConnection>('/agency/stripe/status', { signal }),
  /** A single-use onboarding link (valid five minutes). */
  connect: () => api<{ url: string; expires_at: string; connection: StripeConnection }>('/agency/stripe/connect', { body: { type: 'standard' } }),
};

// ------------------------------------------------------------------ tiers

export interface AgencyTier {
  key: string;
  name: string;
  price: string;
  contacts: number;
  /** null: as many as the agency plan allows. */
  users: number | null;
  subscribers: number;
}

export interface AgencyTiers {
  tiers: AgencyTier[];
  retired_tiers: AgencyTier[];
  /** The most a tier may include (the agency plan's limits; null: unlimited). */
  limits: { contacts: number | null; users: number | null };
}

export interface TierInput {
  name: string;
  price: string;
  contacts: number;
  users?: number;
}

export const tiers = {
  list: (signal?: AbortSignal) => api<AgencyTiers>('/agency/pricing/tiers', { signal }),
  replace: (list: TierInput[]) => api<AgencyTiers>('/agency/pricing/tiers', { method: 'PUT', body: { tiers: list } }),
};

// ------------------------------------------------------------------ usage markup

export interface UsagePrice {
  resource_type: string;
  label: string;
  unit: string;
  unit_size: number;
  /** What the platform pays per unit size. */
  cost: string;
  platform_multiplier: string;
  /** What the agency pays per unit size. */
  platform_price: string;
  /** What the agency charges, as a multiple of cost. */
  multiplier: string;
  custom: boolean;
  /** What clients pay per unit size. */
  price: string;
  /** price − platform_price. */
  margin: string;
}

export const usageMarkup = {
  list: (signal?: AbortSignal) => api<Page<UsagePrice>>('/agency/usage-markup', { signal }).then((page) => page.data),
  /** A multiplier per resource; null returns a resource to the platform default. */
  update: (changes: Record<string, string | null>) => api<Page<UsagePrice>>('/agency/usage-markup', { method: 'PUT', body: changes }).then((page) => page.data),
};
