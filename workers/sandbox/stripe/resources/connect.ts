import { createdFilter, listObject, listParams, previousAttributes, type Emu } from '../stripe.context';
import { PLATFORM_ACCOUNT, PLATFORM_APPLICATION, SANDBOX_STRIPE_ONBOARDING_PATH } from '../stripe.constants';
import { accountId, randomBase62, stripeId } from '../stripe.ids';
import type { StripeObject } from '../stripe.store';
import { invalidRequest, mergeMetadata, obj, oneOf, onlyParams, requireStr, str, type Metadata, type Params } from '../stripe.wire';

/**
 * Stripe Connect on the platform account: connected accounts (standard and
 * express) with their onboarding through account links, and the
 * application fees the platform collects on its connected accounts'
 * charges. Accounts and fees live in the platform's Durable Object; each
 * connected account's own objects live in its own (the `Stripe-Account`
 * header picks it). What one account tells another (a fee collected, an
 * account updated) travels as a message sent after the transaction commits.
 */

export type AccountType = 'standard' | 'express';

interface Requirements {
  alternatives: unknown[];
  current_deadline: number | null;
  currently_due: string[];
  disabled_reason: string | null;
  errors: unknown[];
  eventually_due: string[];
  past_due: string[];
  pending_verification: string[];
}

export interface Account extends StripeObject {
  object: 'account';
  type: AccountType;
  charges_enabled: boolean;
  payouts_enabled: boolean;
  details_submitted: boolean;
  capabilities: Record<string, 'active' | 'inactive' | 'pending'>;
  created: number;
  email: string | null;
  metadata: Metadata;
  requirements: Requirements;
  tos_acceptance: { date: number | null; ip: string | null; user_agent: string | null };
}

/** An onboarding link's state (not a Stripe object: Stripe keeps it to itself too). */
interface AccountLinkRecord extends StripeObject {
  object: 'sandbox.account_link';
  account: string;
  type: 'account_onboarding' | 'account_update';
  return_url: string;
  refresh_url: string;
  created: number;
  expires_at: number;
  used_at: number | null;
}

export interface ApplicationFee extends StripeObject {
  object: 'application_fee';
  account: string;
  amount: number;
  charge: string;
  created: number;
  currency: string;
}

/** What Stripe asks a new account for before it can take charges (fixtures3.json `account.requirements`). */
const ONBOARDING_DUE = [
  'business_profile.product_description',
  'business_profile.support_phone',
  'business_profile.url',
  'external_account',
  'tos_acceptance.date',
  'tos_acceptance.ip',
];

/** Account links expire after five minutes, as on Stripe. */
const ACCOUNT_LINK_TTL_SECONDS = 300;

function requirements(due: string[]): Requirements {
  return {
    alternatives: [],
    current_deadline: null,
    currently_due: [...due],
    disabled_reason: due.length > 0 ? 'requirements.past_due' : null,
    errors: [],
    eventually_due: [...due],
    past_due: [],
    pending_verification: [],
  };
}

function platformOnly(emu: Emu, what: string): void {
  if (emu.connected)
    throw invalidRequest(`Only a platform can ${what}; this request was made on a connected account (Stripe-Account).`, undefined, 'platform_account_required');
}

function checkUrl(url: string, param: string): string {
  try {
    const u = new URL(url);
    if (u.protocol === 'https:' || u.protocol === 'http:') return url;
  } catch {
    // fall through
  }
  throw invalidRequest(`Not a valid URL: ${url}`, param, 'url_invalid');
}

// ---------------------------------------------------------------- accounts

const BUSINESS_PROFILE_FIELDS = ['name', 'url', 'support_email', 'support_phone', 'support_url', 'product_description', 'mcc'] as const;

function businessProfile(current: Record<string, unknown> | null, params: Params): Record<string, unknown> {
  const base: Record<string, unknown> = current ?? {
    annual_revenue: { amount: null, currency: null, fiscal_year_end: null },
    estimated_worker_count: null,
    mcc: null,
    minority_owned_business_designation: null,
    name: null,
    product_description: null,
    support_address: { city: null, country: null, line1: null, line2: null, postal_code: null, state: null },
    support_email: null,
    support_phone: null,
    support_url: null,
    url: null,
  };
  const given = obj(params, 'business_profile');
  if (!given) return base;
  const next = { ...base };
  for (const [key, value] of Object.entries(given)) {
    if (!(BUSINESS_PROFILE_FIELDS as readonly string[]).includes(key))
      throw invalidRequest(`Received unknown parameter: business_profile[${key}]`, `business_profile[${key}]`, 'parameter_unknown');
    if (typeof value !== 'string') throw invalidRequest(`Invalid string: business_profile[${key}]`, `business_profile[${key}]`);
    next[key] = value || null;
  }
  return next;
}

