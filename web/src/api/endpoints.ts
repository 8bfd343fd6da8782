// One typed function per API operation the web app uses, grouped by resource.
import { api, downloadFile, listAll, toPage } from './client';
import type { Branding } from '../ui/branding';
import type {
  InvitationSent,
  AgencyBranding,
  Activity,
  BrandAsset,
  BrandAssetKind,
  BrandingInput,
  ApiKey,
  AuthResponse,
  BillingEvent,
  BillingSummary,
  BillingUsage,
  ClockAdvance,
  Contact,
  ContactInput,
  CustomField,
  CustomFieldType,
  DunningCase,
  Invoice,
  Me,
  Note,
  Opportunity,
  OpportunityStatus,
  Page,
  ReachableAccount,
  PaymentConfig,
  Pipeline,
  MarginReport,
  Role,
  SavedCard,
  Tag,
  Task,
  TeamMember,
  TopUp,
  UsageReport,
  UsageResourceType,
  WalletBalance,
  WalletTransaction,
} from './types';

export const auth = {
  signup: (body: { email: string; password: string; name: string; account_name?: string; agency?: boolean }) =>
    api<{ message: string }>('/auth/signup', { body, anonymous: true }),
  confirmSignup: (token: string) => api<AuthResponse>('/auth/signup/confirm', { body: { token }, anonymous: true }),
  login: (body: { email: string; password: string }) => api<AuthResponse>('/auth/login', { body, anonymous: true }),
  logout: (refresh_token: string) => api<void>('/auth/logout', { body: { refresh_token }, anonymous: true }),
  requestPasswordReset: (email: string) => api<{ message: string }>('/auth/password-reset', { body: { email }, anonymous: true }),
  resetPassword: (body: { token: string; password: string }) => api<{ email: string }>('/auth/password-reset/confirm', { body, anonymous: true }),
  acceptInvitation: (token: string) =>
    api<{ account: { id: string; name: string }; role: string; email: string }>('/auth/invitations/accept', { body: { token }, anonymous: true }),
  tokenExchange: (account_id: string) => api<AuthResponse>('/auth/token-exchange', { body: { account_id } }),
  me: () => api<Me>('/me'),
  reachableAccounts: (q: string, signal?: AbortSignal) => api<Page<ReachableAccount>>('/me/accounts', { query: { q, limit: 50 }, signal }),
};

export const branding = {
  /** What to show here: this domain's agency, or the signed-in account's agency, or the platform's. */
  current: () => api<Branding>('/branding'),
  settings: (signal?: AbortSignal) => api<AgencyBranding>('/agency/branding', { signal }),
  save: (body: BrandingInput) => api<AgencyBranding & { warnings: string[] }>('/agency/branding', { method: 'PUT', body }),
  upload: (kind: BrandAssetKind, file: Blob) =>
    api<{ kind: BrandAssetKind; asset: BrandAsset; removed: string[]; branding: AgencyBranding }>(`/agency/branding/assets/${kind}`, {
      method: 'POST',
      raw: { data: file, type: file.type || 'application/octet-stream' },
    }),
  remove: (kind: BrandAssetKind) => api<AgencyBranding>(`/agency/branding/assets/${kind}`, { method: 'DELETE' }),
};

export const agency = {
  createSubAccount: (name: string) => api<{ id: string; name: string; status: string; created_at: string }>('/agency/sub-accounts', { body: { name } }),
  margins: (query: { from?: string; to?: string }, signal?: AbortSignal) => api<MarginReport>('/agency/wallet/margins', { query: { ...query }, signal }),
};

export interface TransactionQuery {
  resource_type?: UsageResourceType | '';
  /** ISO instant, inclusive. */
  from?: string;
  /** ISO instant, exclusive. */
  to?: string;
  cursor?: string | null;
  limit?: number;
}

