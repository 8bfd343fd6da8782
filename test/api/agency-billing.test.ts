import { env, exports } from 'cloudflare:workers';
import type Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { advanceBillingClock } from '../../workers/billing/billing.clock';
import { billingNow } from '../../workers/billing/billing.scope';
import { assertAccountCanAutomate } from '../../workers/billing/entitlements';
import { stripeClient } from '../../workers/billing/stripe.client';
import { deliverAllPendingStripeWebhooks } from '../../workers/sandbox/stripe/stripe.webhooks';
import { call, createTenant, present, uniqueEmail, type ApiReply, type Tenant } from '../factories';
import type {
  AgencyStripeConnection,
  AgencyStripeOnboardingLink,
  AgencyTiers,
  AuthResult,
  BillingEvent,
  BillingSummary,
  BillingUsage,
  InvalidInput,
  Invoice,
  Page,
  Problem,
  SubAccount,
  SubAccountSubscription,
  TeamMember,
} from '../api-types';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const PASSWORD = 'client-password-2026';

const BASIC = { name: 'Basic', price: '149.00', contacts: 3, users: 2 };
const PRO = { name: 'Pro', price: '299.00', contacts: 10_000 };

/** Opens an onboarding link as the agency owner's browser would (the sandbox completes onboarding), without following the redirect. */
async function visit(url: string): Promise<Response> {
  const u = new URL(url);
  return exports.default.fetch(`http://localhost${u.pathname}${u.search}`, { redirect: 'manual' });
}

/** An agency with Stripe connected and onboarded, and `tiers` on sale. */
async function connectedAgency(tiers: unknown[] = [BASIC, PRO]): Promise<Tenant & { stripeAccount: string }> {
  const agency = await createTenant({ agency: true, name: 'Bright Agency' });
  const link = await agency.api<AgencyStripeOnboardingLink>('POST', '/api/agency/stripe/connect', {});
  expect(link.status, JSON.stringify(link.body)).toBe(200);
  expect((await visit(link.body.url)).status).toBe(302);
  expect((await agency.api<AgencyStripeConnection>('GET', '/api/agency/stripe/status')).body.onboarding_complete).toBe(true);
  expect((await agency.api<AgencyTiers>('PUT', '/api/agency/pricing/tiers', { tiers })).status).toBe(200);
  return { ...agency, stripeAccount: link.body.connection.stripe_account_id as string };
}

async function newClient(agency: Tenant, name = 'Harbor Dental'): Promise<string> {
  const created = await agency.api<SubAccount>('POST', '/api/agency/sub-accounts', { name });
  expect(created.status).toBe(201);
  return created.body.id as string;
}

/** Agency staff inside the client account (token exchange, RFC 8693). */
async function inside(agency: Tenant, clientId: string): Promise<Tenant['api']> {
  const exchanged = await agency.api<AuthResult>('POST', '/api/auth/token-exchange', { account_id: clientId });
  expect(exchanged.status).toBe(200);
  return (method, path, body) => call(method, path, { token: exchanged.body.token, body });
}

const putOnTier = <T = SubAccountSubscription>(agency: Tenant, clientId: string, body: unknown) =>
  agency.api<T>('POST', `/api/agency/sub-accounts/${clientId}/subscription`, body);

/** Moves the sandbox billing clock to `at` (ms): renewals, webhooks (connected accounts' too) and the dunning sweep on the way. */
async function walkTo(at: number): Promise<void> {
  const now = await billingNow(env, null);
  if (at > now) await advanceBillingClock(env, { hours: Math.ceil((at - now) / HOUR) });
}

