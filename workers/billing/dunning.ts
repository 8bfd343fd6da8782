import Stripe from 'stripe';
import { queryAll, queryFirst, statement, type SqlValue } from '../platform/db';
import { createId } from '../platform/ids';
import { createLogger } from '../platform/logger';
import { formatUsd } from '../platform/money';
import { platformBilling, scopeForStripeAccount, type BillingScope } from './billing.scope';
import { findPlan } from './plans';
import { ensurePlanPrice, planAmountMicros } from './prices';
import { DUNNING_CANCEL_COMMENT, getSubscriptionRow, invoiceSubscriptionId, isLiveStatus, syncSubscription } from './subscriptions';
import { billingEventStatement, formatDay, type BillingEventInput, type Guard } from './timeline';
import { sendNoticeEmailsSoon } from '../email/notice-delivery';

/**
 * Dunning: what happens after a subscription invoice fails (PRD addendum 1.3).
 *
 *   failure 1 (day 0)   account past_due, retry in 24 hours
 *   failure 2           warning email, retry in 48 hours
 *   failure 3           account paused (automations stop, banner in the app), last retry on day 7
 *   failure 4 (day 7)   downgraded to Free, all data kept; archive on day 30
 *   day 30              account archived: read-only, nothing deleted
 *   paid at any step    account active again (and, after a downgrade, its plan back)
 *
 * A case is a row (`dunning_cases`) whose `failures` and `stage` are the
 * state; each transition is one D1 batch that moves the case and applies its
 * effects (account status, plan, timeline, warning email), every effect
 * guarded by the case's state inside the batch and keyed by (case, step), so
 * running a transition twice changes nothing the second time, and a case
 * that was paid meanwhile takes no further step. Stripe calls (retrying the
 * invoice, cancelling the subscription, restoring the plan) carry
 * idempotency keys derived from the case and the attempt.
 *
 * Time is the billing clock (scope.now): a sweep (cron, or a test after
 * moving the Stripe clock) advances every case whose next action is due, in
 * process or through the billing Queue.
 */

export type DunningStage = 'past_due' | 'warned' | 'paused' | 'downgraded' | 'archived' | 'recovered' | 'closed';

