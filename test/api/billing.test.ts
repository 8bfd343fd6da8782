import { env, exports } from 'cloudflare:workers';
import { extractText } from 'unpdf';
import { describe, expect, it } from 'vitest';
import { injectStripeFault } from '../../workers/sandbox/stripe/stripe.controls';
import { SANDBOX_STRIPE_WEBHOOK_SECRET } from '../../workers/sandbox/stripe/stripe.constants';
import { deliverPendingStripeWebhooks, signStripePayload } from '../../workers/sandbox/stripe/stripe.webhooks';
import { platformBilling } from '../../workers/billing/billing.scope';
import { setEnterprisePrice, subscribe as subscribeService } from '../../workers/billing/billing.service';
import { runBillingSweep } from '../../workers/billing/dunning';
import { stripeClient } from '../../workers/billing/stripe.client';
import { call, createTenant, ORIGIN, present, uniqueEmail, type Tenant } from '../factories';
import type {
  AuthResult,
  BillingEvent,
  BillingSummary,
  BillingUsage,
  ClockAdvanced,
  Contact,
  InvalidInput,
  Invoice,
  Page,
  PlanList,
  Problem,
  SavedCard,
  SubAccount,
  TeamMember,
  WebhookReceipt,
} from '../api-types';

/** Puts `count` contacts into the account directly, as an import would, so limits can be reached quickly. */
async function fillContacts(accountId: string, count: number): Promise<void> {
  const now = Date.now();
  await env.DB.prepare(
    `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
     INSERT INTO contacts (id, account_id, first_name, name_key, created_at, updated_at)
     SELECT 'ctc_fill_' || ? || '_' || i, ?, 'Filler ' || i, 'filler ' || i, ?, ? FROM n`,
  )
    .bind(count, accountId, accountId, now, now)
    .run();
}

const subscribe = <T = BillingSummary>(tenant: Tenant, plan: string, paymentMethod?: string, key?: string) =>
  call<T>('POST', '/api/billing/subscribe', {
    token: tenant.token,
    body: { plan, ...(paymentMethod ? { payment_method: paymentMethod } : {}) },
    headers: key ? { 'idempotency-key': key } : {},
  });

const addContact = <T = Contact>(tenant: Tenant, n: number) =>
  tenant.api<T>('POST', '/api/contacts', { first_name: `New ${n}`, email: `new.${n}.${crypto.randomUUID().slice(0, 6)}@example.com` });

const addUser = (tenant: Tenant, n: number) =>
  tenant.api<TeamMember>('POST', '/api/users', {
    email: uniqueEmail(`teammate${n}`),
    name: `Teammate ${n}`,
    role: 'member',
    password: 'correct-horse-battery',
  });