describe("connecting the agency's Stripe account", () => {
  it('walks Connect onboarding: a link, incomplete until it is opened, complete after account.updated; asking again is a conflict', async () => {
    const agency = await createTenant({ agency: true, name: 'Onboarding Agency' });
    expect((await agency.api<AgencyStripeConnection>('GET', '/api/agency/stripe/status')).body).toMatchObject({
      connected: false,
      onboarding_complete: false,
      stripe_account_id: null,
      revenue_share_percent: '10',
    });

    const link = await agency.api<AgencyStripeOnboardingLink>('POST', '/api/agency/stripe/connect', { type: 'express' });
    expect(link.status, JSON.stringify(link.body)).toBe(200);
    expect(link.body.connection).toMatchObject({
      connected: true,
      type: 'express',
      charges_enabled: false,
      details_submitted: false,
      onboarding_complete: false,
    });
    const stripeAccount = link.body.connection.stripe_account_id as string;
    expect(stripeAccount).toMatch(/^acct_1/);
    expect(link.body.url).toMatch(/^http:\/\/localhost\/sandbox\/stripe\/_emulator\/connect\/onboard\?account=acct_/);
    expect(Date.parse(link.body.expires_at)).toBeGreaterThan(Date.now());
    const account = await stripeClient(env).accounts.retrieve(stripeAccount);
    expect(account).toMatchObject({
      type: 'express',
      charges_enabled: false,
      metadata: { account_id: agency.accountId },
      business_profile: { name: 'Onboarding Agency Co' },
    });

    // Selling before onboarding is finished is refused with what to do.
    const client = await newClient(agency);
    const early = await putOnTier<Problem>(agency, client, { tier: 'Basic', payment_method: 'pm_card_visa' });
    expect(early.status).toBe(409);
    expect(early.body).toMatchObject({ type: 'https://docs.edge-crm.dev/problems/stripe-not-connected', stripe_account_id: stripeAccount });
    expect(early.body.detail).toMatch(/onboarding .* is not finished/);

    // Opening the link finishes onboarding and returns to the app; Stripe's account.updated (a Connect event) updates the agency.
    const opened = await visit(link.body.url);
    expect(opened.status).toBe(302);
    expect(opened.headers.get('location')).toBe('http://localhost/agency/billing?stripe=return');
    await deliverAllPendingStripeWebhooks(env);
    const row = await env.DB.prepare('SELECT charges_enabled, details_submitted, onboarded_at FROM agency_billing WHERE account_id = ?')
      .bind(agency.accountId)
      .first<{ charges_enabled: number; details_submitted: number; onboarded_at: number | null }>();
    expect(row).toMatchObject({ charges_enabled: 1, details_submitted: 1, onboarded_at: expect.any(Number) });
    const seen = await env.DB.prepare("SELECT COUNT(*) AS n FROM stripe_events WHERE type = 'account.updated' AND processed_at IS NOT NULL").first<{
      n: number;
    }>();
    expect(seen?.n).toBeGreaterThanOrEqual(1);

    expect((await agency.api<AgencyStripeConnection>('GET', '/api/agency/stripe/status')).body).toMatchObject({
      connected: true,
      stripe_account_id: stripeAccount,
      charges_enabled: true,
      payouts_enabled: true,
      onboarding_complete: true,
      onboarded_at: expect.any(String),
    });
    // The link was single-use; there is nothing left to onboard.
    expect((await visit(link.body.url)).headers.get('location')).toBe('http://localhost/agency/billing?stripe=refresh');
    const again = await agency.api<Problem>('POST', '/api/agency/stripe/connect', {});
    expect(again.status).toBe(409);
    expect(again.body.detail).toMatch(/already connected/);
  });
});