export interface DunningCaseRow {
  id: string;
  account_id: string;
  stripe_account: string | null;
  invoice_id: string;
  subscription_id: string | null;
  /** A platform PlanId, or an agency tier's key. */
  plan_before: string;
  amount_due_micros: number;
  status: 'open' | 'recovered' | 'closed';
  stage: DunningStage;
  failures: number;
  started_at: number;
  next_action: 'retry' | 'archive' | null;
  next_action_at: number | null;
  lease_until: number | null;
  last_error: string | null;
  resolved_at: number | null;
  created_at: number;
  updated_at: number;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** The schedule of the flow; tests read it to walk the clock. */
export const DUNNING_SCHEDULE = {
  firstRetryAfterMs: 24 * HOUR_MS,
  secondRetryAfterMs: 48 * HOUR_MS,
  finalRetryDay: 7,
  archiveDay: 30,
} as const;

/** How long one worker holds a case (wall clock) before another may take it. */
const LEASE_MS = 60_000;
const MICROS_PER_CENT = 10_000;

const log = createLogger({ component: 'dunning' });

export async function openDunningCase(db: D1Database, accountId: string): Promise<DunningCaseRow | null> {
  return queryFirst<DunningCaseRow>(db, "SELECT * FROM dunning_cases WHERE account_id = ? AND status = 'open'", accountId);
}

/** The open case, or the latest one (for the billing page). */
export async function latestDunningCase(db: D1Database, accountId: string): Promise<DunningCaseRow | null> {
  return queryFirst<DunningCaseRow>(
    db,
    "SELECT * FROM dunning_cases WHERE account_id = ? ORDER BY status = 'open' DESC, created_at DESC, id DESC LIMIT 1",
    accountId,
  );
}

async function getCase(db: D1Database, id: string): Promise<DunningCaseRow | null> {
  return queryFirst<DunningCaseRow>(db, 'SELECT * FROM dunning_cases WHERE id = ?', id);
}

export async function caseForInvoice(db: D1Database, invoiceId: string): Promise<DunningCaseRow | null> {
  return queryFirst<DunningCaseRow>(db, 'SELECT * FROM dunning_cases WHERE invoice_id = ?', invoiceId);
}

const usd = (micros: number) => `$${formatUsd(micros).replace(/(\.\d\d)00$/, '$1')}`;

function caseGuard(caseId: string, condition: string, ...binds: SqlValue[]): Guard {
  return { sql: `EXISTS (SELECT 1 FROM dunning_cases WHERE id = ? AND ${condition})`, binds: [caseId, ...binds] };
}

/** The statements that record a step once, under `guard`: the step row and its timeline entries. */
function stepStatements(
  db: D1Database,
  c: DunningCaseRow,
  step: string,
  occurredAt: number,
  guard: Guard,
  events: Array<Omit<BillingEventInput, 'accountId' | 'occurredAt' | 'dedupeKey'> & { key?: string }>,
  detail: string | null = null,
): D1PreparedStatement[] {
  return [
    statement(
      db,
      `INSERT INTO dunning_steps (id, account_id, case_id, step, detail, occurred_at, created_at)
       SELECT ?, ?, ?, ?, ?, ?, ? WHERE ${guard.sql} ON CONFLICT (case_id, step) DO NOTHING`,
      createId('dunningStep'),
      c.account_id,
      c.id,
      step,
      detail,
      occurredAt,
      Date.now(),
      ...guard.binds,
    ),
    ...events.map((e) =>
      billingEventStatement(
        db,
        {
          ...e,
          accountId: c.account_id,
          occurredAt,
          dedupeKey: `dunning:${c.id}:${e.key ?? step}`,
          data: { case_id: c.id, invoice_id: c.invoice_id, ...(e.data ?? {}) },
        },
        guard,
      ),
    ),
  ];
}

function accountStatusStatement(
  db: D1Database,
  accountId: string,
  to: 'past_due' | 'paused' | 'archived' | 'active',
  from: string[],
  guard: Guard,
): D1PreparedStatement {
  return statement(
    db,
    `UPDATE accounts SET status = ?, updated_at = ? WHERE id = ? AND status IN (${from.map(() => '?').join(', ')}) AND ${guard.sql}`,
    to,
    Date.now(),
    accountId,
    ...from,
    ...guard.binds,
  );
}

async function ownerEmail(db: D1Database, accountId: string): Promise<string | null> {
  const row = await queryFirst<{ email: string }>(
    db,
    "SELECT u.email FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.account_id = ? AND m.role = 'owner' ORDER BY m.created_at LIMIT 1",
    accountId,
  );
  return row?.email ?? null;
}

/** Why the invoice's last payment failed, in the card network's words, from its PaymentIntent. */
export async function paymentFailureReason(scope: BillingScope, invoiceId: string): Promise<string> {
  try {
    const invoice = await scope.stripe.invoices.retrieve(invoiceId, { expand: ['payments'] });
    const payments = invoice.payments?.data ?? [];
    const ref = payments.find((p) => p.is_default)?.payment.payment_intent ?? payments[0]?.payment.payment_intent;
    if (!ref) return 'No card on file could pay it.';
    const intent = typeof ref === 'string' ? await scope.stripe.paymentIntents.retrieve(ref) : ref;
    return intent.last_payment_error?.message ?? 'The payment did not go through.';
  } catch (err) {
    log.warn('could not read why a payment failed', { invoice: invoiceId, error: err instanceof Error ? err.message : String(err) });
    return 'The payment did not go through.';
  }
}

// ------------------------------------------------------------------ day 0

/**
 * Opens the case for a subscription invoice that failed (webhook
 * invoice.payment_failed, re-read from Stripe): the account becomes past_due
 * and the first retry is due 24 hours after the invoice was charged. Opening
 * the same invoice's case again changes nothing.
 */
export async function startDunning(scope: BillingScope, accountId: string, invoice: Stripe.Invoice, planBefore: string): Promise<DunningCaseRow | null> {
  const existing = await caseForInvoice(scope.db, invoice.id);
  if (existing) return existing;
  const startedAt = invoice.created * 1000;
  const amount = invoice.amount_remaining * MICROS_PER_CENT;
  const reason = await paymentFailureReason(scope, invoice.id);
  const now = Date.now();
  const c: DunningCaseRow = {
    id: createId('dunningCase'),
    account_id: accountId,
    stripe_account: scope.stripeAccount,
    invoice_id: invoice.id,
    subscription_id: invoiceSubscriptionId(invoice),
    plan_before: planBefore,
    amount_due_micros: amount,
    status: 'open',
    stage: 'past_due',
    failures: 1,
    started_at: startedAt,
    next_action: 'retry',
    next_action_at: startedAt + DUNNING_SCHEDULE.firstRetryAfterMs,
    lease_until: null,
    last_error: reason,
    resolved_at: null,
    created_at: now,
    updated_at: now,
  };
  const guard = caseGuard(c.id, "status = 'open' AND failures = 1");
  const planName = findPlan(scope.catalogue, planBefore)?.name ?? planBefore;
  await scope.db.batch([
    // One open case per account and per invoice: a concurrent opener's insert is dropped and its guarded effects with it.
    statement(
      scope.db,
      `INSERT INTO dunning_cases (id, account_id, stripe_account, invoice_id, subscription_id, plan_before, amount_due_micros, status, stage, failures,
         started_at, next_action, next_action_at, last_error, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, 'open', 'past_due', 1, ?, 'retry', ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
      c.id,
      c.account_id,
      c.stripe_account,
      c.invoice_id,
      c.subscription_id,
      c.plan_before,
      c.amount_due_micros,
      c.started_at,
      c.next_action_at,
      c.last_error,
      now,
      now,
    ),
    accountStatusStatement(scope.db, accountId, 'past_due', ['active'], guard),
    ...stepStatements(
      scope.db,
      c,
      'failure_1',
      startedAt,
      guard,
      [
        {
          kind: 'payment_failed',
          message: `Payment of ${usd(amount)} for the ${planName} plan failed: ${reason} We'll retry on ${formatDay(c.next_action_at as number)} (in 24 hours). Updating the card in Billing settles it sooner.`,
          data: { attempt: 1, amount: formatUsd(amount), reason, next_retry_at: new Date(c.next_action_at as number).toISOString() },
        },
      ],
      reason,
    ),
  ]);
  return (await caseForInvoice(scope.db, invoice.id)) ?? openDunningCase(scope.db, accountId);
}

