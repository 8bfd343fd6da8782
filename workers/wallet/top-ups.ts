import Stripe from 'stripe';
import type { WalletQueueMessage } from '../../durable-objects/wallet/wallet.messages';
import { stripeClient } from '../billing/stripe.client';
import { AppError, type FieldError } from '../platform/errors';
import { createId } from '../platform/ids';
import { createLogger } from '../platform/logger';
import { displayUsd, formatUsd } from '../platform/money';
import { queryFirst, toIso } from '../platform/db';
import { AUTO_RECHARGE_DAILY_LIMIT_MICROS, isTopUpAmount, MAX_TOP_UP_MICROS, MICROS_PER_CENT, MIN_RECHARGE_THRESHOLD_MICROS, TOP_UP_BOUNDS } from './limits';
import { ensureWallet } from './wallet.service';

/**
 * Money into wallets by card: saving a card, manual top-ups and
 * auto-recharges. A top-up is credited only when Stripe confirms the
 * payment (webhook `payment_intent.succeeded`), exactly once, keyed by the
 * PaymentIntent id.
 */

export interface BillingProfile {
  account_id: string;
  stripe_customer_id: string;
  default_payment_method_id: string | null;
  card_brand: string | null;
  card_last4: string | null;
}

export interface TopUpRow {
  id: string;
  account_id: string;
  kind: 'manual' | 'auto_recharge';
  amount_micros: number;
  status: 'pending' | 'succeeded' | 'failed' | 'requires_action';
  recharge_id: string | null;
  idempotency_key: string;
  payment_intent_id: string | null;
  failure: string | null;
  created_at: number;
  updated_at: number;
}

const DAY_MS = 86_400_000;
const log = createLogger({ component: 'top-ups' });

export function serializeTopUp(row: TopUpRow) {
  return {
    id: row.id,
    kind: row.kind,
    amount: formatUsd(row.amount_micros),
    status: row.status,
    failure: row.failure,
    created_at: toIso(row.created_at) as string,
    updated_at: toIso(row.updated_at) as string,
  };
}

export async function getBillingProfile(db: D1Database, accountId: string): Promise<BillingProfile | null> {
  return queryFirst<BillingProfile>(db, 'SELECT * FROM billing_profiles WHERE account_id = ?', accountId);
}

/** The account's Stripe customer, created once (the idempotency key makes a race create one). */
export async function ensureStripeCustomer(env: Env, accountId: string): Promise<BillingProfile> {
  const existing = await getBillingProfile(env.DB, accountId);
  if (existing) return existing;
  const account = await queryFirst<{ name: string; owner_email: string | null }>(
    env.DB,
    `SELECT a.name, (SELECT u.email FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.account_id = a.id AND m.role = 'owner' ORDER BY m.created_at LIMIT 1) AS owner_email
       FROM accounts a WHERE a.id = ?`,
    accountId,
  );
  const customer = await stripeClient(env).customers.create(
    { name: account?.name, email: account?.owner_email ?? undefined, metadata: { account_id: accountId } },
    { idempotencyKey: `customer:${accountId}` },
  );
  await env.DB.prepare('INSERT INTO billing_profiles (account_id, stripe_customer_id, updated_at) VALUES (?, ?, ?) ON CONFLICT (account_id) DO NOTHING')
    .bind(accountId, customer.id, Date.now())
    .run();
  return (await getBillingProfile(env.DB, accountId)) as BillingProfile;
}

function cardError(err: unknown): AppError | null {
  if (err instanceof Stripe.errors.StripeCardError) {
    return new AppError('payment_failed', err.message || 'The card was declined.', { extensions: { decline_code: err.decline_code ?? err.code ?? null } });
  }
  if (err instanceof Stripe.errors.StripeInvalidRequestError && err.param === 'payment_method') {
    return new AppError('validation_failed', 'That card could not be used.', { errors: [{ field: 'payment_method', message: err.message }] });
  }
  return null;
}

/**
 * Saves a card for off-session charges: a SetupIntent confirms it with the
 * bank, then it becomes the customer's default. `paymentMethod` is what
 * Stripe.js returns in the browser (`pm_...`); in sandbox, Stripe's test ids
 * such as `pm_card_visa` work.
 */
