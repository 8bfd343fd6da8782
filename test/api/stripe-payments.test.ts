import { env, exports } from 'cloudflare:workers';
import Stripe from 'stripe';
import { afterEach, describe, expect, it } from 'vitest';
import { stripeClient } from '../../workers/billing/stripe.client';
import { clearStripeFaults, injectStripeFault } from '../../workers/sandbox/stripe/stripe.controls';

/** A customer with a card saved through a SetupIntent and set as the invoice default. */
async function customerWithCard(stripe: Stripe, card = 'pm_card_visa'): Promise<{ customer: Stripe.Customer; paymentMethod: string }> {
  const customer = await stripe.customers.create({ email: `payer.${crypto.randomUUID()}@example.com`, name: 'Pat Payer' });
  const setup = await stripe.setupIntents.create({ customer: customer.id, payment_method: card, confirm: true, usage: 'off_session' });
  const paymentMethod = setup.payment_method as string;
  const updated = await stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: paymentMethod } });
  return { customer: updated, paymentMethod };
}

afterEach(async () => {
  await clearStripeFaults(env);
});

describe('Stripe sandbox: customers and saved cards', () => {
  it('a SetupIntent saves the card on the customer, who can make it the default', async () => {
    const stripe = stripeClient(env);
    const customer = await stripe.customers.create({ email: 'ada@example.com', name: 'Ada', metadata: { account_id: 'acc_1' } });
    expect(customer).toMatchObject({ object: 'customer', email: 'ada@example.com', livemode: false, metadata: { account_id: 'acc_1' } });
    expect(customer.id).toMatch(/^cus_[A-Za-z0-9]{14}$/);

    const setup = await stripe.setupIntents.create({ customer: customer.id, payment_method: 'pm_card_visa', confirm: true, usage: 'off_session' });
    expect(setup.status).toBe('succeeded');
    expect(setup.id).toMatch(/^seti_/);
    expect(setup.payment_method).toMatch(/^pm_1/);

    const cards = await stripe.paymentMethods.list({ customer: customer.id, type: 'card' });
    expect(cards.data.map((pm) => [pm.id, pm.card?.brand, pm.card?.last4, pm.customer])).toEqual([[setup.payment_method, 'visa', '4242', customer.id]]);

    await stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: setup.payment_method as string } });
    const reread = (await stripe.customers.retrieve(customer.id)) as Stripe.Customer;
    expect(reread.invoice_settings.default_payment_method).toBe(setup.payment_method);
  });

  it("a default payment method must be one of the customer's own cards", async () => {
    const stripe = stripeClient(env);
    const other = await customerWithCard(stripe);
    const customer = await stripe.customers.create({ email: 'solo@example.com' });
    await expect(stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: other.paymentMethod } })).rejects.toMatchObject({
      type: 'StripeInvalidRequestError',
      statusCode: 400,
      param: 'invoice_settings[default_payment_method]',
    });
  });

  it('a card declined outright cannot be saved: the SetupIntent answers a card error', async () => {
    const stripe = stripeClient(env);
    const customer = await stripe.customers.create({ email: 'declined@example.com' });
    const attempt = stripe.setupIntents.create({ customer: customer.id, payment_method: 'pm_card_chargeDeclined', confirm: true });
    await expect(attempt).rejects.toBeInstanceOf(Stripe.errors.StripeCardError);
    await expect(attempt).rejects.toMatchObject({ statusCode: 402, code: 'card_declined', decline_code: 'generic_decline' });
    expect((await stripe.paymentMethods.list({ customer: customer.id })).data).toEqual([]);
  });

  it('detaching the default card clears it from the customer', async () => {
    const stripe = stripeClient(env);
    const { customer, paymentMethod } = await customerWithCard(stripe, 'pm_card_mastercard');
    const detached = await stripe.paymentMethods.detach(paymentMethod);
    expect(detached.customer).toBeNull();
    const reread = (await stripe.customers.retrieve(customer.id)) as Stripe.Customer;
    expect(reread.invoice_settings.default_payment_method).toBeNull();
  });
});