// ------------------------------------------------------------------ the steps

type RetryOutcome = { paid: true } | { paid: false; reason: string };

/** One retry of the invoice, charged to the customer's current default card. */
async function retryInvoice(scope: BillingScope, c: DunningCaseRow, attempt: number): Promise<RetryOutcome> {
  try {
    const invoice = await scope.stripe.invoices.pay(c.invoice_id, {}, { idempotencyKey: `dunning:${c.id}:attempt:${attempt}` });
    return invoice.status === 'paid' ? { paid: true } : { paid: false, reason: 'The invoice is still open after the attempt.' };
  } catch (err) {
    if (err instanceof Stripe.errors.StripeCardError) return { paid: false, reason: err.message || 'The card was declined.' };
    if (err instanceof Stripe.errors.StripeInvalidRequestError) {
      if (err.code === 'invoice_already_paid') return { paid: true };
      return { paid: false, reason: err.message };
    }
    // Stripe unreachable or failing: no attempt was counted; the case is tried again later.
    throw err;
  }
}

/** Failures 2 to 4: the step each failed retry takes. */
async function recordFailure(scope: BillingScope, c: DunningCaseRow, attempt: number, now: number, reason: string): Promise<void> {
  const db = scope.db;
  const guard = caseGuard(c.id, "status = 'open' AND failures = ?", attempt);
  const move = (stage: DunningStage, nextAction: 'retry' | 'archive', nextAt: number) =>
    statement(
      db,
      `UPDATE dunning_cases SET failures = ?, stage = ?, next_action = ?, next_action_at = ?, last_error = ?, updated_at = ?
        WHERE id = ? AND status = 'open' AND failures = ?`,
      attempt,
      stage,
      nextAction,
      nextAt,
      reason,
      Date.now(),
      c.id,
      attempt - 1,
    );
  const dayOf = (ms: number) => Math.floor((ms - c.started_at) / DAY_MS);
  const planName = findPlan(scope.catalogue, c.plan_before)?.name ?? c.plan_before;
  const attemptData = { attempt, reason };

  if (attempt === 2) {
    // From when this retry was due, not when the sweep got to it: the schedule stays the PRD's to the second.
    const nextAt = (c.next_action_at ?? now) + DUNNING_SCHEDULE.secondRetryAfterMs;
    const email = await ownerEmail(db, c.account_id);
    const warning = `Your payment of ${usd(c.amount_due_micros)} for ${planName} failed twice (${reason.replace(/\.$/, '')}). We'll try again on ${formatDay(nextAt)}. If that fails too, automations pause; update your card in Billing to keep everything running.`;
    await db.batch([
      move('warned', 'retry', nextAt),
      ...stepStatements(
        db,
        c,
        'failure_2',
        now,
        guard,
        [
          {
            kind: 'payment_failed',
            message: `Second payment attempt failed: ${reason} Next retry on ${formatDay(nextAt)} (in 48 hours).`,
            data: { ...attemptData, next_retry_at: new Date(nextAt).toISOString() },
          },
          {
            key: 'warning_email',
            kind: 'warning_email_queued',
            message: `Payment warning emailed to ${email ?? 'the account owner'} (and posted to the account's notifications): the payment failed twice and automations pause if the next retry fails.`,
            data: { to: email },
          },
        ],
        reason,
      ),
      // The notice (kind billing.payment_warning), once per case; GET /api/notifications shows it, and it is emailed.
      statement(
        db,
        `INSERT INTO notifications (id, account_id, kind, message, dedupe_key, created_at, email_status, email_next_at)
         SELECT ?, ?, 'billing.payment_warning', ?, ?, ?, 'pending', ? WHERE ${guard.sql} ON CONFLICT (dedupe_key) DO NOTHING`,
        createId('notification'),
        c.account_id,
        warning,
        `dunning:${c.id}:warning_email`,
        Date.now(),
        Date.now(),
        ...guard.binds,
      ),
    ]);
    await sendNoticeEmailsSoon(scope.env, c.account_id);
    return;
  }

  if (attempt === 3) {
    const nextAt = c.started_at + DUNNING_SCHEDULE.finalRetryDay * DAY_MS;
    await db.batch([
      move('paused', 'retry', nextAt),
      accountStatusStatement(db, c.account_id, 'paused', ['active', 'past_due'], guard),
      ...stepStatements(
        db,
        c,
        'failure_3',
        now,
        guard,
        [
          {
            kind: 'account_paused',
            message: `Third payment attempt failed (${reason}). Automations are paused until the invoice is paid; you can still sign in, see everything and pay. Last retry on ${formatDay(nextAt)} (day ${DUNNING_SCHEDULE.finalRetryDay}).`,
            data: { ...attemptData, next_retry_at: new Date(nextAt).toISOString() },
          },
        ],
        reason,
      ),
    ]);
    return;
  }

  // Failure 4 (day 7): down to Free. The subscription is cancelled so nothing more is billed; the unpaid invoice stays payable.
  const archiveAt = c.started_at + DUNNING_SCHEDULE.archiveDay * DAY_MS;
  await cancelForDunning(scope, c);
  const guard4 = caseGuard(c.id, "status = 'open' AND failures = 4");
  await db.batch([
    move('downgraded', 'archive', archiveAt),
    statement(
      db,
      `UPDATE subscriptions SET plan = 'free', cancel_at_period_end = 0, updated_at = ? WHERE account_id = ? AND ${guard4.sql}`,
      Date.now(),
      c.account_id,
      ...guard4.binds,
    ),
    ...stepStatements(
      db,
      c,
      'failure_4',
      now,
      guard4,
      [
        {
          kind: 'downgraded_to_free',
          message: `Fourth payment attempt failed (day ${dayOf(now)}). The account moved from ${planName} to Free and keeps all its data; over-limit records stay, new ones beyond Free's limits are refused. Unless ${usd(c.amount_due_micros)} is paid, it will be archived on ${formatDay(archiveAt)} (day ${DUNNING_SCHEDULE.archiveDay}).`,
          data: { ...attemptData, plan_before: c.plan_before, archive_at: new Date(archiveAt).toISOString() },
        },
      ],
      reason,
    ),
  ]);
}

