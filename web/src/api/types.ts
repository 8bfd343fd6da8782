// Shapes of the JSON the API returns. Kept in one place so every screen reads
// the same contract; see the OpenAPI document at /api/openapi.json.

export type Role = 'owner' | 'admin' | 'member';
export type AccountKind = 'agency' | 'sub_account' | 'business' | string;

export interface User {
  id: string;
  email: string;
  name: string;
}

export interface Account {
  id: string;
  name: string;
  kind: AccountKind;
  status: string;
}

export interface AuthResponse {
  token: string;
  refresh_token: string;
  expires_in: number;
  user: User;
  account: Account;
}

export interface Me {
  user: User;
  account: Account;
  role: Role;
  acting_user: { id: string; name: string; email: string } | null;
  /** The first accounts the user can switch into... */
  accounts: ReachableAccount[];
  /** ...and whether there are more (GET /api/me/accounts searches them all). */
  accounts_more: boolean;
}

export interface ReachableAccount {
  id: string;
  name: string;
  kind: AccountKind;
  role: Role;
}

export type BrandAssetKind = 'logo_light' | 'logo_dark' | 'favicon';

export interface BrandAsset {
  url: string;
  content_type: string;
  bytes: number;
  width: number | null;
  height: number | null;
  sha256: string;
  uploaded_at: string;
}

/** An agency's branding settings (GET /api/agency/branding). */
export interface AgencyBranding {
  app_name: string | null;
  primary_color: string | null;
  secondary_color: string | null;
  support_email: string | null;
  custom_css: string | null;
  logo_light_url: string | null;
  logo_dark_url: string | null;
  favicon_url: string | null;
  assets: Record<BrandAssetKind, BrandAsset | null>;
  updated_at: string | null;
}

export interface BrandingInput {
  app_name: string | null;
  primary_color: string | null;
  secondary_color: string | null;
  support_email: string | null;
  custom_css: string | null;
}

export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}

export interface Tag {
  id: string;
  name: string;
  color: string;
  contact_count?: number;
}

export interface Address {
  line1: string | null;
  line2: string | null;
  city: string | null;
  region: string | null;
  postal_code: string | null;
  country: string | null;
}

export type CustomFieldValue = string | number | boolean | string[] | null;

export interface Contact {
  id: string;
  first_name: string | null;
  last_name: string | null;
  name: string | null;
  email: string | null;
  phone: string | null;
  company: string | null;
  address: Address | null;
  source: string | null;
  assigned_user_id: string | null;
  dnd: { sms: boolean; email: boolean; calls: boolean };
  tags: Tag[];
  custom_fields: Record<string, CustomFieldValue>;
  created_at: string;
  updated_at: string;
}

export interface ContactInput {
  first_name?: string | null;
  last_name?: string | null;
  email?: string | null;
  phone?: string | null;
  company?: string | null;
  address?: Partial<Address>;
  source?: string | null;
  dnd?: Partial<Contact['dnd']>;
  tags?: string[];
  custom_fields?: Record<string, CustomFieldValue>;
}

export interface Note {
  id: string;
  contact_id: string;
  body: string;
  author_user_id: string | null;
  created_at: string;
  updated_at: string;
}