export async function savePaymentMethod(env: Env, accountId: string, paymentMethod: string): Promise<BillingProfile> {
  const profile = await ensureStripeCustomer(env, accountId);
  const stripe = stripeClient(env);
  let setupIntent: Stripe.SetupIntent;
  try {
    setupIntent = await stripe.setupIntents.create({
      customer: profile.stripe_customer_id,
      payment_method: paymentMethod,
      usage: 'off_session',
      confirm: true,
    });
  } catch (err) {
    throw cardError(err) ?? err;
  }
  if (setupIntent.status !== 'succeeded' || typeof setupIntent.payment_method !== 'string') {
    throw new AppError(
      'payment_failed',
      setupIntent.status === 'requires_action'
        ? 'The bank asks for authentication this card cannot give off-session; use another card.'
        : 'The card could not be saved.',
    );
  }
  const saved = await stripe.paymentMethods.retrieve(setupIntent.payment_method);
  await stripe.customers.update(profile.stripe_customer_id, { invoice_settings: { default_payment_method: saved.id } });
  await env.DB.prepare('UPDATE billing_profiles SET default_payment_method_id = ?, card_brand = ?, card_last4 = ?, updated_at = ? WHERE account_id = ?')
    .bind(saved.id, saved.card?.brand ?? null, saved.card?.last4 ?? null, Date.now(), accountId)
    .run();
  // A new card is the fix for a failed auto-recharge: clear the stop, and recharge now if the balance is still low.
  const { stub } = await ensureWallet(env, accountId);
  const wallet = await stub.balance();
  if (wallet.auto_recharge.failure) {
    await stub.configure({
      autoRechargeEnabled: wallet.auto_recharge.enabled,
      thresholdMicros: wallet.auto_recharge.threshold_micros,
      amountMicros: wallet.auto_recharge.amount_micros,
    });
  }
  return (await getBillingProfile(env.DB, accountId)) as BillingProfile;
}

async function readTopUp(db: D1Database, column: 'id' | 'idempotency_key' | 'payment_intent_id', value: string): Promise<TopUpRow | null> {
  return queryFirst<TopUpRow>(db, `SELECT * FROM wallet_top_ups WHERE ${column} = ?`, value);
}

async function updateTopUp(db: D1Database, id: string, fields: Partial<Pick<TopUpRow, 'status' | 'payment_intent_id' | 'failure'>>): Promise<void> {
  const entries = Object.entries(fields);
  await db
    .prepare(`UPDATE wallet_top_ups SET ${entries.map(([k]) => `${k} = ?`).join(', ')}, updated_at = ? WHERE id = ?`)
    .bind(...entries.map(([, v]) => v ?? null), Date.now(), id)
    .run();
}

/**
 * Charges the saved card off-session for a top-up. Idempotent on the
 * top-up's key: a repeat returns the same top-up and charges nothing.
 * The PaymentIntent is created unconfirmed and its id stored on the top-up
 * before it is confirmed, so the webhook that confirms the payment always
 * finds the top-up by the PaymentIntent's own id (never by metadata).
 * The wallet is credited when Stripe's webhook confirms the payment.
 */
async function chargeTopUp(
  env: Env,
  input: { accountId: string; kind: TopUpRow['kind']; amountMicros: number; idempotencyKey: string; rechargeId?: string },
): Promise<TopUpRow> {
  assertTopUpAmount(input.amountMicros);
  const profile = await getBillingProfile(env.DB, input.accountId);
  if (!profile?.default_payment_method_id) {
    throw new AppError('validation_failed', 'Save a card before adding funds.', { errors: [{ field: 'payment_method', message: 'No saved card.' }] });
  }
  const now = Date.now();
  await env.DB.prepare(
    `INSERT INTO wallet_top_ups (id, account_id, kind, amount_micros, status, recharge_id, idempotency_key, created_at, updated_at)
     VALUES (?, ?, ?, ?, 'pending', ?, ?, ?, ?) ON CONFLICT (idempotency_key) DO NOTHING`,
  )
    .bind(createId('topUp'), input.accountId, input.kind, input.amountMicros, input.rechargeId ?? null, input.idempotencyKey, now, now)
    .run();
  const topUp = (await readTopUp(env.DB, 'idempotency_key', input.idempotencyKey)) as TopUpRow;
  if (topUp.account_id !== input.accountId || topUp.amount_micros !== input.amountMicros) {
    throw new AppError('conflict', 'This Idempotency-Key was already used for a different top-up.');
  }
  if (topUp.status !== 'pending') return topUp;

  const stripe = stripeClient(env);
  try {
    let intentId = topUp.payment_intent_id;
    // A repeat after the confirmation went out (the reply was lost): confirm only what is still unconfirmed, never twice.
    if (intentId && (await stripe.paymentIntents.retrieve(intentId)).status !== 'requires_confirmation') return topUp;
    if (!intentId) {
      const created = await stripe.paymentIntents.create(
        {
          amount: input.amountMicros / MICROS_PER_CENT,
          currency: 'usd',
          customer: profile.stripe_customer_id,
          payment_method: profile.default_payment_method_id,
          description: input.kind === 'auto_recharge' ? 'Wallet auto-recharge' : 'Wallet top-up',
          metadata: { purpose: 'wallet_top_up', top_up_id: topUp.id, account_id: input.accountId },
        },
        { idempotencyKey: `top-up:${topUp.id}` },
      );
      // Racing repeats of one key get the same PaymentIntent back (Stripe's idempotency), so this write agrees with theirs.
      await env.DB.prepare('UPDATE wallet_top_ups SET payment_intent_id = ?, updated_at = ? WHERE id = ? AND payment_intent_id IS NULL')
        .bind(created.id, Date.now(), topUp.id)
        .run();
      intentId = created.id;
    }
    const intent = await stripe.paymentIntents.confirm(
      intentId,
      { payment_method: profile.default_payment_method_id, off_session: true },
      { idempotencyKey: `top-up-confirm:${topUp.id}` },
    );
    if (intent.status === 'requires_action') {
      await updateTopUp(env.DB, topUp.id, { status: 'requires_action', failure: 'The bank requires authentication' });
    }
  } catch (err) {
    const declined = cardError(err);
    if (!declined) throw err;
    await updateTopUp(env.DB, topUp.id, { status: 'failed', failure: declined.message });
  }
  return (await readTopUp(env.DB, 'id', topUp.id)) as TopUpRow;
}