async function cancelForDunning(scope: BillingScope, c: DunningCaseRow): Promise<void> {
  if (!c.subscription_id) return;
  const sub = await scope.stripe.subscriptions.retrieve(c.subscription_id);
  if (sub.status === 'canceled' || sub.status === 'incomplete_expired') return;
  await scope.stripe.subscriptions.cancel(
    c.subscription_id,
    { cancellation_details: { comment: DUNNING_CANCEL_COMMENT } },
    { idempotencyKey: `dunning:${c.id}:cancel` },
  );
}

/** Day 30: read-only. Nothing is deleted; paying still brings the account back. */
async function archive(scope: BillingScope, c: DunningCaseRow, now: number): Promise<void> {
  const db = scope.db;
  const guard = caseGuard(c.id, "status = 'open' AND stage = 'archived'");
  await db.batch([
    statement(
      db,
      "UPDATE dunning_cases SET stage = 'archived', next_action = NULL, next_action_at = NULL, updated_at = ? WHERE id = ? AND status = 'open' AND stage = 'downgraded'",
      Date.now(),
      c.id,
    ),
    accountStatusStatement(db, c.account_id, 'archived', ['active', 'past_due', 'paused'], guard),
    ...stepStatements(db, c, 'archived', now, guard, [
      {
        kind: 'account_archived',
        message: `Archived after ${DUNNING_SCHEDULE.archiveDay} days unpaid: the account is read-only and nothing has been deleted. Paying ${usd(c.amount_due_micros)} in Billing makes it active again.`,
      },
    ]),
  ]);
}