function controllerOf(type: AccountType): Record<string, unknown> {
  return type === 'express'
    ? {
        fees: { payer: 'application' },
        is_controller: true,
        losses: { payments: 'application' },
        requirement_collection: 'stripe',
        stripe_dashboard: { type: 'express' },
        type: 'application',
      }
    : {
        fees: { payer: 'account' },
        is_controller: true,
        losses: { payments: 'stripe' },
        requirement_collection: 'stripe',
        stripe_dashboard: { type: 'full' },
        type: 'application',
      };
}

const ACCOUNT_CREATE_PARAMS = [
  'type',
  'country',
  'email',
  'business_type',
  'business_profile',
  'capabilities',
  'metadata',
  'default_currency',
  'settings',
  'tos_acceptance',
  'controller',
];

// POST /v1/accounts – a connected account that cannot take charges until it is onboarded
export function createAccount(emu: Emu, params: Params): Account {
  platformOnly(emu, 'create connected accounts');
  onlyParams(params, ACCOUNT_CREATE_PARAMS);
  if (params.controller !== undefined)
    throw invalidRequest('The sandbox creates accounts by `type` (standard or express); `controller` is not emulated.', 'controller');
  const type = oneOf(params, 'type', ['standard', 'express', 'custom'] as const);
  if (!type) throw invalidRequest('You must specify either `type` or `controller` when creating an account.', 'type', 'parameter_missing');
  if (type === 'custom') throw invalidRequest('The sandbox emulates standard and express accounts; custom accounts are not emulated.', 'type');
  const businessType = oneOf(params, 'business_type', ['individual', 'company', 'non_profit', 'government_entity'] as const) ?? null;
  const country = (str(params, 'country') || 'US').toUpperCase();
  const at = emu.now;
  const id = accountId();
  const profile = businessProfile(null, params);
  const account: Account = {
    id,
    object: 'account',
    business_profile: profile,
    business_type: businessType,
    capabilities: { card_payments: 'inactive', transfers: 'inactive' },
    charges_enabled: false,
    controller: controllerOf(type),
    country,
    created: at,
    default_currency: (str(params, 'default_currency') || 'usd').toLowerCase(),
    details_submitted: false,
    email: str(params, 'email') || null,
    external_accounts: listObject(`/v1/accounts/${id}/external_accounts`, [], false),
    future_requirements: requirements([]),
    metadata: mergeMetadata({}, params),
    payouts_enabled: false,
    requirements: requirements(ONBOARDING_DUE),
    settings: {
      bacs_debit_payments: { display_name: null, service_user_number: null },
      branding: { icon: null, logo: null, primary_color: null, secondary_color: null },
      card_issuing: { tos_acceptance: { date: null, ip: null } },
      card_payments: {
        decline_on: { avs_failure: true, cvc_failure: true },
        statement_descriptor_prefix: null,
        statement_descriptor_prefix_kana: null,
        statement_descriptor_prefix_kanji: null,
      },
      dashboard: { display_name: (profile.name as string | null) ?? null, timezone: 'Etc/UTC' },
      invoices: { default_account_tax_ids: null, hosted_payment_method_save: null },
      payments: {
        statement_descriptor: null,
        statement_descriptor_kana: null,
        statement_descriptor_kanji: null,
        statement_descriptor_prefix_kana: null,
        statement_descriptor_prefix_kanji: null,
      },
      payouts: { debit_negative_balances: true, schedule: { delay_days: 2, interval: 'daily' }, statement_descriptor: null },
      sepa_debit_payments: {},
    },
    tos_acceptance: { date: null, ip: null, user_agent: null },
    type,
  };
  emu.store.save(account);
  return account;
}

// GET /v1/accounts/:id
export function retrieveAccount(emu: Emu, _params: Params, [id]: string[]): Account {
  return emu.find<Account>(id, 'account', 'account');
}