describe("the agency's tiers", () => {
  it('are validated (unique names, at least $1.00, positive limits within the agency plan), and bad input saves nothing', async () => {
    const agency = await createTenant({ agency: true });
    const put = <T = AgencyTiers>(tiers: unknown) => agency.api<T>('PUT', '/api/agency/pricing/tiers', { tiers });
    const fieldsOf = (res: ApiReply<InvalidInput>) => res.body.errors.map((e) => [e.field, e.code]);

    const duplicate = await put<InvalidInput>([BASIC, { ...PRO, name: ' basic ' }]);
    expect(duplicate.status).toBe(422);
    expect(fieldsOf(duplicate)).toEqual([['tiers.1.name', 'duplicate_name']]);
    const cheap = await put<InvalidInput>([{ ...BASIC, price: '0.99' }]);
    expect(fieldsOf(cheap)).toEqual([['tiers.0.price', 'too_small']]);
    // The agency is on its Agency trial: 100,000 contacts per account.
    const big = await put<InvalidInput>([{ ...BASIC, contacts: 100_001 }]);
    expect(big.status).toBe(422);
    expect(big.body.errors[0]).toMatchObject({ field: 'tiers.0.contacts', code: 'above_plan_limit', message: expect.stringContaining('100,000') });
    expect(fieldsOf(await put<InvalidInput>([{ ...BASIC, name: 'FREE' }]))).toEqual([['tiers.0.name', 'reserved_name']]);
    for (const bad of [
      { ...BASIC, price: 149 },
      { ...BASIC, price: '149.999' },
      { ...BASIC, contacts: 0 },
      { ...BASIC, contacts: 2.5 },
      { ...BASIC, users: 0 },
      { ...BASIC, name: '' },
      { ...BASIC, extra: true },
    ]) {
      const res = await put<Problem>([bad]);
      expect(res.status, JSON.stringify(bad)).toBe(422);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    }
    expect((await agency.api<AgencyTiers>('GET', '/api/agency/pricing/tiers')).body).toEqual({
      tiers: [],
      retired_tiers: [],
      limits: { contacts: 100_000, users: null },
    });

    const saved = await put([BASIC, PRO]);
    expect(saved.status).toBe(200);
    expect(saved.body.tiers).toEqual([
      { key: 'basic', name: 'Basic', price: '149.0000', contacts: 3, users: 2, subscribers: 0 },
      { key: 'pro', name: 'Pro', price: '299.0000', contacts: 10_000, users: null, subscribers: 0 },
    ]);
    expect((await agency.api<AgencyTiers>('GET', '/api/agency/pricing/tiers')).body.tiers).toEqual(saved.body.tiers);
  });

  it('a new price applies to new subscribers only, and a tier taken off sale keeps its subscribers', async () => {
    const agency = await connectedAgency([{ name: 'Basic', price: '149.00', contacts: 2500 }]);
    const connected = stripeClient(env, { stripeAccount: agency.stripeAccount });
    const early = await newClient(agency, 'Early client');
    expect((await putOnTier(agency, early, { tier: 'Basic', payment_method: 'pm_card_visa' })).status).toBe(201);

    expect(
      (await agency.api<AgencyTiers>('PUT', '/api/agency/pricing/tiers', { tiers: [{ name: 'Basic', price: '199.00', contacts: 2500 }, PRO] })).status,
    ).toBe(200);
    const later = await newClient(agency, 'Later client');
    expect((await putOnTier(agency, later, { tier: 'basic', payment_method: 'pm_card_visa' })).status).toBe(201);
    const priceOf = async (clientId: string) => {
      const row = await env.DB.prepare('SELECT stripe_subscription_id FROM subscriptions WHERE account_id = ?')
        .bind(clientId)
        .first<{ stripe_subscription_id: string }>();
      return (await connected.subscriptions.retrieve(row?.stripe_subscription_id as string)).items.data[0].price;
    };
    expect((await priceOf(early)).unit_amount).toBe(14900);
    expect((await priceOf(later)).unit_amount).toBe(19900);
    expect((await priceOf(later)).lookup_key).toBe(`agency-${agency.accountId}.basic.month.usd.19900`);

    // Basic off sale: its subscribers keep it (and its limits); nobody new can choose it.
    const retired = await agency.api<AgencyTiers>('PUT', '/api/agency/pricing/tiers', { tiers: [PRO] });
    expect(retired.body.tiers.map((t: { key: string }) => t.key)).toEqual(['pro']);
    expect(retired.body.retired_tiers).toEqual([{ key: 'basic', name: 'Basic', price: '199.0000', contacts: 2500, users: null, subscribers: 2 }]);
    expect((await agency.api<SubAccountSubscription>('GET', `/api/agency/sub-accounts/${early}/subscription`)).body).toMatchObject({
      plan_source: 'agency_tier',
      tier: { key: 'basic', contacts: 2500 },
    });
    const third = await newClient(agency, 'Third client');
    const refused = await putOnTier<Problem>(agency, third, { tier: 'Basic', payment_method: 'pm_card_visa' });
    expect(refused.status).toBe(422);
    expect(refused.body.detail).toMatch(/^Basic is no longer on sale.*Tiers on sale: Pro\.$/);
  });
});