/**
 * The invoice was paid (by a retry, by the customer in Billing, or anywhere
 * else Stripe saw it): the case is recovered and the account active again.
 * After a downgrade, the plan comes back for the period the invoice paid for.
 */
export async function resolveDunning(scope: BillingScope, c: DunningCaseRow, invoice: Stripe.Invoice, how: 'retry' | 'customer' | 'webhook'): Promise<void> {
  const db = scope.db;
  const now = await scope.now();
  const guard = caseGuard(c.id, "status = 'recovered'");
  const amount = invoice.amount_paid * MICROS_PER_CENT;
  await db.batch([
    statement(
      db,
      "UPDATE dunning_cases SET status = 'recovered', stage = 'recovered', next_action = NULL, next_action_at = NULL, resolved_at = ?, updated_at = ? WHERE id = ? AND status = 'open'",
      now,
      Date.now(),
      c.id,
    ),
    statement(
      db,
      `UPDATE accounts SET status = 'active', updated_at = ? WHERE id = ? AND status != 'active' AND ${guard.sql}
         AND NOT EXISTS (SELECT 1 FROM dunning_cases o WHERE o.account_id = ? AND o.status = 'open')`,
      Date.now(),
      c.account_id,
      ...guard.binds,
      c.account_id,
    ),
    ...stepStatements(
      db,
      c,
      'recovered',
      now,
      guard,
      [
        {
          kind: 'payment_recovered',
          message: `Payment of ${usd(amount || c.amount_due_micros)} received${invoice.number ? ` (invoice ${invoice.number})` : ''}${how === 'retry' ? ' on retry' : ''}. The account is active again${c.failures >= 3 ? ' and automations have resumed' : ''}.`,
          data: { how, amount: formatUsd(amount || c.amount_due_micros) },
        },
      ],
      how,
    ),
  ]);
  const after = await getCase(db, c.id);
  if (after?.status === 'recovered' && after.failures >= 4) await restorePlan(scope, after, invoice, now);
}