// GET /v1/accounts – the platform's connected accounts, newest first
export function listAccounts(emu: Emu, params: Params): unknown {
  onlyParams(params, ['created', 'limit', 'starting_after', 'ending_before']);
  const created = createdFilter(params);
  const page = emu.store.page<Account>('account', {}, listParams(params), (a) => a.deleted !== true && created(a.created));
  return listObject('/v1/accounts', page.data, page.has_more);
}

/** Saves a changed account and tells the account itself: `account.updated` is a Connect event, sent from there. */
function saveAccount(emu: Emu, before: Account, after: Account): void {
  emu.store.save(after);
  const previous = previousAttributes(before, after);
  if (previous) emu.send(after.id, 'account_event', { type: 'account.updated', object: after, previous });
}

// POST /v1/accounts/:id – email, business profile, metadata
export function updateAccount(emu: Emu, params: Params, [id]: string[]): Account {
  platformOnly(emu, 'update connected accounts');
  onlyParams(params, ['email', 'business_profile', 'metadata']);
  const account = emu.find<Account>(id, 'account', 'account');
  const after: Account = {
    ...account,
    email: str(params, 'email') !== undefined ? str(params, 'email') || null : account.email,
    business_profile: businessProfile(account.business_profile as Record<string, unknown>, params),
    metadata: mergeMetadata(account.metadata, params),
  };
  saveAccount(emu, account, after);
  return after;
}

/** What onboarding leaves behind: details submitted, capabilities active, charges and payouts enabled. */
function onboarded(account: Account, at: number): Account {
  return {
    ...account,
    capabilities: Object.fromEntries(Object.keys(account.capabilities).map((c) => [c, 'active' as const])),
    charges_enabled: true,
    details_submitted: true,
    payouts_enabled: true,
    requirements: requirements([]),
    tos_acceptance: { date: at, ip: '127.0.0.1', user_agent: 'Edge CRM Stripe sandbox onboarding' },
  };
}

// ---------------------------------------------------------------- account links

// POST /v1/account_links – a single-use link to the (sandbox) onboarding page, valid five minutes
export function createAccountLink(emu: Emu, params: Params): Record<string, unknown> {
  platformOnly(emu, 'create account links');
  onlyParams(params, ['account', 'type', 'refresh_url', 'return_url', 'collect', 'collection_options']);
  const account = emu.find<Account>(requireStr(params, 'account'), 'account', 'account', 'account');
  const type = oneOf(params, 'type', ['account_onboarding', 'account_update'] as const);
  if (!type) throw invalidRequest('Missing required param: type.', 'type', 'parameter_missing');
  const returnUrl = checkUrl(requireStr(params, 'return_url'), 'return_url');
  const refreshUrl = checkUrl(requireStr(params, 'refresh_url'), 'refresh_url');
  const at = emu.now;
  const link: AccountLinkRecord = {
    id: `alink_${randomBase62(24)}`,
    object: 'sandbox.account_link',
    account: account.id,
    type,
    return_url: returnUrl,
    refresh_url: refreshUrl,
    created: at,
    expires_at: at + ACCOUNT_LINK_TTL_SECONDS,
    used_at: null,
  };
  emu.store.save(link);
  // The sandbox serves onboarding from the same Worker as the product, so the page is on the return URL's origin.
  const url = new URL(SANDBOX_STRIPE_ONBOARDING_PATH, new URL(returnUrl).origin);
  url.searchParams.set('account', account.id);
  url.searchParams.set('link', link.id);
  return { object: 'account_link', created: at, expires_at: link.expires_at, url: url.toString() };
}

export type OnboardingOutcome =
  | { state: 'completed'; account: string; redirect: string }
  | { state: 'expired'; account: string; redirect: string }
  | { state: 'missing' };

/**
 * A visit to an account link: the sandbox's onboarding is done the moment
 * the link is opened (charges and payouts enabled, `account.updated`), and
 * the browser goes back to `return_url`. A link used before or expired sends
 * it to `refresh_url`, where the platform makes a new one, as on Stripe.
 */