export const wallet = {
  balance: (signal?: AbortSignal) => api<WalletBalance>('/wallet/balance', { signal }),
  savePaymentMethod: (payment_method: string) => api<SavedCard>('/wallet/payment-method', { body: { payment_method } }),
  /** How to collect a card: Stripe's test cards in sandbox, Stripe.js when live. */
  paymentConfig: () => api<PaymentConfig>('/wallet/payment-config'),
  /** `idempotencyKey` makes a retried submit charge at most once; use a new one per submit. */
  addFunds: (amount: string, idempotencyKey: string) => api<TopUp>('/wallet/add-funds', { body: { amount }, headers: { 'Idempotency-Key': idempotencyKey } }),
  topUps: (signal?: AbortSignal) => api<Page<TopUp>>('/wallet/top-ups', { signal }).then(toPage),
  configureAutoRecharge: (body: { enabled: boolean; threshold: string; amount: string }) => api<WalletBalance>('/wallet/auto-recharge/configure', { body }),
  transactions: (query: TransactionQuery, signal?: AbortSignal) =>
    api<Page<WalletTransaction>>('/wallet/transactions', { query: { ...query }, signal }).then(toPage),
  exportTransactions: (query: Omit<TransactionQuery, 'cursor' | 'limit'>, filename: string) =>
    downloadFile('/wallet/transactions', { query: { ...query, format: 'csv' }, accept: 'text/csv', filename }),
  usage: (days = 30, signal?: AbortSignal) => api<UsageReport>('/wallet/usage', { query: { days }, signal }),
};

export const billing = {
  summary: (signal?: AbortSignal) => api<BillingSummary>('/billing', { signal }),
  usage: (signal?: AbortSignal) => api<BillingUsage>('/billing/usage', { signal }),
  /** `idempotencyKey` makes a retried submit subscribe and charge at most once; use a new one per submit. */
  subscribe: (body: { plan: string; payment_method?: string }, idempotencyKey: string) =>
    api<BillingSummary>('/billing/subscribe', { body, headers: { 'Idempotency-Key': idempotencyKey } }),
  /** Upgrades and downgrades alike; a downgrade the data does not fit answers 409 downgrade_blocked. */
  changePlan: (plan: string, idempotencyKey: string) =>
    api<BillingSummary>('/billing/upgrade', { body: { plan }, headers: { 'Idempotency-Key': idempotencyKey } }),
  cancel: () => api<BillingSummary>('/billing/cancel', { body: {} }),
  resume: () => api<BillingSummary>('/billing/cancel', { body: { resume: true } }),
  pay: (payment_method?: string) => api<Pick<DunningCase, 'id' | 'status' | 'stage'>>('/billing/pay', { body: payment_method ? { payment_method } : {} }),
  savePaymentMethod: (payment_method: string) => api<SavedCard>('/billing/payment-method', { body: { payment_method } }),
  invoices: (cursor: string | null, signal?: AbortSignal) => api<Page<Invoice>>('/billing/invoices', { query: { cursor, limit: 12 }, signal }),
  downloadInvoice: (invoice: Invoice) => downloadFile(invoice.download_url, { accept: 'application/pdf' }),
  timeline: (cursor: string | null, signal?: AbortSignal) => api<Page<BillingEvent>>('/billing/timeline', { query: { cursor, limit: 20 }, signal }),
  /** Sandbox only: moves the shared billing clock forward, running renewals, webhooks and dunning on the way. */
  advanceClock: (days: number) => api<ClockAdvance>('/billing/sandbox/advance-clock', { body: { days } }),
};

export type ContactSort = 'created_at' | 'updated_at' | 'name' | 'email';

export interface ContactQuery {
  q?: string;
  tag?: string;
  sort?: ContactSort;
  order?: 'asc' | 'desc';
  cursor?: string | null;
  limit?: number;
}

export const contacts = {
  list: (query: ContactQuery, signal?: AbortSignal) => api<Page<Contact> | Contact[]>('/contacts', { query: { ...query }, signal }).then(toPage),
  get: (id: string) => api<Contact>(`/contacts/${id}`),
  create: (body: ContactInput) => api<Contact>('/contacts', { body }),
  update: (id: string, body: ContactInput) => api<Contact>(`/contacts/${id}`, { method: 'PATCH', body }),
  remove: (id: string) => api<void>(`/contacts/${id}`, { method: 'DELETE' }),
  addTags: (id: string, tags: string[]) => api<Contact>(`/contacts/${id}/tags`, { body: { tags } }),
  removeTag: (id: string, tagId: string) => api<Contact>(`/contacts/${id}/tags/${tagId}`, { method: 'DELETE' }),
  activities: (id: string) => listAll<Activity>(`/contacts/${id}/activities`, {}, 1),
  aiSummary: (id: string) => api<{ summary: string; provider: string; model: string }>(`/contacts/${id}/ai-summary`, { method: 'POST' }),
};