/**
 * After a downgrade was paid for: the plan the account had comes back, free
 * until the end of the period that invoice paid for (a subscription whose
 * trial ends then), so nothing is charged twice. When that period is already
 * over, the account stays on Free and chooses a plan again.
 */
async function restorePlan(scope: BillingScope, c: DunningCaseRow, invoice: Stripe.Invoice, now: number): Promise<void> {
  const db = scope.db;
  const done = await queryFirst<{ step: string }>(
    db,
    "SELECT step FROM dunning_steps WHERE case_id = ? AND step IN ('plan_restored', 'plan_not_restored')",
    c.id,
  );
  if (done) return;
  const guard = caseGuard(c.id, "status = 'recovered'");
  const row = await getSubscriptionRow(db, c.account_id);
  const plan = findPlan(scope.catalogue, c.plan_before);
  const paidThrough = Math.max(0, ...invoice.lines.data.map((l) => l.period.end)) * 1000;
  if (!plan || plan.id === 'free' || isLiveStatus(row?.stripe_status) || paidThrough <= now + HOUR_MS) {
    await db.batch(
      stepStatements(db, c, 'plan_not_restored', now, guard, [
        {
          kind: 'plan_restored',
          key: 'plan_not_restored',
          message: `The account stays on ${row && isLiveStatus(row.stripe_status) ? 'its current plan' : 'Free'}; choose a plan in Billing to get ${plan?.name ?? 'its'} features back.`,
        },
      ]),
    );
    return;
  }
  const profile = await scope.customer(c.account_id);
  const price = await ensurePlanPrice(scope, plan, planAmountMicros(plan, row?.custom_price_micros ?? null), c.account_id);
  const sub = await scope.stripe.subscriptions.create(
    {
      customer: profile.stripe_customer_id,
      items: [{ price }],
      trial_end: Math.floor(paidThrough / 1000),
      metadata: { account_id: c.account_id, plan: plan.id, restored_from: c.id },
      ...scope.subscriptionParams,
    },
    { idempotencyKey: `dunning:${c.id}:restore` },
  );
  await syncSubscription(scope, c.account_id, sub, { bumpVersion: true });
  await db.batch(
    stepStatements(db, c, 'plan_restored', now, guard, [
      {
        kind: 'plan_restored',
        message: `${plan.name} is back: the paid invoice covers it until ${formatDay(paidThrough)}, when the next charge is made.`,
        data: { plan: plan.id, paid_through: new Date(paidThrough).toISOString() },
      },
    ]),
  );
}

/** A case whose invoice was voided (not by us): nothing is owed any more; the account is active again. */
async function closeVoided(scope: BillingScope, c: DunningCaseRow, now: number): Promise<void> {
  const db = scope.db;
  const guard = caseGuard(c.id, "status = 'closed'");
  await db.batch([
    statement(
      db,
      "UPDATE dunning_cases SET status = 'closed', stage = 'closed', next_action = NULL, next_action_at = NULL, resolved_at = ?, updated_at = ? WHERE id = ? AND status = 'open'",
      now,
      Date.now(),
      c.id,
    ),
    statement(
      db,
      `UPDATE accounts SET status = 'active', updated_at = ? WHERE id = ? AND status != 'active' AND ${guard.sql}`,
      Date.now(),
      c.account_id,
      ...guard.binds,
    ),
    ...stepStatements(db, c, 'closed', now, guard, [
      { kind: 'payment_recovered', message: 'The unpaid invoice was voided; nothing is owed and the account is active again.' },
    ]),
  ]);
}