export function visitAccountLink(emu: Emu, linkId: string, accountParam: string | null): OnboardingOutcome {
  const link = emu.store.get<AccountLinkRecord>(linkId);
  if (link?.object !== 'sandbox.account_link' || (accountParam !== null && accountParam !== link.account)) return { state: 'missing' };
  const at = emu.now;
  if (link.used_at !== null || at > link.expires_at) return { state: 'expired', account: link.account, redirect: link.refresh_url };
  emu.store.save({ ...link, used_at: at });
  const account = emu.find<Account>(link.account, 'account', 'account');
  if (!account.details_submitted || !account.charges_enabled) saveAccount(emu, account, onboarded(account, at));
  return { state: 'completed', account: link.account, redirect: link.return_url };
}

// ---------------------------------------------------------------- application fees

/**
 * The `application_fee_percent` parameter: a percentage with at most two
 * decimals; '' clears it. Only a platform acting on a connected account can
 * take a fee, so the platform's own subscriptions refuse it.
 */
export function applicationFeePercent(emu: Emu, params: Params): number | null | undefined {
  const raw = str(params, 'application_fee_percent');
  if (raw === undefined) return undefined;
  if (raw === '') return null;
  if (!emu.connected) {
    throw invalidRequest(
      'Can only apply an application_fee_percent when the request is made on behalf of another account (using the Stripe-Account header).',
      'application_fee_percent',
    );
  }
  if (!/^\d{1,3}(\.\d{1,2})?$/.test(raw) || Number(raw) > 100)
    throw invalidRequest(`Invalid decimal: ${raw}. application_fee_percent must be between 0 and 100, with at most two decimals.`, 'application_fee_percent');
  return Number(raw);
}

/**
 * The fee on `amount` (minor units) at `percent`, rounded half up to a whole
 * minor unit, computed on integers.
 *
 * @example feeFromPercent(14900, 10) // 1490
 */
export function feeFromPercent(amount: number, percent: number): number {
  const hundredths = Math.round(percent * 100);
  return Math.floor((amount * hundredths + 5_000) / 10_000);
}

/**
 * On a connected account, a succeeded charge that carries an application
 * fee: the fee is the platform's object, so it is built here and sent to
 * the platform. Returns the fee's id for the charge's `application_fee`.
 */
export function collectApplicationFee(emu: Emu, charge: { id: string; currency: string; created: number }, amount: number): string {
  const id = stripeId('fee');
  const fee: ApplicationFee = {
    id,
    object: 'application_fee',
    account: emu.account,
    amount,
    amount_refunded: 0,
    application: PLATFORM_APPLICATION,
    balance_transaction: stripeId('txn'),
    charge: charge.id,
    created: charge.created,
    currency: charge.currency,
    fee_source: { charge: charge.id, type: 'charge' },
    livemode: false,
    originating_transaction: null,
    refunded: false,
    refunds: listObject(`/v1/application_fees/${id}/refunds`, [], false),
  };
  emu.send(PLATFORM_ACCOUNT, 'application_fee', fee);
  return id;
}

/** On the platform: a fee a connected account collected; recorded once (`application_fee.created`). */
export function receiveApplicationFee(emu: Emu, fee: ApplicationFee): void {
  if (emu.store.get(fee.id)) return;
  emu.store.save(fee);
  emu.emit('application_fee.created', fee, { at: fee.created });
}

// GET /v1/application_fees – fees collected from connected accounts, newest first; `charge` filters
export function listApplicationFees(emu: Emu, params: Params): unknown {
  onlyParams(params, ['charge', 'created', 'limit', 'starting_after', 'ending_before']);
  const charge = str(params, 'charge');
  const created = createdFilter(params);
  const page = emu.store.page<ApplicationFee>(
    'application_fee',
    {},
    listParams(params),
    (f) => (charge === undefined || f.charge === charge) && created(f.created),
  );
  return listObject('/v1/application_fees', page.data, page.has_more);
}

// GET /v1/application_fees/:id
export function retrieveApplicationFee(emu: Emu, _params: Params, [id]: string[]): ApplicationFee {
  return emu.find<ApplicationFee>(id, 'application_fee', 'application fee');
}

/** A message from another account of the sandbox, applied in this account's transaction. */
export function receiveMessage(emu: Emu, kind: string, body: unknown): void {
  if (kind === 'application_fee') {
    receiveApplicationFee(emu, body as ApplicationFee);
    return;
  }
  if (kind === 'account_event') {
    const { type, object, previous } = body as { type: string; object: StripeObject; previous?: Record<string, unknown> };
    emu.emit(type, object, { previous });
    return;
  }
  throw new Error(`unknown sandbox message kind ${kind}`);
}