describe('a sub-account on an agency tier', () => {
  it("is billed on the agency's Stripe with 10% to the platform, and gets the tier's limits", async () => {
    const agency = await connectedAgency();
    const client = await newClient(agency);
    const subscribed = await putOnTier(agency, client, { tier: 'Basic', payment_method: 'pm_card_visa' });
    expect(subscribed.status, JSON.stringify(subscribed.body)).toBe(201);
    expect(subscribed.body).toMatchObject({
      sub_account_id: client,
      plan_source: 'agency_tier',
      status: 'active',
      tier: { key: 'basic', name: 'Basic', price: '149.0000', contacts: 3, users: 2 },
      subscription: { status: 'active', cancel_at_period_end: false },
      payment_method: { brand: 'visa', last4: '4242' },
      dunning: null,
    });

    // The invoice is the agency's, paid on its connected account; the platform's 10% is an application fee.
    const connected = stripeClient(env, { stripeAccount: agency.stripeAccount });
    const [invoice] = (await connected.invoices.list({ subscription: present(subscribed.body.subscription).id })).data as Array<
      Stripe.Invoice & { application_fee_amount: number | null }
    >;
    expect(invoice).toMatchObject({ status: 'paid', amount_paid: 14900, application_fee_amount: 1490, billing_reason: 'subscription_create' });
    expect((await connected.subscriptions.retrieve(present(subscribed.body.subscription).id)).application_fee_percent).toBe(10);
    const fees = (await stripeClient(env).applicationFees.list({ limit: 100 })).data.filter((f) => f.account === agency.stripeAccount);
    expect(fees.map((f) => [f.amount, f.currency])).toEqual([[1490, 'usd']]);
    expect(
      await stripeClient(env)
        .customers.list({ limit: 100 })
        .then((l) => l.data.some((c) => c.metadata.account_id === client)),
    ).toBe(false);

    // Inside the client account: its billing is the agency's tier; it cannot buy a platform plan itself.
    const asClient = await inside(agency, client);
    const billing = (await asClient<BillingSummary>('GET', '/api/billing')).body;
    expect(billing).toMatchObject({
      plan: { id: 'basic', name: 'Basic', limits: { contacts: 3, users: 2 } },
      plan_source: 'agency_tier',
      status: 'active',
      subscription: { status: 'active' },
    });
    expect(billing.plans.map((p: { id: string }) => p.id)).toEqual(['free', 'basic', 'pro']);
    expect((await asClient<Page<Invoice>>('GET', '/api/billing/invoices')).body.data.map((i: { amount_paid: string }) => i.amount_paid)).toEqual(['149.0000']);
    expect((await asClient<Page<BillingEvent>>('GET', '/api/billing/timeline')).body.data.map((e: { kind: string }) => e.kind)).toContain('subscribed');
    const own = await asClient<Problem>('POST', '/api/billing/subscribe', { plan: 'starter', payment_method: 'pm_card_visa' });
    expect(own.status).toBe(403);
    expect(own.body.detail).toMatch(/billed through its agency/);
    const usage = (await asClient<BillingUsage>('GET', '/api/billing/usage')).body;
    const included = Object.fromEntries(usage.features.map((f: { feature: string; included: boolean }) => [f.feature, f.included]));
    expect(included).toMatchObject({ core_crm: true, workflows: true, white_label: false, sub_accounts: false });

    // Limits follow the tier: the 4th contact and the 3rd user are refused.
    for (let i = 1; i <= 3; i++)
      expect((await asClient('POST', '/api/contacts', { first_name: `Patient ${i}`, email: `patient${i}@harbor.example` })).status).toBe(201);
    const fourth = await asClient<Problem>('POST', '/api/contacts', { first_name: 'Patient 4', email: 'patient4@harbor.example' });
    expect(fourth.status).toBe(403);
    expect(fourth.body).toMatchObject({
      type: 'https://docs.edge-crm.dev/problems/plan-limit-reached',
      plan: 'basic',
      plan_source: 'agency_tier',
      limit: { resource: 'contacts', limit: 3, used: 3 },
      upgrade: { plan: 'pro', name: 'Pro' },
    });
    expect(fourth.body.detail).toMatch(/the agency's Basic plan includes 3 contacts\. Ask your agency to upgrade to Pro \(\$299\/month\)/);
    const addUser = () =>
      agency.api<TeamMember>('POST', `/api/agency/sub-accounts/${client}/users`, {
        email: uniqueEmail('client-user'),
        name: 'Client user',
        role: 'member',
        password: PASSWORD,
      });
    expect((await addUser()).status).toBe(201);
    expect((await addUser()).status).toBe(201);
    expect((await addUser()).body).toMatchObject({ status: 403, plan_source: 'agency_tier', limit: { resource: 'users', limit: 2 } });

    // Another tier: moved at once, the prorated difference charged on the agency's account, with its fee.
    const moved = await putOnTier(agency, client, { tier: 'pro' });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    expect(moved.body).toMatchObject({ tier: { key: 'pro' }, plan_source: 'agency_tier' });
    expect((await asClient('POST', '/api/contacts', { first_name: 'Patient 4', email: 'patient4@harbor.example' })).status).toBe(201);
    const update = (await connected.invoices.list({ subscription: present(subscribed.body.subscription).id })).data.find(
      (i) => i.billing_reason === 'subscription_update',
    ) as Stripe.Invoice & { application_fee_amount: number };
    expect(update.amount_paid).toBeGreaterThan(0);
    expect(update.application_fee_amount).toBe(Math.round(update.amount_paid * 0.1));
    expect((await stripeClient(env).applicationFees.list({ limit: 100 })).data.filter((f) => f.account === agency.stripeAccount)).toHaveLength(2);

    // Cancelled at period end, and withdrawn by asking for the tier again.
    const cancelled = await agency.api<SubAccountSubscription>('DELETE', `/api/agency/sub-accounts/${client}/subscription`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.subscription).toMatchObject({ cancel_at_period_end: true });
    expect((await putOnTier(agency, client, { tier: 'Pro' })).body.subscription).toMatchObject({ cancel_at_period_end: false });
    expect(
      (await agency.api<AgencyTiers>('GET', '/api/agency/pricing/tiers')).body.tiers.map((t: { key: string; subscribers: number }) => [t.key, t.subscribers]),
    ).toEqual([
      ['basic', 0],
      ['pro', 1],
    ]);
  });

  it('refuses what the agency cannot sell: unknown tiers (422), a first subscription without a card (422), a client over the tier (409)', async () => {
    const agency = await connectedAgency();
    const client = await newClient(agency);
    const unknown = await putOnTier<InvalidInput>(agency, client, { tier: 'Platinum', payment_method: 'pm_card_visa' });
    expect(unknown.status).toBe(422);
    expect(unknown.body).toMatchObject({ errors: [{ field: 'tier', code: 'unknown_tier' }] });
    expect(unknown.body.detail).toBe('There is no tier "Platinum". Tiers on sale: Basic, Pro.');
    expect((await putOnTier(agency, client, { tier: 'free', payment_method: 'pm_card_visa' })).status).toBe(422);
    const noCard = await putOnTier<InvalidInput>(agency, client, { tier: 'Basic' });
    expect(noCard.status).toBe(422);
    expect(noCard.body.errors[0]).toMatchObject({ field: 'payment_method' });
    expect((await putOnTier(agency, client, { tier: 'Basic', payment_method: 'not-a-card' })).status).toBe(422);

    const asClient = await inside(agency, client);
    for (let i = 1; i <= 4; i++) expect((await asClient('POST', '/api/contacts', { first_name: `Lead ${i}` })).status).toBe(201);
    const over = await putOnTier<Problem>(agency, client, { tier: 'Basic', payment_method: 'pm_card_visa' });
    expect(over.status).toBe(409);
    expect(over.body.type).toBe('https://docs.edge-crm.dev/problems/downgrade-blocked');
    const declined = await putOnTier(agency, client, { tier: 'Pro', payment_method: 'pm_card_chargeDeclined' });
    expect(declined.status).toBe(402);
    expect((await agency.api<SubAccountSubscription>('GET', `/api/agency/sub-accounts/${client}/subscription`)).body).toMatchObject({
      subscription: null,
      tier: null,
      plan_source: 'agency',
    });
    expect((await agency.api<SubAccountSubscription>('DELETE', `/api/agency/sub-accounts/${client}/subscription`)).status).toBe(409);
  });
});

describe('tenancy and access', () => {
  it('businesses, client users, agency members and other agencies are refused; an agency plan without sub-accounts cannot sell tiers', async () => {
    const agency = await connectedAgency();
    const client = await newClient(agency);
    const clientOwnerEmail = uniqueEmail('client-owner');
    expect(
      (
        await agency.api<TeamMember>('POST', `/api/agency/sub-accounts/${client}/users`, {
          email: clientOwnerEmail,
          name: 'Owner',
          role: 'owner',
          password: PASSWORD,
        })
      ).status,
    ).toBe(201);
    const clientOwner = (await call<AuthResult>('POST', '/api/auth/login', { body: { email: clientOwnerEmail, password: PASSWORD } })).body.token as string;
    const business = await createTenant();
    const impersonating = await inside(agency, client);

    const routes: Array<[string, string, unknown?]> = [
      ['POST', '/api/agency/stripe/connect', {}],
      ['GET', '/api/agency/stripe/status'],
      ['GET', '/api/agency/pricing/tiers'],
      ['PUT', '/api/agency/pricing/tiers', { tiers: [BASIC] }],
      ['GET', `/api/agency/sub-accounts/${client}/subscription`],
      ['POST', `/api/agency/sub-accounts/${client}/subscription`, { tier: 'Basic', payment_method: 'pm_card_visa' }],
      ['DELETE', `/api/agency/sub-accounts/${client}/subscription`],
    ];
    for (const [method, path, body] of routes) {
      for (const [who, res] of [
        ['business', await call(method, path, { token: business.token, body })],
        ['client owner', await call(method, path, { token: clientOwner, body })],
        ['agency staff inside the client', await impersonating(method, path, body)],
      ] as const) {
        expect(res.status, `${who}: ${method} ${path}`).toBe(403);
        expect(res.headers.get('content-type')).toContain('application/problem+json');
      }
    }

    // Another agency: the client is not found, whatever the route.
    const other = await connectedAgency();
    for (const method of ['GET', 'POST', 'DELETE']) {
      const res = await call(method, `/api/agency/sub-accounts/${client}/subscription`, {
        token: other.token,
        body: method === 'POST' ? { tier: 'Basic', payment_method: 'pm_card_visa' } : undefined,
      });
      expect(res.status, method).toBe(404);
    }
    expect((await agency.api<SubAccountSubscription>('GET', `/api/agency/sub-accounts/${client}/subscription`)).body.subscription).toBeNull();

    // Agency members neither read what clients pay nor sell.
    const memberEmail = uniqueEmail('agency-member');
    await agency.api<TeamMember>('POST', '/api/users', { email: memberEmail, name: 'Junior', role: 'member', password: PASSWORD });
    const member = (await call<AuthResult>('POST', '/api/auth/login', { body: { email: memberEmail, password: PASSWORD } })).body.token as string;
    expect((await call<AgencyTiers>('GET', '/api/agency/pricing/tiers', { token: member })).status).toBe(403);
    expect((await call<AgencyTiers>('PUT', '/api/agency/pricing/tiers', { token: member, body: { tiers: [BASIC] } })).status).toBe(403);
    expect(
      (
        await call<SubAccountSubscription>('POST', `/api/agency/sub-accounts/${client}/subscription`, {
          token: member,
          body: { tier: 'Basic', payment_method: 'pm_card_visa' },
        })
      ).status,
    ).toBe(403);

    // Not connected at all: 409 saying to connect first.
    const unconnected = await createTenant({ agency: true });
    const theirClient = await newClient(unconnected);
    const notConnected = await putOnTier<Problem>(unconnected, theirClient, { tier: 'Basic', payment_method: 'pm_card_visa' });
    expect(notConnected.status).toBe(409);
    expect(notConnected.body.detail).toMatch(/^Connect the agency's Stripe account first/);

    // An agency whose plan no longer includes sub-accounts (trial over, on Free) cannot sell tiers.
    await env.DB.prepare("INSERT INTO subscriptions (account_id, plan, created_at, updated_at) VALUES (?, 'free', ?, ?)")
      .bind(agency.accountId, Date.now(), Date.now())
      .run();
    for (const [method, path, body] of [routes[0], routes[3], routes[5]]) {
      const res = await agency.api(method, path, body);
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.body).toMatchObject({ type: 'https://docs.edge-crm.dev/problems/plan-limit-reached', feature: 'sub_accounts' });
    }
  });
});

describe("dunning on the agency's account", () => {
  it('a renewal declined on the connected account takes the sub-account through past_due, the warning and paused, via Connect webhooks; paying brings it back', async () => {
    const agency = await connectedAgency();
    const client = await newClient(agency);
    const first = await putOnTier(agency, client, { tier: 'Basic', payment_method: 'pm_card_visa' });
    expect(first.status).toBe(201);
    const periodEnd = Date.parse(present(present(first.body.subscription).current_period_end));
    // The client's card starts failing: saved on the agency's account, it pays the renewals from now on.
    expect((await putOnTier(agency, client, { tier: 'Basic', payment_method: 'pm_card_chargeCustomerFail' })).body.payment_method).toMatchObject({
      last4: '0341',
    });
    const view = async () => (await agency.api<SubAccountSubscription>('GET', `/api/agency/sub-accounts/${client}/subscription`)).body;
    const asClient = await inside(agency, client);

    // Day 0: the renewal is declined on the connected account; its webhooks open the case.
    await walkTo(periodEnd + HOUR);
    let v = await view();
    expect(v).toMatchObject({
      status: 'past_due',
      tier: { key: 'basic' },
      subscription: { status: 'past_due' },
      dunning: { status: 'open', stage: 'past_due', failures: 1, amount_due: '149.0000' },
    });
    const caseRow = await env.DB.prepare("SELECT id, stripe_account, started_at FROM dunning_cases WHERE account_id = ? AND status = 'open'")
      .bind(client)
      .first<{ id: string; stripe_account: string; started_at: number }>();
    expect(caseRow?.stripe_account).toBe(agency.stripeAccount);
    const day0 = caseRow?.started_at as number;
    expect(Math.abs(day0 - periodEnd)).toBeLessThan(2000);
    const failedEvents = await env.DB.prepare(
      "SELECT COUNT(*) AS n FROM stripe_events WHERE type = 'invoice.payment_failed' AND processed_at IS NOT NULL",
    ).first<{ n: number }>();
    expect(failedEvents?.n).toBeGreaterThanOrEqual(1);
    expect((await asClient('GET', '/api/billing')).body).toMatchObject({ status: 'past_due', plan_source: 'agency_tier', dunning: { failures: 1 } });

    // +24 h: second failure and the warning; +72 h: third failure, paused.
    await walkTo(day0 + DAY + HOUR);
    expect((await view()).dunning).toMatchObject({ stage: 'warned', failures: 2 });
    const warning = await env.DB.prepare("SELECT message FROM notifications WHERE account_id = ? AND kind = 'billing.payment_warning'")
      .bind(client)
      .first<{ message: string }>();
    expect(warning?.message).toMatch(/^Your payment of \$149\.00 for Basic failed twice/);
    await walkTo(day0 + 3 * DAY + HOUR);
    v = await view();
    expect(v).toMatchObject({ status: 'paused', dunning: { stage: 'paused', failures: 3 } });
    await expect(assertAccountCanAutomate(env.DB, client)).rejects.toMatchObject({ code: 'account_paused' });
    // The agency itself pays the platform and is not affected.
    expect((await agency.api<BillingSummary>('GET', '/api/billing')).body.status).toBe('active');
    const connected = stripeClient(env, { stripeAccount: agency.stripeAccount });
    const renewal = (await connected.invoices.list({ subscription: present(v.subscription).id })).data.find(
      (i) => i.billing_reason === 'subscription_cycle',
    ) as Stripe.Invoice;
    expect(renewal).toMatchObject({ status: 'open', attempt_count: 3 });
    const feesBefore = (await stripeClient(env).applicationFees.list({ limit: 100 })).data.filter((f) => f.account === agency.stripeAccount).length;

    // The client pays with a good card: the invoice on the agency's account is settled, the account active, the fee taken.
    const paid = await asClient('POST', '/api/billing/pay', { payment_method: 'pm_card_visa' });
    expect(paid.status, JSON.stringify(paid.body)).toBe(200);
    expect(paid.body).toMatchObject({ id: caseRow?.id, status: 'recovered' });
    expect(await view()).toMatchObject({ status: 'active', dunning: null });
    // The subscription's mirror follows Stripe's customer.subscription.updated (a Connect webhook).
    await deliverAllPendingStripeWebhooks(env);
    expect((await view()).subscription).toMatchObject({ status: 'active' });
    await expect(assertAccountCanAutomate(env.DB, client)).resolves.toMatchObject({ status: 'active', source: 'agency_tier' });
    const fees = (await stripeClient(env).applicationFees.list({ limit: 100 })).data.filter((f) => f.account === agency.stripeAccount);
    expect(fees).toHaveLength(feesBefore + 1);
    expect(fees[0].amount).toBe(1490);
  });
});
