import { env } from 'cloudflare:workers';
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { stripeClient } from '../../workers/billing/stripe.client';
import { advanceStripeClock, stripeClockNow } from '../../workers/sandbox/stripe/stripe.controls';

const DAY = 86_400;

/** Two monthly tiers, each test its own so lookups never collide. */
async function tiers(stripe: Stripe): Promise<{ starter: Stripe.Price; pro: Stripe.Price }> {
  const tag = crypto.randomUUID().slice(0, 8);
  const starter = await stripe.prices.create({
    currency: 'usd',
    unit_amount: 9700,
    recurring: { interval: 'month' },
    product_data: { name: `Starter ${tag}` },
    lookup_key: `starter_${tag}`,
  });
  const pro = await stripe.prices.create({
    currency: 'usd',
    unit_amount: 29700,
    recurring: { interval: 'month' },
    product_data: { name: `Professional ${tag}` },
    lookup_key: `pro_${tag}`,
  });
  return { starter, pro };
}

async function customerPaying(stripe: Stripe, card: string): Promise<{ customer: Stripe.Customer; paymentMethod: string }> {
  const customer = await stripe.customers.create({
    email: `billing.${crypto.randomUUID()}@example.com`,
    payment_method: card,
    invoice_settings: { default_payment_method: card },
  });
  return { customer, paymentMethod: customer.invoice_settings.default_payment_method as string };
}

function periodEnd(sub: Stripe.Subscription): number {
  return sub.items.data[0].current_period_end;
}

async function invoicesOf(stripe: Stripe, subscription: string): Promise<Stripe.Invoice[]> {
  return (await stripe.invoices.list({ subscription, limit: 100 })).data;
}