export const notes = {
  list: (contactId: string) => listAll<Note>(`/contacts/${contactId}/notes`, {}, 5),
  create: (contactId: string, body: string) => api<Note>(`/contacts/${contactId}/notes`, { body: { body } }),
  remove: (id: string) => api<void>(`/notes/${id}`, { method: 'DELETE' }),
};

export const tasks = {
  list: (query: { contact_id?: string; completed?: boolean }) => listAll<Task>('/tasks', query, 5),
  create: (body: { title: string; body?: string; due_at?: string; assignee_user_id?: string; contact_id?: string }) => api<Task>('/tasks', { body }),
  update: (id: string, body: Partial<Pick<Task, 'title' | 'body' | 'due_at' | 'completed' | 'assignee_user_id'>>) =>
    api<Task>(`/tasks/${id}`, { method: 'PATCH', body }),
  remove: (id: string) => api<void>(`/tasks/${id}`, { method: 'DELETE' }),
};

export const tags = {
  list: () => listAll<Tag>('/tags'),
  create: (body: { name: string; color?: string }) => api<Tag>('/tags', { body }),
  update: (id: string, body: { name?: string; color?: string }) => api<Tag>(`/tags/${id}`, { method: 'PATCH', body }),
  remove: (id: string) => api<void>(`/tags/${id}`, { method: 'DELETE' }),
};

export const customFields = {
  list: () => listAll<CustomField>('/custom-fields'),
  create: (body: { name: string; key?: string; type: CustomFieldType; options?: string[] }) => api<CustomField>('/custom-fields', { body }),
  update: (id: string, body: { name?: string; options?: string[] }) => api<CustomField>(`/custom-fields/${id}`, { method: 'PATCH', body }),
  remove: (id: string) => api<void>(`/custom-fields/${id}`, { method: 'DELETE' }),
};

export const pipelines = {
  list: () => listAll<Pipeline>('/pipelines'),
  create: (body: { name: string; stages: string[] }) => api<Pipeline>('/pipelines', { body }),
  update: (id: string, body: { name?: string; stages?: { id?: string; name: string }[] }) => api<Pipeline>(`/pipelines/${id}`, { method: 'PATCH', body }),
  remove: (id: string) => api<void>(`/pipelines/${id}`, { method: 'DELETE' }),
};

export const opportunities = {
  list: (query: { pipeline_id?: string; stage_id?: string; status?: OpportunityStatus; contact_id?: string }) =>
    listAll<Opportunity>('/opportunities', { ...query, limit: 200 }, 10),
  create: (body: { name: string; pipeline_id: string; stage_id?: string; contact_id?: string; value?: string; status?: OpportunityStatus }) =>
    api<Opportunity>('/opportunities', { body }),
  update: (id: string, body: Partial<{ stage_id: string; status: OpportunityStatus; value: string; name: string; contact_id: string | null }>) =>
    api<Opportunity>(`/opportunities/${id}`, { method: 'PATCH', body }),
  remove: (id: string) => api<void>(`/opportunities/${id}`, { method: 'DELETE' }),
};

export const users = {
  list: () => listAll<TeamMember>('/users'),
  add: (body: { email: string; name: string; role: Role; password?: string }) => api<TeamMember>('/users', { body }),
  resendInvitation: (id: string) => api<InvitationSent>(`/users/${id}/invitation`, { method: 'POST' }),
  setRole: (id: string, role: Role) => api<TeamMember>(`/users/${id}`, { method: 'PATCH', body: { role } }),
  remove: (id: string) => api<void>(`/users/${id}`, { method: 'DELETE' }),
};

export const apiKeys = {
  list: () => listAll<ApiKey>('/api-keys'),
  create: (name: string, role: 'admin' | 'member') => api<{ api_key: ApiKey; key: string }>('/api-keys', { body: { name, role } }),
  revoke: (id: string) => api<void>(`/api-keys/${id}`, { method: 'DELETE' }),
};
