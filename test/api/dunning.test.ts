import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { advanceBillingClock } from '../../workers/billing/billing.clock';
import { billingNow, platformBilling } from '../../workers/billing/billing.scope';
import { advanceDunningCase } from '../../workers/billing/dunning';
import { assertAccountCanAutomate } from '../../workers/billing/entitlements';
import { stripeClient } from '../../workers/billing/stripe.client';
import { advanceStripeClock, clearStripeFaults, injectStripeFault } from '../../workers/sandbox/stripe/stripe.controls';
import { sandboxEmails } from '../../workers/sandbox/resend/resend.controls';
import { deliverPendingStripeWebhooks } from '../../workers/sandbox/stripe/stripe.webhooks';
import { call, createTenant, present, type Tenant } from '../factories';
import type {
  AuthResult,
  BillingEvent,
  BillingSummary,
  Contact,
  MarkedRead,
  Notification,
  Page,
  PayResult,
  Problem,
  SavedCard,
  SubAccount,
} from '../api-types';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** A Starter subscriber whose card starts failing: its next renewal is declined. */
async function subscriberWithFailingCard(): Promise<Tenant & { periodEnd: number }> {
  const tenant = await createTenant();
  const sub = await tenant.api<BillingSummary>('POST', '/api/billing/subscribe', { plan: 'starter', payment_method: 'pm_card_visa' });
  expect(sub.status, JSON.stringify(sub.body)).toBe(201);
  expect((await tenant.api<SavedCard>('POST', '/api/billing/payment-method', { payment_method: 'pm_card_chargeCustomerFail' })).status).toBe(200);
  return { ...tenant, periodEnd: Date.parse(present(present(sub.body.subscription).current_period_end)) };
}

/** Moves the billing clock to `at` (ms), running renewals, webhooks and the dunning sweep on the way. */
async function walkTo(at: number): Promise<void> {
  const now = await billingNow(env, null);
  if (at > now) await advanceBillingClock(env, { hours: Math.ceil((at - now) / HOUR) });
}

const billing = async (tenant: Tenant) => (await tenant.api<BillingSummary>('GET', '/api/billing')).body;
const timelineKinds = async (tenant: Tenant) =>
  ((await tenant.api<Page<BillingEvent>>('GET', '/api/billing/timeline?limit=200')).body.data as Array<{ kind: string }>).map((e) => e.kind).reverse();
const steps = async (caseId: string) =>
  (await env.DB.prepare('SELECT step FROM dunning_steps WHERE case_id = ? ORDER BY occurred_at, step').bind(caseId).all<{ step: string }>()).results.map(
    (r) => r.step,
  );