export interface Task {
  id: string;
  contact_id: string | null;
  title: string;
  body: string | null;
  due_at: string | null;
  assignee_user_id: string | null;
  completed: boolean;
  completed_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface Activity {
  id: string;
  type: string;
  summary: string;
  occurred_at: string;
  actor_user_id: string | null;
}

export const CUSTOM_FIELD_TYPES = ['text', 'number', 'date', 'single_option', 'multi_option', 'checkbox', 'phone', 'email', 'monetary'] as const;
export type CustomFieldType = (typeof CUSTOM_FIELD_TYPES)[number];

export interface CustomField {
  id: string;
  key: string;
  name: string;
  type: CustomFieldType;
  options: string[];
  position: number;
}

export interface Stage {
  id: string;
  name: string;
  position: number;
}

export interface Pipeline {
  id: string;
  name: string;
  stages: Stage[];
  created_at: string;
}

export type OpportunityStatus = 'open' | 'won' | 'lost' | 'abandoned';

export interface Opportunity {
  id: string;
  name: string;
  pipeline_id: string;
  stage_id: string;
  contact_id: string | null;
  contact: { id: string; name: string } | null;
  value: string;
  status: OpportunityStatus;
  assignee_user_id: string | null;
  created_at: string;
  updated_at: string;
}

export interface TeamMember {
  id: string;
  name: string;
  email: string;
  role: Role;
  /** Invited by email and has not chosen a password yet. */
  invited: boolean;
  created_at: string;
  /** Present when adding them sent an invitation. */
  invitation?: InvitationSent;
}

export interface InvitationSent {
  email_status: 'sent' | 'failed';
  error: string | null;
  expires_at: string;
}

export interface ApiKey {
  id: string;
  name: string;
  prefix: string;
  role: Role | string;
  created_at: string;
  last_used_at: string | null;
}

// Wallet: money is a decimal USD string ("42.5000"; usage can carry 6 places).

export const USAGE_RESOURCE_TYPES = ['sms_outbound', 'sms_inbound', 'mms_outbound', 'voice_minute', 'email', 'ai_tokens'] as const;
export type UsageResourceType = (typeof USAGE_RESOURCE_TYPES)[number];

export interface SavedCard {
  brand: string | null;
  last4: string | null;
}

export interface WalletBalance {
  wallet_id: string;
  currency: 'USD';
  balance: string;
  held: string;
  available: string;
  low_balance_threshold: string;
  auto_recharge: {
    enabled: boolean;
    threshold: string;
    amount: string;
    in_progress: boolean;
    failure: string | null;
    /** The most auto-recharge charges the card in one UTC day. */
    daily_limit: string;
    /** Set when that limit was reached: no auto-recharge before this instant. */
    paused_until: string | null;
  };
  payment_method: SavedCard | null;
}

export interface WalletTransaction {
  id: string;
  type: 'credit' | 'debit' | 'refund';
  /** Signed: debits are negative. */
  amount: string;
  balance_after: string;
  resource_type: string | null;
  resource_id: string | null;
  quantity: number | null;
  reason: string | null;
  description: string | null;
  refunds_transaction_id: string | null;
  created_at: string;
}

export type TopUpStatus = 'pending' | 'succeeded' | 'failed' | 'requires_action';

export interface TopUp {
  id: string;
  kind: 'manual' | 'auto_recharge';
  amount: string;
  status: TopUpStatus;
  failure: string | null;
  created_at: string;
  updated_at: string;
}

export interface UsageReport {
  from: string;
  to: string;
  days: { date: string; resources: Record<string, string>; total: string }[];
  totals: Record<string, string>;
}

export interface MarginLine {
  charged: string;
  cost: string;
  margin: string;
}

export interface MarginReport {
  from: string;
  to: string;
  sub_accounts: (MarginLine & {
    account_id: string;
    name: string;
    resources: (MarginLine & { resource_type: string; quantity: number })[];
  })[];
  totals: MarginLine;
}

export interface PaymentConfig {
  mode: 'sandbox' | 'live';
  /** For Stripe.js card entry in live mode. */
  publishable_key: string | null;
  /** Sandbox only: Stripe's test PaymentMethod ids to pick from. */
  test_cards: { payment_method: string; label: string; behaviour: string }[] | null;
}

// Billing: the account's platform plan. Prices are decimal USD strings ("97.0000").

export type PlanId = 'free' | 'starter' | 'professional' | 'agency' | 'enterprise';
export type PlanSource = 'trial' | 'subscription' | 'free' | 'agency';
export type AccountStatus = 'active' | 'past_due' | 'paused' | 'archived';
export type Feature = 'core_crm' | 'sms' | 'email' | 'workflows' | 'ai_testing' | 'white_label' | 'sub_accounts' | 'dedicated_support' | 'sla';

export interface Plan {
  id: PlanId;
  name: string;
  /** null when priced by sales (Enterprise without an agreed price). */
  price_per_month: string | null;
  /** null: unlimited. */
  limits: { contacts: number | null; users: number | null };
  features: Feature[];
  purchasable: 'self_serve' | 'sales' | 'never';
}

export type DunningStage = 'past_due' | 'warned' | 'paused' | 'downgraded' | 'archived' | 'recovered' | 'closed';

export interface DunningCase {
  id: string;
  status: 'open' | 'recovered' | 'closed';
  stage: DunningStage;
  failures: number;
  invoice_id: string;
  amount_due: string;
  started_at: string;
  next_action: 'retry' | 'archive' | null;
  next_action_at: string | null;
  last_error: string | null;
  resolved_at: string | null;
}

export interface BillingSummary {
  plan: Plan;
  plan_source: PlanSource;
  status: AccountStatus;
  /** The status is the agency's (a sub-account covered by an agency that has not paid). */
  status_from_agency: boolean;
  trial_ends_at: string | null;
  subscription: {
    id: string;
    status: string;
    current_period_start: string | null;
    current_period_end: string | null;
    cancel_at_period_end: boolean;
  } | null;
  payment_method: SavedCard | null;
  /** The unpaid invoice being chased, or one recovered in the last 7 days. */
  dunning: DunningCase | null;
  enterprise_price: string | null;
  /** Cheapest first, Free included. */
  plans: Plan[];
}

export interface UsageMeter {
  used: number;
  limit: number | null;
  remaining: number | null;
  over_limit: boolean;
}

export interface BillingUsage {
  plan: { id: PlanId; name: string };
  plan_source: PlanSource;
  status: AccountStatus;
  contacts: UsageMeter;
  users: UsageMeter;
  sub_accounts: { used: number; included: boolean };
  features: { feature: Feature; name: string; included: boolean; available_on: PlanId | null }[];
}

export interface Invoice {
  id: string;
  number: string | null;
  status: string;
  billing_reason: string | null;
  currency: string;
  total: string;
  amount_due: string;
  amount_paid: string;
  amount_remaining: string;
  created_at: string;
  paid_at: string | null;
  period_start: string | null;
  period_end: string | null;
  attempt_count: number;
  lines: { description: string; amount: string; period_start: string; period_end: string; proration: boolean }[];
  download_url: string;
  hosted_invoice_url: string | null;
}

export interface BillingEvent {
  id: string;
  kind: string;
  message: string;
  occurred_at: string;
}

export interface ClockAdvance {
  now: string;
  due_cases: number;
  results: Record<string, string>;
}