function assertTopUpAmount(amountMicros: number): void {
  if (!isTopUpAmount(amountMicros)) {
    throw new AppError('validation_failed', `Top-ups are ${TOP_UP_BOUNDS}.`, { errors: [{ field: 'amount', message: 'Out of range.' }] });
  }
}

/** A top-up the owner asked for. Declines and 3-D Secure demands answer `payment_failed`. */
export async function addFunds(env: Env, accountId: string, amountMicros: number, idempotencyKey: string): Promise<TopUpRow> {
  assertTopUpAmount(amountMicros);
  const topUp = await chargeTopUp(env, { accountId, kind: 'manual', amountMicros, idempotencyKey: `manual:${accountId}:${idempotencyKey}` });
  if (topUp.status === 'failed') throw new AppError('payment_failed', topUp.failure ?? 'The payment failed.', { extensions: { top_up_id: topUp.id } });
  if (topUp.status === 'requires_action') {
    throw new AppError('payment_failed', 'Your bank requires authentication for this card, which a saved-card top-up cannot give. Use another card.', {
      extensions: { top_up_id: topUp.id },
    });
  }
  return topUp;
}

/**
 * What is wrong with auto-recharge settings, as field errors: the amount
 * keeps the bounds of a top-up, and the threshold is at least $1.00 and at
 * most the amount (a recharge lifts the balance back over it).
 */
export function autoRechargeSettingsErrors(thresholdMicros: number, amountMicros: number): FieldError[] {
  const errors: FieldError[] = [];
  if (!isTopUpAmount(amountMicros)) errors.push({ field: 'amount', message: `Auto-recharge adds ${TOP_UP_BOUNDS}, like a top-up.`, code: 'out_of_range' });
  if (thresholdMicros < MIN_RECHARGE_THRESHOLD_MICROS) {
    errors.push({ field: 'threshold', message: `At least ${displayUsd(MIN_RECHARGE_THRESHOLD_MICROS)}.`, code: 'too_small' });
  } else if (thresholdMicros > Math.min(amountMicros, MAX_TOP_UP_MICROS)) {
    errors.push({
      field: 'threshold',
      message: 'At most the amount added each time: one recharge must lift the balance back over the threshold.',
      code: 'above_amount',
    });
  }
  return errors;
}

/** What the account's auto-recharges have charged or are charging since the start of this UTC day, other than `rechargeId`. */
async function rechargedToday(db: D1Database, accountId: string, rechargeId: string, now: number): Promise<number> {
  const row = await queryFirst<{ total: number }>(
    db,
    `SELECT COALESCE(SUM(amount_micros), 0) AS total FROM wallet_top_ups
      WHERE account_id = ? AND kind = 'auto_recharge' AND status IN ('pending', 'succeeded') AND created_at >= ? AND recharge_id != ?`,
    accountId,
    now - (now % DAY_MS),
    rechargeId,
  );
  return row?.total ?? 0;
}

/**
 * Wallet Queue notice `recharge.requested`: charge the card once; a failure
 * stops auto-recharge and tells the owner. An amount outside a top-up's
 * bounds (settings saved before they were enforced) is refused the same
 * way, and a charge that would take the day's auto-recharges past the daily
 * limit is not made: recharges pause until the next UTC day and the owner
 * is told why.
 */