describe('Stripe sandbox: subscriptions', () => {
  it('subscribing charges the first invoice at once: active, invoice paid', async () => {
    const stripe = stripeClient(env);
    const { starter } = await tiers(stripe);
    const { customer } = await customerPaying(stripe, 'pm_card_visa');
    const now = await stripeClockNow(env);
    const sub = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: starter.id }],
      metadata: { account_id: 'acc_1' },
      expand: ['latest_invoice.payments'],
    });
    expect(sub).toMatchObject({
      object: 'subscription',
      status: 'active',
      customer: customer.id,
      currency: 'usd',
      cancel_at_period_end: false,
      metadata: { account_id: 'acc_1' },
    });
    expect(sub.items.data[0]).toMatchObject({ price: { id: starter.id, unit_amount: 9700 }, quantity: 1 });
    expect(periodEnd(sub) - sub.items.data[0].current_period_start).toBeGreaterThanOrEqual(28 * DAY);
    expect(Math.abs(sub.items.data[0].current_period_start - now)).toBeLessThan(5);

    const invoice = sub.latest_invoice as Stripe.Invoice;
    expect(invoice).toMatchObject({
      status: 'paid',
      billing_reason: 'subscription_create',
      amount_due: 9700,
      amount_paid: 9700,
      amount_remaining: 0,
      attempt_count: 1,
      customer: customer.id,
    });
    expect(invoice.parent?.subscription_details?.subscription).toBe(sub.id);
    expect(invoice.number).toMatch(/^[0-9A-F]{8}-0001$/);
    expect(invoice.lines.data.map((l) => [l.amount, l.description])).toEqual([[9700, expect.stringMatching(/^1 × Starter .* \(at \$97\.00 \/ month\)$/)]]);
    const pi = invoice.payments?.data[0].payment.payment_intent;
    expect(typeof pi === 'string' && (await stripe.paymentIntents.retrieve(pi)).status).toBe('succeeded');
  });

  it('a card that fails at charge leaves the subscription incomplete and its invoice open; paying with a good card activates it', async () => {
    const stripe = stripeClient(env);
    const { starter } = await tiers(stripe);
    const { customer } = await customerPaying(stripe, 'pm_card_chargeCustomerFail');
    const sub = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: starter.id }] });
    expect(sub.status).toBe('incomplete');
    const invoice = await stripe.invoices.retrieve(sub.latest_invoice as string);
    expect(invoice).toMatchObject({ status: 'open', attempt_count: 1, attempted: true, next_payment_attempt: null, amount_remaining: 9700 });

    await expect(stripe.invoices.pay(invoice.id)).rejects.toMatchObject({ type: 'StripeCardError', code: 'card_declined' });
    expect((await stripe.invoices.retrieve(invoice.id)).attempt_count).toBe(2);

    const good = await stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
    const paid = await stripe.invoices.pay(invoice.id, { payment_method: good.id });
    expect(paid).toMatchObject({ status: 'paid', amount_paid: 9700, attempt_count: 3 });
    expect((await stripe.subscriptions.retrieve(sub.id)).status).toBe('active');
  });

  it('a card that needs 3D Secure leaves the first payment waiting for the customer (requires_action)', async () => {
    const stripe = stripeClient(env);
    const { starter } = await tiers(stripe);
    const { customer } = await customerPaying(stripe, 'pm_card_authenticationRequired');
    const sub = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: starter.id }], expand: ['latest_invoice.payments'] });
    expect(sub.status).toBe('incomplete');
    const invoice = sub.latest_invoice as Stripe.Invoice;
    expect(invoice.status).toBe('open');
    const pi = await stripe.paymentIntents.retrieve(invoice.payments?.data[0].payment.payment_intent as string);
    expect(pi).toMatchObject({ status: 'requires_action', next_action: { type: 'use_stripe_sdk' } });
    const actionEvents = (await stripe.events.list({ types: ['invoice.payment_action_required', 'payment_intent.requires_action'], limit: 100 })).data;
    expect(
      actionEvents
        .filter((e) => (e.data.object as { id: string; customer?: string }).customer === customer.id)
        .map((e) => e.type)
        .sort(),
    ).toEqual(['invoice.payment_action_required', 'payment_intent.requires_action']);
  });

  it('error_if_incomplete refuses the subscription when the card fails, leaving none behind', async () => {
    const stripe = stripeClient(env);
    const { starter } = await tiers(stripe);
    const { customer } = await customerPaying(stripe, 'pm_card_chargeCustomerFail');
    await expect(
      stripe.subscriptions.create({ customer: customer.id, items: [{ price: starter.id }], payment_behavior: 'error_if_incomplete' }),
    ).rejects.toBeInstanceOf(Stripe.errors.StripeCardError);
    expect((await stripe.subscriptions.list({ customer: customer.id, status: 'all' })).data).toEqual([]);
  });

  it('a customer without a card cannot subscribe', async () => {
    const stripe = stripeClient(env);
    const { starter } = await tiers(stripe);
    const customer = await stripe.customers.create({ email: 'nocard@example.com' });
    await expect(stripe.subscriptions.create({ customer: customer.id, items: [{ price: starter.id }] })).rejects.toMatchObject({
      type: 'StripeInvalidRequestError',
      message: expect.stringContaining('no attached payment source or default payment method'),
    });
  });

  it('upgrading mid-period creates prorations that the next invoice bills with the new price', async () => {
    const stripe = stripeClient(env);
    const { starter, pro } = await tiers(stripe);
    const { customer } = await customerPaying(stripe, 'pm_card_visa');
    const sub = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: starter.id }] });
    const start = sub.items.data[0].current_period_start;
    const end = periodEnd(sub);

    const at = (await advanceStripeClock(env, { days: 10 })).now;
    const upgraded = await stripe.subscriptions.update(sub.id, {
      items: [{ id: sub.items.data[0].id, price: pro.id }],
      proration_behavior: 'create_prorations',
      proration_date: at,
    });
    expect(upgraded.items.data.map((i) => i.price.id)).toEqual([pro.id]);
    expect(upgraded.status).toBe('active');

    const pending = (await stripe.invoiceItems.list({ customer: customer.id, pending: true })).data;
    const credit = Math.round((9700 * (end - at)) / (end - start));
    const charge = Math.round((29700 * (end - at)) / (end - start));
    expect(pending.map((ii) => ii.amount).sort((a, b) => a - b)).toEqual([-credit, charge]);
    expect(pending.every((ii) => ii.proration)).toBe(true);

    await advanceStripeClock(env, { to: end + 60 });
    const [renewal] = await invoicesOf(stripe, sub.id);
    expect(renewal).toMatchObject({ billing_reason: 'subscription_cycle', status: 'paid', amount_paid: 29700 + charge - credit });
    const lines = renewal.lines.data.map((l) => ({
      amount: l.amount,
      proration: l.parent?.invoice_item_details?.proration ?? false,
      description: l.description,
    }));
    expect(lines).toEqual(
      expect.arrayContaining([
        { amount: -credit, proration: true, description: expect.stringMatching(/^Unused time on Starter/) },
        { amount: charge, proration: true, description: expect.stringMatching(/^Remaining time on Professional/) },
        { amount: 29700, proration: false, description: expect.stringMatching(/^1 × Professional/) },
      ]),
    );
    expect((await stripe.invoiceItems.list({ customer: customer.id, pending: true })).data).toEqual([]);
  });

  it('always_invoice bills the proration right away', async () => {
    const stripe = stripeClient(env);
    const { starter, pro } = await tiers(stripe);
    const { customer } = await customerPaying(stripe, 'pm_card_visa');
    const sub = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: starter.id }] });
    await advanceStripeClock(env, { days: 3 });
    const upgraded = await stripe.subscriptions.update(sub.id, {
      items: [{ id: sub.items.data[0].id, price: pro.id }],
      proration_behavior: 'always_invoice',
      expand: ['latest_invoice'],
    });
    const invoice = upgraded.latest_invoice as Stripe.Invoice;
    expect(invoice).toMatchObject({ billing_reason: 'subscription_update', status: 'paid' });
    expect(invoice.amount_paid).toBeGreaterThan(0);
    expect(invoice.amount_paid).toBeLessThan(29700 - 9700);
  });

  it('renews at period end: a new invoice, charged to the default card (invoice.paid)', async () => {
    const stripe = stripeClient(env);
    const { starter } = await tiers(stripe);
    const { customer } = await customerPaying(stripe, 'pm_card_visa');
    const sub = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: starter.id }] });
    const end = periodEnd(sub);

    await advanceStripeClock(env, { to: end + 1 });
    const renewed = await stripe.subscriptions.retrieve(sub.id);
    expect(renewed.status).toBe('active');
    expect(renewed.items.data[0].current_period_start).toBe(end);
    expect(periodEnd(renewed)).toBeGreaterThan(end + 27 * DAY);

    const [renewal, first] = await invoicesOf(stripe, sub.id);
    expect(first.billing_reason).toBe('subscription_create');
    expect(renewal).toMatchObject({ billing_reason: 'subscription_cycle', status: 'paid', amount_paid: 9700, created: end, period_end: end });
    expect(renewal.lines.data[0].period).toEqual({ start: end, end: periodEnd(renewed) });
    expect(renewed.latest_invoice).toBe(renewal.id);

    const paidEvents = (await stripe.events.list({ type: 'invoice.paid', limit: 100 })).data;
    expect(paidEvents.some((e) => (e.data.object as Stripe.Invoice).id === renewal.id)).toBe(true);
  });

  it("a renewal the card refuses: invoice.payment_failed with attempt_count 1 and no automatic retry; the product's retry pays it", async () => {
    const stripe = stripeClient(env);
    const { starter } = await tiers(stripe);
    const { customer } = await customerPaying(stripe, 'pm_card_visa');
    const sub = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: starter.id }] });
    const failing = await stripe.paymentMethods.attach('pm_card_chargeCustomerFail', { customer: customer.id });
    await stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: failing.id } });

    await advanceStripeClock(env, { to: periodEnd(sub) + 1 });
    const [renewal] = await invoicesOf(stripe, sub.id);
    expect(renewal).toMatchObject({
      billing_reason: 'subscription_cycle',
      status: 'open',
      attempt_count: 1,
      attempted: true,
      next_payment_attempt: null,
      amount_remaining: 9700,
    });
    expect((await stripe.subscriptions.retrieve(sub.id)).status).toBe('past_due');

    const failedEvents = (await stripe.events.list({ type: 'invoice.payment_failed', limit: 100 })).data;
    const failed = failedEvents.find((e) => (e.data.object as Stripe.Invoice).id === renewal.id);
    expect(failed?.data.object).toMatchObject({ attempt_count: 1, next_payment_attempt: null });
    expect(failed?.request).toEqual({ id: null, idempotency_key: null });

    // Dunning: the customer fixes their card and the product retries the invoice.
    const good = await stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
    await stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: good.id } });
    expect(await stripe.invoices.pay(renewal.id)).toMatchObject({ status: 'paid', attempt_count: 2 });
    expect((await stripe.subscriptions.retrieve(sub.id)).status).toBe('active');
  });

  it('cancel at period end: stays active until the period ends, then ends without another invoice', async () => {
    const stripe = stripeClient(env);
    const { starter } = await tiers(stripe);
    const { customer } = await customerPaying(stripe, 'pm_card_visa');
    const sub = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: starter.id }] });
    const end = periodEnd(sub);

    const canceling = await stripe.subscriptions.update(sub.id, { cancel_at_period_end: true });
    expect(canceling).toMatchObject({ status: 'active', cancel_at_period_end: true, cancel_at: end });
    expect(canceling.canceled_at).not.toBeNull();

    await advanceStripeClock(env, { to: end + 1 });
    const ended = await stripe.subscriptions.retrieve(sub.id);
    expect(ended).toMatchObject({ status: 'canceled', ended_at: end });
    expect(await invoicesOf(stripe, sub.id)).toHaveLength(1);
    const deleted = (await stripe.events.list({ type: 'customer.subscription.deleted', limit: 100 })).data.find(
      (e) => (e.data.object as Stripe.Subscription).id === sub.id,
    );
    expect(deleted?.data.object).toMatchObject({ status: 'canceled' });
    expect((await stripe.subscriptions.list({ customer: customer.id })).data).toEqual([]);
  });

  it('canceling now ends the subscription at once', async () => {
    const stripe = stripeClient(env);
    const { starter } = await tiers(stripe);
    const { customer } = await customerPaying(stripe, 'pm_card_visa');
    const sub = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: starter.id }] });
    const canceled = await stripe.subscriptions.cancel(sub.id);
    expect(canceled).toMatchObject({ status: 'canceled', cancellation_details: { reason: 'cancellation_requested' } });
    expect(canceled.ended_at).not.toBeNull();
    await expect(stripe.subscriptions.cancel(sub.id)).rejects.toMatchObject({ statusCode: 404 });
  });

  it('an unpaid incomplete subscription expires after 23 hours', async () => {
    const stripe = stripeClient(env);
    const { starter } = await tiers(stripe);
    const { customer } = await customerPaying(stripe, 'pm_card_chargeCustomerFail');
    const sub = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: starter.id }] });
    await advanceStripeClock(env, { seconds: 23 * 3600 + 10 });
    expect((await stripe.subscriptions.retrieve(sub.id)).status).toBe('incomplete_expired');
    expect((await stripe.invoices.retrieve(sub.latest_invoice as string)).status).toBe('void');
  });

  it('a trial bills nothing now and the full price when it ends', async () => {
    const stripe = stripeClient(env);
    const { starter } = await tiers(stripe);
    const { customer } = await customerPaying(stripe, 'pm_card_visa');
    const sub = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: starter.id }], trial_period_days: 14, expand: ['latest_invoice'] });
    expect(sub.status).toBe('trialing');
    expect(sub.latest_invoice).toMatchObject({ amount_due: 0, status: 'paid' });
    await advanceStripeClock(env, { to: (sub.trial_end as number) + 1 });
    const after = await stripe.subscriptions.retrieve(sub.id, { expand: ['latest_invoice'] });
    expect(after.status).toBe('active');
    expect(after.latest_invoice).toMatchObject({ amount_paid: 9700, status: 'paid', billing_reason: 'subscription_cycle' });
  });

  it('Stripe test clocks move only their own customers', async () => {
    const stripe = stripeClient(env);
    const { starter } = await tiers(stripe);
    const accountNow = await stripeClockNow(env);
    const clock = await stripe.testHelpers.testClocks.create({ frozen_time: accountNow });
    const customer = await stripe.customers.create({
      email: 'clocked@example.com',
      test_clock: clock.id,
      payment_method: 'pm_card_visa',
      invoice_settings: { default_payment_method: 'pm_card_visa' },
    });
    const sub = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: starter.id }] });
    expect(sub.test_clock).toBe(clock.id);
    const advanced = await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: periodEnd(sub) + 60 });
    expect(advanced).toMatchObject({ status: 'ready', frozen_time: periodEnd(sub) + 60 });
    const invoices = await invoicesOf(stripe, sub.id);
    expect(invoices.map((i) => [i.billing_reason, i.status])).toEqual([
      ['subscription_cycle', 'paid'],
      ['subscription_create', 'paid'],
    ]);
    expect(Math.abs((await stripeClockNow(env)) - accountNow)).toBeLessThan(60);
  });
});