// ------------------------------------------------------------------ the engine

export type AdvanceResult = 'busy' | 'not_due' | 'retried_paid' | 'retried_failed' | 'archived' | 'resolved' | 'closed' | 'done';

/**
 * Takes the case's next action if it is due on the billing clock: re-reads
 * the invoice (paid elsewhere → recovered), then retries it or archives.
 * Holds a short lease so one worker acts on a case at a time; a Stripe
 * outage throws with nothing counted, and the case is simply tried again.
 */
export async function advanceDunningCase(scope: BillingScope, caseId: string): Promise<AdvanceResult> {
  const wall = Date.now();
  const leased = await scope.db
    .prepare("UPDATE dunning_cases SET lease_until = ? WHERE id = ? AND status = 'open' AND (lease_until IS NULL OR lease_until < ?)")
    .bind(wall + LEASE_MS, caseId, wall)
    .run();
  if (leased.meta.changes !== 1) return 'busy';
  try {
    const c = await getCase(scope.db, caseId);
    if (c?.status !== 'open') return 'done';
    const now = await scope.now();
    if (c.next_action === null || c.next_action_at === null || c.next_action_at > now) return 'not_due';
    const invoice = await scope.stripe.invoices.retrieve(c.invoice_id);
    if (invoice.status === 'paid') {
      await resolveDunning(scope, c, invoice, 'webhook');
      return 'resolved';
    }
    if (invoice.status === 'void') {
      await closeVoided(scope, c, now);
      return 'closed';
    }
    if (c.next_action === 'archive') {
      await archive(scope, c, now);
      return 'archived';
    }
    const attempt = c.failures + 1;
    const outcome = await retryInvoice(scope, c, attempt);
    if (outcome.paid) {
      await resolveDunning(scope, c, await scope.stripe.invoices.retrieve(c.invoice_id), 'retry');
      return 'retried_paid';
    }
    await recordFailure(scope, c, attempt, now, outcome.reason);
    return 'retried_failed';
  } finally {
    await scope.db.prepare('UPDATE dunning_cases SET lease_until = NULL WHERE id = ?').bind(caseId).run();
  }
}

/** What the billing Queue carries. */
export interface BillingJob {
  kind: 'dunning.advance';
  case_id: string;
}

export interface SweepResult {
  now: string;
  due_cases: number;
  results: Record<string, AdvanceResult | 'error'>;
  trials_ended: number;
}

/**
 * The billing sweep (cron every minute; in tests and the sandbox, on
 * demand): ends trials that ran out and advances every dunning case whose
 * next action is due. With a queue, each case becomes a message; `inline`
 * advances them here and reports how each went.
 */
/** The scopes of the Stripe accounts cases are on, each built once per run (null: an account no agency uses any more). */
function scopeCache(env: Env): (stripeAccount: string | null) => Promise<BillingScope | null> {
  const scopes = new Map<string, Promise<BillingScope | null>>();
  return (stripeAccount) => {
    const key = stripeAccount ?? '';
    if (!scopes.has(key)) scopes.set(key, scopeForStripeAccount(env, stripeAccount));
    return scopes.get(key) as Promise<BillingScope | null>;
  };
}