describe('plans and trial', () => {
  it('a new business starts on a 14-day Professional trial and sees every plan with its limits', async () => {
    const tenant = await createTenant();
    const res = await tenant.api<BillingSummary>('GET', '/api/billing');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ plan: { id: 'professional' }, plan_source: 'trial', status: 'active', subscription: null, dunning: null });
    const trialDays = (Date.parse(present(res.body.trial_ends_at)) - Date.now()) / 86_400_000;
    expect(trialDays).toBeGreaterThan(13.9);
    expect(trialDays).toBeLessThanOrEqual(14);
    expect(res.body.plans.map((p: { id: string; price_per_month: string | null; limits: unknown }) => [p.id, p.price_per_month, p.limits])).toEqual([
      ['free', '0.0000', { contacts: 500, users: 1 }],
      ['starter', '97.0000', { contacts: 5000, users: 3 }],
      ['professional', '297.0000', { contacts: 25000, users: 10 }],
      ['agency', '497.0000', { contacts: 100000, users: null }],
      ['enterprise', null, { contacts: null, users: null }],
    ]);
    const agency = await createTenant({ agency: true });
    expect((await agency.api<BillingSummary>('GET', '/api/billing')).body).toMatchObject({ plan: { id: 'agency' }, plan_source: 'trial' });
  });

  it('a trial that ran out moves the account to Free once, keeping its data; newer accounts keep their trial', async () => {
    const expired = await createTenant();
    await expired.api<Contact>('POST', '/api/contacts', { first_name: 'Kept', email: 'kept.trial@example.com' });
    await env.DB.prepare('UPDATE accounts SET created_at = ? WHERE id = ?')
      .bind(Date.now() - 15 * 86_400_000, expired.accountId)
      .run();
    const fresh = await createTenant();
    const first = await runBillingSweep(env, { inline: true });
    expect(first.trials_ended).toBeGreaterThanOrEqual(1);
    await runBillingSweep(env, { inline: true });
    expect((await expired.api<BillingSummary>('GET', '/api/billing')).body).toMatchObject({ plan: { id: 'free' }, plan_source: 'free', trial_ends_at: null });
    const timeline = (await expired.api<Page<BillingEvent>>('GET', '/api/billing/timeline')).body.data;
    expect(timeline.map((e: { kind: string }) => e.kind)).toEqual(['trial_ended']);
    expect(timeline[0].message).toMatch(
      /^The 14-day Professional trial ended\. The account is on Free \(500 contacts, 1 user, core CRM\) and keeps all its data/,
    );
    expect((await expired.api<Page<Contact>>('GET', '/api/contacts')).body.data).toHaveLength(1);
    expect((await fresh.api<BillingSummary>('GET', '/api/billing')).body.plan_source).toBe('trial');
  });

  it('Enterprise at a price agreed with sales can be bought, and has no contact or user limit', async () => {
    const tenant = await createTenant();
    await setEnterprisePrice(platformBilling(env), tenant.accountId, 2_500_000_000);
    const plans = (await tenant.api<PlanList>('GET', '/api/billing/plans')).body.data;
    expect(plans.find((p: { id: string }) => p.id === 'enterprise')).toMatchObject({ price_per_month: '2500.0000', purchasable: 'self_serve' });
    const res = await subscribe(tenant, 'enterprise', 'pm_card_visa');
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect((await tenant.api<Page<Invoice>>('GET', '/api/billing/invoices')).body.data[0]).toMatchObject({ amount_paid: '2500.0000' });
    await fillContacts(tenant.accountId, 30_000);
    expect((await addContact(tenant, 30_001)).status).toBe(201);
    const usage = (await tenant.api<BillingUsage>('GET', '/api/billing/usage')).body;
    expect(usage.contacts).toEqual({ used: 30_001, limit: null, remaining: null, over_limit: false });
    expect(usage.features.every((f: { included: boolean }) => f.included)).toBe(true);
  });
});