export async function startAutoRecharge(env: Env, message: WalletQueueMessage & { kind: 'notice' }): Promise<void> {
  const rechargeId = String(message.notice.payload.recharge_id);
  const amountMicros = Number(message.notice.payload.amount_micros);
  const { stub } = await ensureWallet(env, message.account_id);
  if (!isTopUpAmount(amountMicros)) {
    await stub.failRecharge({
      rechargeId,
      reason: `the amount set, ${displayUsd(amountMicros)}, is not one auto-recharge may add (${TOP_UP_BOUNDS}); save the auto-recharge settings again`,
    });
    return;
  }
  const now = Date.now();
  if ((await rechargedToday(env.DB, message.account_id, rechargeId, now)) + amountMicros > AUTO_RECHARGE_DAILY_LIMIT_MICROS) {
    await stub.pauseRecharge({
      rechargeId,
      untilMs: now - (now % DAY_MS) + DAY_MS,
      reason: `Auto-recharge has added the most it may in one day (${displayUsd(AUTO_RECHARGE_DAILY_LIMIT_MICROS)}); it starts again tomorrow (UTC). Add funds by hand to keep sending today.`,
    });
    return;
  }
  let topUp: TopUpRow;
  try {
    topUp = await chargeTopUp(env, {
      accountId: message.account_id,
      kind: 'auto_recharge',
      amountMicros,
      idempotencyKey: `recharge:${rechargeId}`,
      rechargeId,
    });
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    await stub.failRecharge({ rechargeId, reason: err.message });
    return;
  }
  if (topUp.status === 'failed' || topUp.status === 'requires_action') {
    await stub.failRecharge({ rechargeId, reason: topUp.failure ?? topUp.status });
  }
}

/**
 * Webhook `payment_intent.*` for wallet top-ups. The top-up is the one that
 * stored this PaymentIntent's id when it created it: the event's metadata
 * is never trusted (a signed event can still carry anyone's top-up id). The
 * PaymentIntent is re-read rather than taken from the event's snapshot, so
 * events arriving out of order still end in the right state, and it must be
 * the account's own customer paying the top-up's exact amount in USD before
 * anything is credited; crediting is keyed by the PaymentIntent id.
 */
export async function handleTopUpPaymentEvent(env: Env, event: Stripe.Event): Promise<void> {
  // Top-ups are charged on the platform's own Stripe account; a connected account's PaymentIntent is never one.
  if (event.account) return;
  const snapshot = event.data.object as Stripe.PaymentIntent;
  const topUp = await readTopUp(env.DB, 'payment_intent_id', snapshot.id);
  if (!topUp) {
    if (snapshot.metadata?.purpose === 'wallet_top_up') log.warn('payment for no top-up of ours', { payment_intent: snapshot.id });
    return;
  }
  const [intent, profile] = await Promise.all([stripeClient(env).paymentIntents.retrieve(snapshot.id), getBillingProfile(env.DB, topUp.account_id)]);
  const customer = typeof intent.customer === 'string' ? intent.customer : (intent.customer?.id ?? null);
  if (!profile || customer !== profile.stripe_customer_id) {
    log.error("top-up paid by another customer than its account's", { payment_intent: intent.id, top_up: topUp.id });
    return;
  }
  const { stub } = await ensureWallet(env, topUp.account_id);
  if (intent.status === 'succeeded') {
    if (intent.currency !== 'usd' || intent.amount_received * MICROS_PER_CENT !== topUp.amount_micros) {
      log.error('top-up payment does not match the top-up', {
        payment_intent: intent.id,
        top_up: topUp.id,
        amount_received: intent.amount_received,
        currency: intent.currency,
      });
      const failure = 'The payment received does not match this top-up, so nothing was credited. Contact support.';
      if (topUp.status === 'pending') await updateTopUp(env.DB, topUp.id, { status: 'failed', failure });
      if (topUp.recharge_id) await stub.failRecharge({ rechargeId: topUp.recharge_id, reason: failure });
      return;
    }
    const amountMicros = topUp.amount_micros;
    const outcome = topUp.recharge_id
      ? await stub.completeRecharge({ rechargeId: topUp.recharge_id, paymentIntentId: intent.id, amountMicros })
      : await stub.credit({ idempotencyKey: `stripe:${intent.id}`, amountMicros, reason: 'top_up', source: intent.id, description: 'Card top-up' });
    if (!outcome.ok) throw new Error(`crediting ${intent.id} failed: ${outcome.message}`);
    await updateTopUp(env.DB, topUp.id, { status: 'succeeded', failure: null });
    return;
  }
  if (intent.status === 'requires_payment_method' || intent.status === 'canceled' || intent.status === 'requires_action') {
    const failure = intent.last_payment_error?.message ?? (intent.status === 'requires_action' ? 'The bank requires authentication' : 'The payment failed');
    if (topUp.status === 'pending')
      await updateTopUp(env.DB, topUp.id, { status: intent.status === 'requires_action' ? 'requires_action' : 'failed', failure });
    if (topUp.recharge_id) await stub.failRecharge({ rechargeId: topUp.recharge_id, reason: failure });
  }
}