describe('dunning, day 0 to day 30', () => {
  it('walks the whole flow: past_due, warning, paused, Free on day 7, archived on day 30, and back to active when paid', async () => {
    const tenant = await subscriberWithFailingCard();
    await tenant.api<Contact>('POST', '/api/contacts', { first_name: 'Kept', email: 'kept@example.com' });

    // Day 0: the renewal is declined.
    await walkTo(tenant.periodEnd + HOUR);
    let b = await billing(tenant);
    expect(b.status).toBe('past_due');
    expect(b.dunning).toMatchObject({ status: 'open', stage: 'past_due', failures: 1, amount_due: '97.0000', next_action: 'retry' });
    const caseId = present(b.dunning).id as string;
    const day0 = Date.parse(present(b.dunning).started_at);
    expect(Math.abs(day0 - tenant.periodEnd)).toBeLessThan(2000);
    expect(Date.parse(present(present(b.dunning).next_action_at)) - day0).toBe(DAY);
    expect(b.plan.id).toBe('starter');
    await expect(assertAccountCanAutomate(env.DB, tenant.accountId)).resolves.toMatchObject({ status: 'past_due' });

    // +24 h: second failure, warning to the owner, retry in 48 h.
    await walkTo(day0 + DAY + HOUR);
    b = await billing(tenant);
    expect(b.dunning).toMatchObject({ stage: 'warned', failures: 2 });
    expect(Date.parse(present(present(b.dunning).next_action_at)) - day0).toBe(3 * DAY);
    const warning = await env.DB.prepare("SELECT message FROM notifications WHERE account_id = ? AND kind = 'billing.payment_warning'")
      .bind(tenant.accountId)
      .all<{ message: string }>();
    expect(warning.results).toHaveLength(1);
    expect(warning.results[0].message).toMatch(/^Your payment of \$97\.00 for Starter failed twice/);
    const unread = (await tenant.api<Page<Notification>>('GET', '/api/notifications?unread=true')).body.data;
    expect(unread).toEqual([
      expect.objectContaining({
        kind: 'billing.payment_warning',
        message: warning.results[0].message,
        read_at: null,
        email: { status: 'sent', to: [tenant.email], error: null },
      }),
    ]);
    // ...and the warning email reached the owner, once.
    const emails = await sandboxEmails(env, { to: tenant.email });
    expect(emails.map((e) => e.subject)).toEqual(['Payment failed for Test Co: please update your card']);
    expect(emails[0].text).toContain(warning.results[0].message);
    expect((await tenant.api<MarkedRead>('POST', '/api/notifications/read', {})).body).toEqual({ marked: 1 });
    expect((await tenant.api<Page<Notification>>('GET', '/api/notifications?unread=true')).body.data).toEqual([]);

    // +72 h: third failure, paused: automations refuse, the account still reads and writes.
    await walkTo(day0 + 3 * DAY + HOUR);
    b = await billing(tenant);
    expect(b).toMatchObject({ status: 'paused', dunning: { stage: 'paused', failures: 3 } });
    expect(Date.parse(present(present(b.dunning).next_action_at)) - day0).toBe(7 * DAY);
    await expect(assertAccountCanAutomate(env.DB, tenant.accountId)).rejects.toMatchObject({ code: 'account_paused' });
    expect((await tenant.api<Page<Contact>>('GET', '/api/contacts')).status).toBe(200);
    expect((await tenant.api<Contact>('POST', '/api/contacts', { first_name: 'Still', email: 'still@example.com' })).status).toBe(201);

    // Day 7: fourth failure, down to Free with every record kept; nothing more is billed.
    await walkTo(day0 + 7 * DAY + HOUR);
    b = await billing(tenant);
    expect(b).toMatchObject({
      status: 'paused',
      plan: { id: 'free' },
      plan_source: 'free',
      subscription: null,
      dunning: { stage: 'downgraded', failures: 4, next_action: 'archive' },
    });
    expect(Date.parse(present(present(b.dunning).next_action_at)) - day0).toBe(30 * DAY);
    expect((await tenant.api<Page<Contact>>('GET', '/api/contacts')).body.data).toHaveLength(2);
    const stripe = stripeClient(env);
    const row = await env.DB.prepare('SELECT stripe_subscription_id FROM subscriptions WHERE account_id = ?')
      .bind(tenant.accountId)
      .first<{ stripe_subscription_id: string }>();
    expect((await stripe.subscriptions.retrieve(row?.stripe_subscription_id as string)).status).toBe('canceled');

    // Day 30: archived, read-only, nothing deleted.
    await walkTo(day0 + 30 * DAY + HOUR);
    b = await billing(tenant);
    expect(b).toMatchObject({ status: 'archived', dunning: { stage: 'archived', next_action: null } });
    const write = await tenant.api<Problem>('POST', '/api/contacts', { first_name: 'Refused' });
    expect(write.status).toBe(403);
    expect(write.body.type).toBe('https://docs.edge-crm.dev/problems/account-read-only');
    expect(
      (await tenant.api('PATCH', `/api/contacts/${(await tenant.api<Page<Contact>>('GET', '/api/contacts')).body.data[0].id}`, { company: 'X' })).status,
    ).toBe(403);
    expect((await tenant.api<Page<Contact>>('GET', '/api/contacts')).body.data).toHaveLength(2);
    expect(await timelineKinds(tenant)).toEqual([
      'subscribed',
      'payment_method_updated',
      'payment_failed',
      'payment_failed',
      'warning_email_queued',
      'account_paused',
      'downgraded_to_free',
      'account_archived',
    ]);

    // Paying with a good card brings it back at once.
    const paid = await tenant.api<PayResult>('POST', '/api/billing/pay', { payment_method: 'pm_card_visa' });
    expect(paid.status, JSON.stringify(paid.body)).toBe(200);
    expect(paid.body).toMatchObject({ id: caseId, status: 'recovered' });
    b = await billing(tenant);
    expect(b.status).toBe('active');
    expect((await tenant.api<Contact>('POST', '/api/contacts', { first_name: 'Welcome back' })).status).toBe(201);
    await expect(assertAccountCanAutomate(env.DB, tenant.accountId)).resolves.toMatchObject({ status: 'active' });
    expect(await steps(caseId)).toEqual(expect.arrayContaining(['failure_1', 'failure_2', 'failure_3', 'failure_4', 'archived', 'recovered']));
    expect((await timelineKinds(tenant)).slice(-2)).toEqual(['payment_recovered', 'plan_restored']);
  });

  it('a retry that succeeds (the card was replaced) makes the account active again and clears the banner', async () => {
    const tenant = await subscriberWithFailingCard();
    await walkTo(tenant.periodEnd + HOUR);
    const day0 = Date.parse(present((await billing(tenant)).dunning).started_at);
    await walkTo(day0 + 3 * DAY + HOUR);
    expect((await billing(tenant)).status).toBe('paused');

    await tenant.api<SavedCard>('POST', '/api/billing/payment-method', { payment_method: 'pm_card_mastercard' });
    await walkTo(day0 + 7 * DAY + HOUR);
    const b = await billing(tenant);
    expect(b).toMatchObject({ status: 'active', plan: { id: 'starter' }, subscription: { status: 'active' }, dunning: { status: 'recovered', failures: 3 } });
    const last = (await tenant.api<Page<BillingEvent>>('GET', '/api/billing/timeline')).body.data[0];
    expect(last).toMatchObject({ kind: 'payment_recovered' });
    expect(last.message).toMatch(/received .*on retry\. The account is active again and automations have resumed\.$/);
  });

  it('paid outside the app after the downgrade: the webhook recovers the case and the plan comes back for the paid period', async () => {
    const tenant = await subscriberWithFailingCard();
    await walkTo(tenant.periodEnd + HOUR);
    const b0 = await billing(tenant);
    const day0 = Date.parse(present(b0.dunning).started_at);
    await walkTo(day0 + 7 * DAY + HOUR);
    expect((await billing(tenant)).plan.id).toBe('free');

    const stripe = stripeClient(env);
    const good = await stripe.paymentMethods.attach('pm_card_visa', {
      customer: (
        await env.DB.prepare('SELECT stripe_customer_id FROM billing_profiles WHERE account_id = ?')
          .bind(tenant.accountId)
          .first<{ stripe_customer_id: string }>()
      )?.stripe_customer_id as string,
    });
    await stripe.invoices.pay(present(b0.dunning).invoice_id, { payment_method: good.id });
    await deliverPendingStripeWebhooks(env);
    const b = await billing(tenant);
    expect(b).toMatchObject({
      status: 'active',
      plan: { id: 'starter' },
      plan_source: 'subscription',
      subscription: { status: 'trialing' },
      dunning: { status: 'recovered' },
    });
    // Free until the end of the period the invoice paid for, then billed as before.
    expect(Date.parse(present(present(b.subscription).current_period_end))).toBeGreaterThan(day0 + 27 * DAY);
    expect((await timelineKinds(tenant)).slice(-2)).toEqual(['payment_recovered', 'plan_restored']);
  });

  it('each step happens once: a case advanced twice at the same moment takes one step, and a Stripe outage counts no failure', async () => {
    const tenant = await subscriberWithFailingCard();
    await walkTo(tenant.periodEnd + HOUR);
    const first = present((await billing(tenant)).dunning);
    // Move Stripe's clock past the first retry without running the sweep, then act on the case by hand.
    await advanceStripeClock(env, { seconds: Math.ceil((Date.parse(present(first.next_action_at)) + HOUR - (await billingNow(env, null))) / 1000) });

    await injectStripeFault(env, { path: `/v1/invoices/${first.invoice_id}/pay`, method: 'POST', kind: 'error', status: 500, count: 10 });
    const scope = platformBilling(env, { maxNetworkRetries: 0 });
    await expect(advanceDunningCase(scope, first.id)).rejects.toThrow();
    expect((await billing(tenant)).dunning).toMatchObject({ failures: 1, stage: 'past_due' });
    await clearStripeFaults(env);

    // Two workers at once (a sweep and a queue message): one takes the step, the other finds it busy or already done.
    const outcomes = await Promise.all([advanceDunningCase(scope, first.id), advanceDunningCase(scope, first.id)]);
    expect(outcomes.filter((o) => o === 'retried_failed')).toHaveLength(1);
    expect(outcomes.filter((o) => o !== 'retried_failed')).toEqual([expect.stringMatching(/^(busy|not_due)$/)]);
    expect(await advanceDunningCase(scope, first.id)).toBe('not_due');
    expect((await billing(tenant)).dunning).toMatchObject({ failures: 2, stage: 'warned' });
    expect(await steps(first.id)).toEqual(['failure_1', 'failure_2']);
    const notices = await env.DB.prepare("SELECT COUNT(*) AS n FROM notifications WHERE account_id = ? AND kind = 'billing.payment_warning'")
      .bind(tenant.accountId)
      .first<{ n: number }>();
    expect(notices?.n).toBe(1);
  });

  it("a sub-account covered by its agency is paused with it, and cannot change the agency's plan", async () => {
    const agency = await createTenant({ agency: true });
    expect((await agency.api<BillingSummary>('POST', '/api/billing/subscribe', { plan: 'agency', payment_method: 'pm_card_visa' })).status).toBe(201);
    const client = await agency.api<SubAccount>('POST', '/api/agency/sub-accounts', { name: 'Dental client' });
    const exchange = await agency.api<AuthResult>('POST', '/api/auth/token-exchange', { account_id: client.body.id });
    expect(exchange.status).toBe(200);
    const asClient = (method: string, path: string, body?: unknown) => call(method, path, { token: exchange.body.token, body });
    expect((await asClient('GET', '/api/billing')).body).toMatchObject({ plan: { id: 'agency' }, plan_source: 'agency', status: 'active' });
    expect((await asClient('POST', '/api/billing/upgrade', { plan: 'enterprise' })).status).toBe(403);

    await agency.api<SavedCard>('POST', '/api/billing/payment-method', { payment_method: 'pm_card_chargeCustomerFail' });
    const periodEnd = Date.parse(present(present((await billing(agency)).subscription).current_period_end));
    await walkTo(periodEnd + HOUR);
    const day0 = Date.parse(present((await billing(agency)).dunning).started_at);
    await walkTo(day0 + 3 * DAY + HOUR);
    expect((await billing(agency)).status).toBe('paused');
    expect((await asClient('GET', '/api/billing')).body).toMatchObject({ status: 'paused', status_from_agency: true });
    await expect(assertAccountCanAutomate(env.DB, client.body.id)).rejects.toMatchObject({
      code: 'account_paused',
      message: expect.stringMatching(/^The agency that manages this account has an unpaid invoice/),
    });
  });
});