export async function runBillingSweep(env: Env, options: { inline?: boolean; queue?: Queue<BillingJob> } = {}): Promise<SweepResult> {
  const platform = platformBilling(env);
  // One clock: connected accounts' follow the platform's (and both are the wall clock live).
  const now = await platform.now();
  // Trials run on the wall clock (from the account's creation), not the billing clock: moving the
  // sandbox's Stripe clock forward must not expire the trial of an account created a minute ago.
  const trialsEnded = await endExpiredTrials(platform, Date.now());
  const wall = Date.now();
  // Cases on the platform's account and on agencies' connected accounts (sub-accounts on agency tiers).
  const due = await queryAll<{ id: string; stripe_account: string | null }>(
    platform.db,
    `SELECT id, stripe_account FROM dunning_cases WHERE status = 'open' AND next_action_at <= ? AND (lease_until IS NULL OR lease_until < ?)
      ORDER BY next_action_at LIMIT 100`,
    now,
    wall,
  );
  const results: SweepResult['results'] = {};
  if (!options.inline && options.queue) {
    if (due.length > 0) await options.queue.sendBatch(due.map(({ id }) => ({ body: { kind: 'dunning.advance', case_id: id } satisfies BillingJob })));
  } else {
    const scopeOf = scopeCache(env);
    for (const { id, stripe_account } of due) {
      try {
        const scope = await scopeOf(stripe_account);
        if (!scope) {
          log.warn('dunning case on a Stripe account no agency uses', { case_id: id, stripe_account });
          results[id] = 'error';
          continue;
        }
        results[id] = await advanceDunningCase(scope, id);
      } catch (err) {
        results[id] = 'error';
        log.error('dunning step failed', { case_id: id, error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) });
      }
    }
  }
  return { now: new Date(now).toISOString(), due_cases: due.length, results, trials_ended: trialsEnded };
}

/** Queue consumer: one case per message; a failure is retried later (the case is idempotent at every step). */
export async function handleBillingJobs(batch: MessageBatch<BillingJob>, env: Env): Promise<void> {
  const scopeOf = scopeCache(env);
  for (const message of batch.messages) {
    try {
      const c = await getCase(env.DB, message.body.case_id);
      const scope = c ? await scopeOf(c.stripe_account) : null;
      if (scope) await advanceDunningCase(scope, message.body.case_id);
      else log.warn('dunning job for a case no scope can bill', { case_id: message.body.case_id });
      message.ack();
    } catch (err) {
      log.error('dunning job failed', { case_id: message.body.case_id, error: err instanceof Error ? err.message : String(err) });
      message.retry({ delaySeconds: 60 });
    }
  }
}

/**
 * Accounts whose trial ran out without a subscription move to Free (a
 * subscriptions row with plan free), each once, with a timeline entry.
 * `now` is wall-clock time, like the accounts' created_at.
 */
async function endExpiredTrials(scope: BillingScope, now: number): Promise<number> {
  const cutoff = now - scope.catalogue.trialDays * DAY_MS;
  const expired = await queryAll<{ id: string; kind: 'business' | 'agency'; created_at: number }>(
    scope.db,
    `SELECT a.id, a.kind, a.created_at FROM accounts a
      WHERE a.kind != 'sub_account' AND a.created_at <= ? AND NOT EXISTS (SELECT 1 FROM subscriptions s WHERE s.account_id = a.id)
      LIMIT 200`,
    cutoff,
  );
  for (const account of expired) {
    const trialPlan = account.kind === 'agency' ? scope.catalogue.plans.agency : scope.catalogue.plans.professional;
    const free = scope.catalogue.plans.free;
    const endedAt = account.created_at + scope.catalogue.trialDays * DAY_MS;
    await scope.db.batch([
      statement(
        scope.db,
        "INSERT INTO subscriptions (account_id, plan, created_at, updated_at) VALUES (?, 'free', ?, ?) ON CONFLICT (account_id) DO NOTHING",
        account.id,
        Date.now(),
        Date.now(),
      ),
      billingEventStatement(scope.db, {
        accountId: account.id,
        kind: 'trial_ended',
        message: `The ${scope.catalogue.trialDays}-day ${trialPlan.name} trial ended. The account is on Free (${free.limits.contacts} contacts, ${free.limits.users} user, core CRM) and keeps all its data; choose a plan to get ${trialPlan.name}'s features back.`,
        data: { trial_plan: trialPlan.id },
        dedupeKey: `trial-ended:${account.id}`,
        occurredAt: endedAt,
      }),
    ]);
  }
  return expired.length;
}