describe('subscribing and changing plans', () => {
  it('subscribes to Starter with a card: the first month is charged, the invoice is listed and downloads as a PDF', async () => {
    const tenant = await createTenant();
    const res = await subscribe(tenant, 'starter', 'pm_card_visa');
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({
      plan: { id: 'starter' },
      plan_source: 'subscription',
      status: 'active',
      payment_method: { brand: 'visa', last4: '4242' },
      subscription: { status: 'active', cancel_at_period_end: false },
    });

    const invoices = await tenant.api<Page<Invoice>>('GET', '/api/billing/invoices');
    expect(invoices.body.data).toHaveLength(1);
    const [invoice] = invoices.body.data;
    expect(invoice).toMatchObject({
      status: 'paid',
      billing_reason: 'subscription_create',
      total: '97.0000',
      amount_paid: '97.0000',
      amount_remaining: '0.0000',
      currency: 'USD',
    });
    expect(invoice.lines[0].description).toMatch(/Starter/);

    const pdf = await exports.default.fetch(`${ORIGIN}${invoice.download_url}`, { headers: { authorization: `Bearer ${tenant.token}` } });
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(pdf.headers.get('content-disposition')).toContain(`invoice-${invoice.number}.pdf`);
    const bytes = new Uint8Array(await pdf.arrayBuffer());
    expect(new TextDecoder().decode(bytes.subarray(0, 8))).toMatch(/^%PDF-1\./);
    const { text } = await extractText(bytes, { mergePages: true });
    expect(text).toContain('PAID');
    expect(text).toContain('$97.00');

    const timeline = await tenant.api<Page<BillingEvent>>('GET', '/api/billing/timeline');
    expect(timeline.body.data.map((e: { kind: string }) => e.kind)).toEqual(['subscribed']);
    expect(timeline.body.data[0].message).toMatch(/^Subscribed to Starter at \$97\.00\/month; paid \$97\.00/);
  });

  it('a declined card subscribes nothing and says why', async () => {
    const tenant = await createTenant();
    const res = await subscribe<Problem>(tenant, 'starter', 'pm_card_chargeCustomerFail');
    expect(res.status).toBe(402);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body.detail).toMatch(/declined/i);
    const after = await tenant.api<BillingSummary>('GET', '/api/billing');
    expect(after.body).toMatchObject({ plan: { id: 'professional' }, plan_source: 'trial', subscription: null });
    expect((await tenant.api<Page<BillingEvent>>('GET', '/api/billing/timeline')).body.data).toEqual([]);
  });

  it('refuses unknown plans, Free, Enterprise without a price, a second subscription, and members', async () => {
    const tenant = await createTenant();
    const unknown = await subscribe<Problem>(tenant, 'platinum', 'pm_card_visa');
    expect(unknown.status).toBe(422);
    expect(unknown.body.errors).toEqual([expect.objectContaining({ field: 'plan', code: 'unknown_plan' })]);
    expect((await subscribe<InvalidInput>(tenant, 'free', 'pm_card_visa')).body.errors[0].code).toBe('not_purchasable');
    const enterprise = await subscribe<Problem>(tenant, 'enterprise', 'pm_card_visa');
    expect(enterprise.status).toBe(403);
    expect(enterprise.body.type).toBe('https://docs.edge-crm.dev/problems/contact-sales');
    expect((await tenant.api<BillingSummary>('POST', '/api/billing/subscribe', { plan: 'starter', extra: 1 })).status).toBe(422);
    expect((await subscribe(tenant, 'starter', 'pm_card_visa')).status).toBe(201);
    const again = await subscribe<Problem>(tenant, 'professional');
    expect(again.status).toBe(409);
    expect(again.body.detail).toMatch(/already subscribes to Starter/);

    const member = await addUser(tenant, 1);
    expect(member.status).toBe(201);
    const login = await call<AuthResult>('POST', '/api/auth/login', { body: { email: member.body.email, password: 'correct-horse-battery' } });
    const asMember = await call<BillingSummary>('POST', '/api/billing/upgrade', { token: login.body.token, body: { plan: 'professional' } });
    expect(asMember.status).toBe(403);
    expect((await call<BillingSummary>('GET', '/api/billing', { token: login.body.token })).status).toBe(200);
  });

  it('upgrades with the prorated difference charged now, downgrades with a credit, and refuses a downgrade the data does not fit', async () => {
    const tenant = await createTenant();
    await subscribe(tenant, 'starter', 'pm_card_visa');
    const up = await tenant.api<BillingSummary>('POST', '/api/billing/upgrade', { plan: 'professional' });
    expect(up.status, JSON.stringify(up.body)).toBe(200);
    expect(up.body.plan.id).toBe('professional');
    const invoices = (await tenant.api<Page<Invoice>>('GET', '/api/billing/invoices')).body.data;
    const proration = present(invoices.find((i) => i.billing_reason === 'subscription_update'));
    expect(proration.status).toBe('paid');
    // Nearly the whole month remains: close to $297 - $97, never more.
    expect(Number(proration.amount_paid)).toBeGreaterThan(190);
    expect(Number(proration.amount_paid)).toBeLessThanOrEqual(200);
    expect(proration.lines.every((l: { proration: boolean }) => l.proration)).toBe(true);

    await fillContacts(tenant.accountId, 6_000);
    const blocked = await tenant.api<Problem>('POST', '/api/billing/upgrade', { plan: 'starter' });
    expect(blocked.status).toBe(409);
    expect(blocked.body.type).toBe('https://docs.edge-crm.dev/problems/downgrade-blocked');
    expect(blocked.body.detail).toBe(
      'This account does not fit the Starter plan: it has 6,000 contacts; Starter allows 5,000. Remove the excess first, or choose a larger plan.',
    );
    expect(blocked.body.errors).toEqual([{ field: 'contacts', message: '6,000 contacts; Starter allows 5,000', code: 'over_plan_limit' }]);
    expect((await tenant.api<BillingSummary>('GET', '/api/billing')).body.plan.id).toBe('professional');

    await env.DB.prepare("DELETE FROM contacts WHERE account_id = ? AND id LIKE 'ctc_fill_%'").bind(tenant.accountId).run();
    const down = await tenant.api<BillingSummary>('POST', '/api/billing/upgrade', { plan: 'starter' });
    expect(down.status).toBe(200);
    expect(down.body.plan.id).toBe('starter');
    const kinds = (await tenant.api<Page<BillingEvent>>('GET', '/api/billing/timeline')).body.data.map((e: { message: string }) => e.message);
    expect(kinds[0]).toMatch(/^Downgraded from Professional to Starter \(\$97\.00\/month\)\. The unused \$\d+\.\d\d is credited to the next invoice\.$/);
    expect(kinds[1]).toMatch(/^Upgraded from Starter to Professional \(\$297\.00\/month\)\. Charged \$\d+\.\d\d now/);
  });

  it('cancels at period end, keeps the plan until then, can withdraw the cancellation, and moves to Free when the period ends', async () => {
    const tenant = await createTenant();
    await subscribe(tenant, 'starter', 'pm_card_visa');
    const cancelled = await tenant.api<BillingSummary>('POST', '/api/billing/cancel', {});
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ plan: { id: 'starter' }, subscription: { cancel_at_period_end: true } });
    const resumed = await tenant.api<BillingSummary>('POST', '/api/billing/cancel', { resume: true });
    expect(present(resumed.body.subscription).cancel_at_period_end).toBe(false);
    await tenant.api<BillingSummary>('POST', '/api/billing/cancel');

    const walk = await tenant.api<ClockAdvanced>('POST', '/api/billing/sandbox/advance-clock', { days: 32 });
    expect(walk.status, JSON.stringify(walk.body)).toBe(200);
    const after = await tenant.api<BillingSummary>('GET', '/api/billing');
    expect(after.body).toMatchObject({ plan: { id: 'free' }, plan_source: 'free', subscription: null, status: 'active' });
    const invoices = (await tenant.api<Page<Invoice>>('GET', '/api/billing/invoices')).body.data;
    expect(invoices).toHaveLength(1);
    const kinds = (await tenant.api<Page<BillingEvent>>('GET', '/api/billing/timeline')).body.data.map((e: { kind: string }) => e.kind);
    expect(kinds).toEqual(expect.arrayContaining(['subscription_ended', 'cancel_reverted', 'cancel_scheduled', 'subscribed']));
  });

  it('a Stripe 500 during subscribe is retried with the same idempotency key: one subscription, one charge', async () => {
    const tenant = await createTenant();
    await tenant.api<SavedCard>('POST', '/api/billing/payment-method', { payment_method: 'pm_card_visa' });
    await injectStripeFault(env, { path: '/v1/subscriptions', method: 'POST', kind: 'error', status: 500, count: 1 });
    const res = await subscribe(tenant, 'starter', undefined, 'subscribe-once-0001');
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const replay = await subscribe(tenant, 'starter', undefined, 'subscribe-once-0001');
    expect(replay.status).toBe(409);
    const stripe = stripeClient(env);
    const profile = await env.DB.prepare('SELECT stripe_customer_id FROM billing_profiles WHERE account_id = ?')
      .bind(tenant.accountId)
      .first<{ stripe_customer_id: string }>();
    const subs = await stripe.subscriptions.list({ customer: profile?.stripe_customer_id, status: 'all' });
    expect(subs.data).toHaveLength(1);
    const charges = await stripe.invoices.list({ customer: profile?.stripe_customer_id });
    expect(charges.data.filter((i) => i.status === 'paid')).toHaveLength(1);
  });
  it('a subscribe that times out while Stripe still does the work is retried once: the retry finds the same subscription', async () => {
    const tenant = await createTenant();
    await tenant.api<SavedCard>('POST', '/api/billing/payment-method', { payment_method: 'pm_card_visa' });
    await injectStripeFault(env, { path: '/v1/subscriptions', method: 'POST', kind: 'hang', hangMs: 1200, afterHang: 'process', count: 1 });
    const scope = platformBilling(env, { timeoutMs: 400, maxNetworkRetries: 2 });
    const row = await subscribeService(scope, tenant.accountId, { plan: 'starter' });
    expect(row.plan).toBe('starter');
    const stripe = stripeClient(env);
    const subs = await stripe.subscriptions.list({ customer: row.stripe_customer_id as string, status: 'all' });
    expect(subs.data.map((s) => s.id)).toEqual([row.stripe_subscription_id]);
    expect((await stripe.invoices.list({ customer: row.stripe_customer_id as string })).data.filter((i) => i.status === 'paid')).toHaveLength(1);
  });
});