describe('Stripe sandbox: off-session PaymentIntents', () => {
  it('charges a saved card: succeeded, with a paid charge', async () => {
    const stripe = stripeClient(env);
    const { customer, paymentMethod } = await customerWithCard(stripe);
    const pi = await stripe.paymentIntents.create({
      amount: 5000,
      currency: 'usd',
      customer: customer.id,
      payment_method: paymentMethod,
      confirm: true,
      off_session: true,
      metadata: { wallet_id: 'wal_1' },
    });
    expect(pi).toMatchObject({
      object: 'payment_intent',
      status: 'succeeded',
      amount: 5000,
      amount_received: 5000,
      currency: 'usd',
      customer: customer.id,
      metadata: { wallet_id: 'wal_1' },
      livemode: false,
    });
    const charge = await stripe.charges.retrieve(pi.latest_charge as string);
    expect(charge).toMatchObject({ paid: true, status: 'succeeded', amount: 5000, payment_intent: pi.id, payment_method: paymentMethod });
    expect((await stripe.paymentIntents.retrieve(pi.id)).status).toBe('succeeded');
  });

  it('a card that attaches but cannot be charged: 402 StripeCardError, the intent keeps the reason', async () => {
    const stripe = stripeClient(env);
    const { customer, paymentMethod } = await customerWithCard(stripe, 'pm_card_chargeCustomerFail');
    let error: unknown;
    try {
      await stripe.paymentIntents.create({
        amount: 2500,
        currency: 'usd',
        customer: customer.id,
        payment_method: paymentMethod,
        confirm: true,
        off_session: true,
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(Stripe.errors.StripeCardError);
    const cardError = error as Stripe.errors.StripeCardError;
    expect(cardError).toMatchObject({ statusCode: 402, code: 'card_declined', decline_code: 'generic_decline', message: 'Your card was declined.' });
    const failed = cardError.payment_intent as Stripe.PaymentIntent;
    expect(failed.status).toBe('requires_payment_method');
    const reread = await stripe.paymentIntents.retrieve(failed.id);
    expect(reread.last_payment_error).toMatchObject({ type: 'card_error', code: 'card_declined', decline_code: 'generic_decline' });
    expect((await stripe.charges.retrieve(reread.latest_charge as string)).status).toBe('failed');
  });

  it('a card that needs 3D Secure: declined off-session (authentication_required), requires_action on-session', async () => {
    const stripe = stripeClient(env);
    const { customer, paymentMethod } = await customerWithCard(stripe, 'pm_card_visa');
    const threeDs = await stripe.paymentMethods.attach('pm_card_authenticationRequired', { customer: customer.id });
    await expect(
      stripe.paymentIntents.create({ amount: 2000, currency: 'usd', customer: customer.id, payment_method: threeDs.id, confirm: true, off_session: true }),
    ).rejects.toMatchObject({
      type: 'StripeCardError',
      code: 'authentication_required',
      decline_code: 'authentication_required',
      payment_intent: { status: 'requires_payment_method' },
    });

    const onSession = await stripe.paymentIntents.create({ amount: 2000, currency: 'usd', customer: customer.id, payment_method: threeDs.id, confirm: true });
    expect(onSession.status).toBe('requires_action');
    expect(onSession.next_action?.type).toBe('use_stripe_sdk');
    expect(paymentMethod).not.toBe(threeDs.id);
  });

  it('rejects what Stripe rejects: an amount under the minimum, off_session without confirm', async () => {
    const stripe = stripeClient(env);
    await expect(stripe.paymentIntents.create({ amount: 20, currency: 'usd' })).rejects.toMatchObject({
      type: 'StripeInvalidRequestError',
      code: 'amount_too_small',
      param: 'amount',
    });
    await expect(stripe.paymentIntents.create({ amount: 2000, currency: 'usd', payment_method: 'pm_card_visa', off_session: true })).rejects.toMatchObject({
      param: 'off_session',
    });
  });
});

describe('Stripe sandbox: idempotency and faults', () => {
  it('the same Idempotency-Key and parameters replay the first answer byte for byte, and charge once', async () => {
    const stripe = stripeClient(env);
    const { customer, paymentMethod } = await customerWithCard(stripe);
    const params = { amount: 1500, currency: 'usd', customer: customer.id, payment_method: paymentMethod, confirm: true, off_session: true };
    const first = await stripe.paymentIntents.create(params, { idempotencyKey: 'topup-1' });
    const second = await stripe.paymentIntents.create(params, { idempotencyKey: 'topup-1' });
    expect(second.id).toBe(first.id);
    expect((await stripe.paymentIntents.list({ customer: customer.id })).data).toHaveLength(1);
    expect((await stripe.charges.list({ customer: customer.id })).data).toHaveLength(1);

    // On the wire: the stored bytes come back, marked as a replay.
    const raw = async () =>
      exports.default.fetch('http://localhost/sandbox/stripe/v1/payment_intents', {
        method: 'POST',
        headers: { authorization: 'Bearer sk_test_sandbox', 'content-type': 'application/x-www-form-urlencoded', 'idempotency-key': 'raw-topup-2' },
        body: `amount=1500&currency=usd&customer=${customer.id}&payment_method=${paymentMethod}&confirm=true&off_session=true`,
      });
    const a = await raw();
    const b = await raw();
    expect(a.status).toBe(200);
    expect(b.headers.get('idempotent-replayed')).toBe('true');
    expect(await b.text()).toBe(await a.text());
  });

  it('the same key with different parameters is an idempotency_error and changes nothing', async () => {
    const stripe = stripeClient(env);
    const { customer, paymentMethod } = await customerWithCard(stripe);
    await stripe.paymentIntents.create(
      { amount: 1000, currency: 'usd', customer: customer.id, payment_method: paymentMethod, confirm: true, off_session: true },
      { idempotencyKey: 'topup-mismatch' },
    );
    const reuse = stripe.paymentIntents.create(
      { amount: 9000, currency: 'usd', customer: customer.id, payment_method: paymentMethod, confirm: true, off_session: true },
      { idempotencyKey: 'topup-mismatch' },
    );
    await expect(reuse).rejects.toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
    await expect(reuse).rejects.toMatchObject({ statusCode: 400, type: 'StripeIdempotencyError' });
    expect((await stripe.paymentIntents.list({ customer: customer.id })).data.map((pi) => pi.amount)).toEqual([1000]);
  });

  it('a declined payment is replayed as the same 402, not tried again', async () => {
    const stripe = stripeClient(env);
    const { customer, paymentMethod } = await customerWithCard(stripe, 'pm_card_chargeCustomerFail');
    const params = { amount: 1000, currency: 'usd', customer: customer.id, payment_method: paymentMethod, confirm: true, off_session: true };
    const first = await stripe.paymentIntents.create(params, { idempotencyKey: 'declined-1' }).catch((e: Stripe.errors.StripeCardError) => e);
    const second = await stripe.paymentIntents.create(params, { idempotencyKey: 'declined-1' }).catch((e: Stripe.errors.StripeCardError) => e);
    expect(first).toBeInstanceOf(Stripe.errors.StripeCardError);
    expect(second).toBeInstanceOf(Stripe.errors.StripeCardError);
    const declinedIntent = (first as Stripe.errors.StripeCardError).payment_intent?.id;
    expect(declinedIntent).toMatch(/^pi_/);
    expect((second as Stripe.errors.StripeCardError).payment_intent?.id).toBe(declinedIntent);
    expect((await stripe.charges.list({ customer: customer.id })).data).toHaveLength(1);
  });

  it('a 500 before the request reaches Stripe: the SDK retries with the same key and one PaymentIntent exists', async () => {
    const stripe = stripeClient(env);
    const { customer, paymentMethod } = await customerWithCard(stripe);
    await injectStripeFault(env, { path: '/v1/payment_intents', method: 'POST', kind: 'error', status: 500, count: 1 });
    const retried: Array<string | undefined> = [];
    stripe.on('request', (e: Stripe.RequestEvent) => retried.push(e.idempotency_key));
    const pi = await stripe.paymentIntents.create({
      amount: 4200,
      currency: 'usd',
      customer: customer.id,
      payment_method: paymentMethod,
      confirm: true,
      off_session: true,
    });
    expect(pi.status).toBe('succeeded');
    expect(retried).toHaveLength(2);
    expect(retried[1]).toBe(retried[0]);
    expect((await stripe.paymentIntents.list({ customer: customer.id })).data.map((p) => p.id)).toEqual([pi.id]);
  });

  it('a request that hangs past the client timeout was still done once: the retry gets the same PaymentIntent', async () => {
    const stripe = stripeClient(env, { timeoutMs: 400, maxNetworkRetries: 4 });
    const { customer, paymentMethod } = await customerWithCard(stripe);
    await injectStripeFault(env, { path: '/v1/payment_intents', method: 'POST', kind: 'hang', hangMs: 1200, afterHang: 'process', count: 1 });
    const keys: Array<string | undefined> = [];
    stripe.on('request', (e: Stripe.RequestEvent) => keys.push(e.idempotency_key));
    const pi = await stripe.paymentIntents.create(
      { amount: 3100, currency: 'usd', customer: customer.id, payment_method: paymentMethod, confirm: true, off_session: true },
      { idempotencyKey: 'slow-topup' },
    );
    expect(pi.status).toBe('succeeded');
    expect(keys.length).toBeGreaterThanOrEqual(2);
    expect(new Set(keys)).toEqual(new Set(['slow-topup']));
    const all = await stripe.paymentIntents.list({ customer: customer.id });
    expect(all.data.map((p) => p.id)).toEqual([pi.id]);
    expect((await stripe.charges.list({ customer: customer.id })).data).toHaveLength(1);
  });

  it('without retries a hang surfaces as a connection error after the timeout, never as a stuck call', async () => {
    const stripe = stripeClient(env, { timeoutMs: 300, maxNetworkRetries: 0 });
    await injectStripeFault(env, { path: '/v1/customers', method: 'POST', kind: 'hang', hangMs: 1000, afterHang: 'error', count: 1 });
    const started = Date.now();
    await expect(stripe.customers.create({ email: 'slow@example.com' })).rejects.toBeInstanceOf(Stripe.errors.StripeConnectionError);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