describe('plan limits', () => {
  it('on Starter the 5,001st contact and the 4th user are refused with the limit and the upgrade path', async () => {
    const tenant = await createTenant();
    await subscribe(tenant, 'starter', 'pm_card_visa');
    await fillContacts(tenant.accountId, 4_999);
    expect((await addContact(tenant, 5000)).status).toBe(201);
    const over = await addContact<Problem>(tenant, 5001);
    expect(over.status).toBe(403);
    expect(over.headers.get('content-type')).toContain('application/problem+json');
    expect(over.body).toMatchObject({
      type: 'https://docs.edge-crm.dev/problems/plan-limit-reached',
      plan: 'starter',
      limit: { resource: 'contacts', limit: 5000, used: 5000 },
      upgrade: { plan: 'professional', price_per_month: '297.0000' },
    });
    expect(over.body.detail).toBe(
      'This account has 5,000 contacts; the Starter plan includes 5,000 contacts. Upgrade to Professional ($297/month) for 25,000 contacts.',
    );
    expect((await tenant.api<BillingUsage>('GET', '/api/billing/usage')).body.contacts).toEqual({ used: 5000, limit: 5000, remaining: 0, over_limit: false });

    expect((await addUser(tenant, 2)).status).toBe(201);
    expect((await addUser(tenant, 3)).status).toBe(201);
    const fourth = await addUser(tenant, 4);
    expect(fourth.status).toBe(403);
    expect(fourth.body).toMatchObject({ limit: { resource: 'users', limit: 3, used: 3 }, upgrade: { plan: 'professional' } });
    expect((await tenant.api<Page<TeamMember>>('GET', '/api/users')).body.data).toHaveLength(3);

    // Upgrading lifts the limit at once.
    expect((await tenant.api<BillingSummary>('POST', '/api/billing/upgrade', { plan: 'professional' })).status).toBe(200);
    expect((await addContact(tenant, 5001)).status).toBe(201);
    expect((await addUser(tenant, 4)).status).toBe(201);
  });

  it('requests racing for the last places get exactly the places left, and the rest a plan_limit_reached', async () => {
    const tenant = await createTenant();
    await subscribe(tenant, 'starter', 'pm_card_visa');
    await fillContacts(tenant.accountId, 4_990);
    const contacts = await Promise.all(Array.from({ length: 25 }, (_, i) => addContact<Contact | Problem>(tenant, i)));
    expect(contacts.map((r) => r.status).sort()).toEqual([...Array(10).fill(201), ...Array(15).fill(403)]);
    expect(contacts.filter((r) => r.status === 403).every((r) => (r.body as Problem).type === 'https://docs.edge-crm.dev/problems/plan-limit-reached')).toBe(
      true,
    );
    expect((await tenant.api<BillingUsage>('GET', '/api/billing/usage')).body.contacts).toMatchObject({ used: 5000, limit: 5000 });

    const users = await Promise.all(Array.from({ length: 6 }, (_, i) => addUser(tenant, i)));
    expect(users.map((r) => r.status).sort()).toEqual([201, 201, 403, 403, 403, 403]);
    expect((await tenant.api<Page<TeamMember>>('GET', '/api/users')).body.data).toHaveLength(3);
  });

  it('sub-accounts need a plan with sub-accounts; Enterprise has no limits', async () => {
    const agency = await createTenant({ agency: true });
    expect((await agency.api<SubAccount>('POST', '/api/agency/sub-accounts', { name: 'Client one' })).status).toBe(201);
    expect((await subscribe(agency, 'professional', 'pm_card_visa')).status).toBe(409);
    const solo = await createTenant({ agency: true });
    expect((await subscribe(solo, 'professional', 'pm_card_visa')).status).toBe(201);
    const refused = await solo.api<Problem>('POST', '/api/agency/sub-accounts', { name: 'Client two' });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ type: 'https://docs.edge-crm.dev/problems/plan-limit-reached', feature: 'sub_accounts', upgrade: { plan: 'agency' } });
    expect(refused.body.detail).toBe('Sub-accounts are not included in the Professional plan. Upgrade to Agency ($497/month) for sub-accounts.');
    const usage = (await solo.api<BillingUsage>('GET', '/api/billing/usage')).body;
    expect(usage.features.find((f: { feature: string }) => f.feature === 'sub_accounts')).toEqual({
      feature: 'sub_accounts',
      name: 'Sub-accounts',
      included: false,
      available_on: 'agency',
    });
    expect(usage.features.find((f: { feature: string }) => f.feature === 'workflows')).toMatchObject({ included: true });
  });

  it('an agency on Professional cannot drop its sub-accounts by downgrading: the downgrade is refused', async () => {
    const agency = await createTenant({ agency: true });
    expect((await subscribe(agency, 'agency', 'pm_card_visa')).status).toBe(201);
    await agency.api<SubAccount>('POST', '/api/agency/sub-accounts', { name: 'Client one' });
    const down = await agency.api<Problem>('POST', '/api/billing/upgrade', { plan: 'professional' });
    expect(down.status).toBe(409);
    expect(down.body.errors).toEqual([expect.objectContaining({ field: 'sub_accounts', message: '1 sub-account; Professional includes none' })]);
  });
});

describe('webhooks', () => {
  /** Posts an event to the webhook route signed as Stripe signs it. */
  async function postEvent(event: unknown, secret = SANDBOX_STRIPE_WEBHOOK_SECRET) {
    const body = JSON.stringify(event);
    return call<WebhookReceipt>('POST', '/api/webhooks/stripe', { raw: body, headers: { 'stripe-signature': await signStripePayload(secret, body) } });
  }

  it('mirrors a subscription changed outside the app; duplicates are ignored and a late, older event does not roll it back', async () => {
    const tenant = await createTenant();
    await subscribe(tenant, 'starter', 'pm_card_visa');
    await deliverPendingStripeWebhooks(env);
    const row = await env.DB.prepare('SELECT stripe_subscription_id FROM subscriptions WHERE account_id = ?')
      .bind(tenant.accountId)
      .first<{ stripe_subscription_id: string }>();
    const subscriptionId = row?.stripe_subscription_id as string;
    const stripe = stripeClient(env);
    await stripe.subscriptions.update(subscriptionId, { cancel_at_period_end: true });
    const deliveries = await deliverPendingStripeWebhooks(env);
    expect(deliveries.some((d) => d.event_type === 'customer.subscription.updated' && d.status === 'delivered')).toBe(true);
    expect(present((await tenant.api<BillingSummary>('GET', '/api/billing')).body.subscription).cancel_at_period_end).toBe(true);

    const events = (await stripe.events.list({ types: ['customer.subscription.created', 'customer.subscription.updated'], limit: 100 })).data.filter(
      (e) => (e.data.object as { id: string }).id === subscriptionId,
    );
    const updated = events.find((e) => e.type === 'customer.subscription.updated');
    const created = events.find((e) => e.type === 'customer.subscription.created');
    const duplicate = await postEvent(updated);
    expect(duplicate.body).toEqual({ received: true, duplicate: true });

    // The creation snapshot (cancel_at_period_end: false) arriving late under a new id: the handler reads Stripe, not the snapshot.
    const late = await postEvent({ ...created, id: `evt_late_${crypto.randomUUID().replaceAll('-', '')}` });
    expect(late.body).toEqual({ received: true, handled: true });
    expect(present((await tenant.api<BillingSummary>('GET', '/api/billing')).body.subscription).cancel_at_period_end).toBe(true);
  });

  it('a bad signature answers 400 and changes nothing', async () => {
    const tenant = await createTenant();
    await subscribe(tenant, 'starter', 'pm_card_visa');
    const row = await env.DB.prepare('SELECT stripe_subscription_id, plan FROM subscriptions WHERE account_id = ?')
      .bind(tenant.accountId)
      .first<{ stripe_subscription_id: string }>();
    const forged = {
      id: 'evt_forged_1',
      object: 'event',
      type: 'customer.subscription.deleted',
      data: { object: { id: row?.stripe_subscription_id, object: 'subscription' } },
    };
    const res = await postEvent(forged, 'whsec_someone_else');
    expect(res.status).toBe(400);
    expect(await env.DB.prepare('SELECT id FROM stripe_events WHERE id = ?').bind('evt_forged_1').first()).toBeNull();
    expect((await tenant.api<BillingSummary>('GET', '/api/billing')).body).toMatchObject({ plan: { id: 'starter' }, subscription: { status: 'active' } });
  });
});
