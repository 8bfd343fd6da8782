import { AppError } from '../platform/errors';
import { createId } from '../platform/ids';
import { displayUsd, formatUsd } from '../platform/money';
import { queryAll, queryFirst } from '../platform/db';
import { quoteUsage } from './pricing';
import type { UsageResource } from './price-book';
import { ensureWallet, refusalError } from './wallet.service';

export interface UsageChargeRow {
  id: string;
  account_id: string;
  agency_account_id: string | null;
  resource_type: UsageResource;
  resource_id: string;
  quantity: number;
  customer_amount_micros: number;
  platform_amount_micros: number;
  attempt: number;
  status: 'pending' | 'charged' | 'refused';
  customer_transaction_id: string | null;
  platform_transaction_id: string | null;
  failure: string | null;
  created_at: number;
  updated_at: number;
}

export interface UsageInput {
  accountId: string;
  resource: UsageResource;
  quantity: number;
  /** The provider's id for what was used (a Twilio message SID, an ESP message id...). */
  resourceId: string;
}

/** Lets a test stop the saga between its legs, the way a worker dying there would. */
export interface SagaHooks {
  afterLeg?: (leg: 'customer' | 'platform') => void;
}

async function readCharge(db: D1Database, input: Pick<UsageInput, 'accountId' | 'resource' | 'resourceId'>): Promise<UsageChargeRow | null> {
  return queryFirst<UsageChargeRow>(
    db,
    'SELECT * FROM usage_charges WHERE account_id = ? AND resource_type = ? AND resource_id = ?',
    input.accountId,
    input.resource,
    input.resourceId,
  );
}

async function finish(
  db: D1Database,
  id: string,
  fields: Partial<Pick<UsageChargeRow, 'status' | 'customer_transaction_id' | 'platform_transaction_id' | 'failure'>>,
): Promise<void> {
  const entries = Object.entries(fields);
  await db
    .prepare(`UPDATE usage_charges SET ${entries.map(([k]) => `${k} = ?`).join(', ')}, updated_at = ? WHERE id = ?`)
    .bind(...entries.map(([, v]) => v ?? null), Date.now(), id)
    .run();
}

const legKey = (charge: UsageChargeRow, leg: 'customer' | 'platform') =>
  `usage:${charge.resource_type}:${charge.resource_id}:${charge.attempt}${leg === 'platform' ? `:${charge.account_id}` : ''}`;

/**
 * Runs (or resumes) the legs of one usage charge. Each leg is a wallet debit
 * keyed by the charge and attempt, so running this twice charges nothing twice.
 * If the agency cannot cover the platform leg, the customer leg is refunded.
 */
export async function runLegs(env: Env, charge: UsageChargeRow, hooks: SagaHooks = {}): Promise<UsageChargeRow> {
  const customer = await ensureWallet(env, charge.account_id);
  const customerLeg = await customer.stub.debit({
    idempotencyKey: legKey(charge, 'customer'),
    amountMicros: charge.customer_amount_micros,
    resourceType: charge.resource_type,
    resourceId: charge.resource_id,
    quantity: charge.quantity,
    description: `${charge.quantity} × ${charge.resource_type}`,
  });
  if (!customerLeg.ok) {
    await finish(env.DB, charge.id, { status: 'refused', failure: customerLeg.code });
    throw refusalError(customerLeg);
  }
  hooks.afterLeg?.('customer');
  let platformTransactionId: string | null = null;
  if (charge.agency_account_id) {
    const agency = await ensureWallet(env, charge.agency_account_id);
    const platformLeg = await agency.stub.debit({
      idempotencyKey: legKey(charge, 'platform'),
      amountMicros: charge.platform_amount_micros,
      resourceType: charge.resource_type,
      resourceId: charge.resource_id,
      quantity: charge.quantity,
      description: `${charge.quantity} × ${charge.resource_type} for ${charge.account_id}`,
    });
    if (!platformLeg.ok) {
      const refund = await customer.stub.refund({
        idempotencyKey: `${legKey(charge, 'customer')}:refund`,
        transactionId: customerLeg.transaction.id,
        description: 'Agency wallet could not cover this usage',
      });
      if (!refund.ok && refund.code !== 'refund_exceeds_debit') throw new Error(`compensating refund failed: ${refund.message}`);
      await finish(env.DB, charge.id, { status: 'refused', failure: `agency_${platformLeg.code}` });
      throw new AppError(
        'insufficient_funds',
        `Your agency's wallet cannot cover this usage (${displayUsd(charge.platform_amount_micros)}). Ask your agency to add funds.`,
      );
    }
    platformTransactionId = platformLeg.transaction.id;
    hooks.afterLeg?.('platform');
  }
  await finish(env.DB, charge.id, {
    status: 'charged',
    customer_transaction_id: customerLeg.transaction.id,
    platform_transaction_id: platformTransactionId,
    failure: null,
  });
  return { ...charge, status: 'charged', customer_transaction_id: customerLeg.transaction.id, platform_transaction_id: platformTransactionId, failure: null };
}

/**
 * The one metering entry point: charge an account for usage it caused.
 * Idempotent on (account, resource, resourceId): a repeat returns the
 * original charge. Throws `insufficient_funds` (and charges nothing) when
 * the wallet — or, for a sub-account, its agency's wallet — cannot pay.
 *
 * @example await chargeUsage(env, { accountId, resource: 'sms_outbound', quantity: 1, resourceId: message.sid })
 */
export async function chargeUsage(env: Env, input: UsageInput, hooks: SagaHooks = {}): Promise<UsageChargeRow> {
  if (!Number.isSafeInteger(input.quantity) || input.quantity <= 0) throw new AppError('validation_failed', 'Usage quantity must be a positive integer.');
  let charge = await readCharge(env.DB, input);
  if (!charge) {
    const quote = await quoteUsage(env.DB, input.accountId, input.resource, input.quantity);
    const now = Date.now();
    await env.DB.prepare(
      `INSERT INTO usage_charges (id, account_id, agency_account_id, resource_type, resource_id, quantity, customer_amount_micros, platform_amount_micros,
         status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)
       ON CONFLICT (account_id, resource_type, resource_id) DO NOTHING`,
    )
      .bind(
        createId('usageCharge'),
        input.accountId,
        quote.agencyAccountId,
        input.resource,
        input.resourceId,
        input.quantity,
        quote.customerMicros,
        quote.platformMicros,
        now,
        now,
      )
      .run();
    charge = (await readCharge(env.DB, input)) as UsageChargeRow;
  }
  if (charge.status === 'charged') return charge;
  if (charge.status === 'refused') {
    // A fresh attempt with fresh leg keys; the refused one netted to zero.
    await env.DB.prepare(
      "UPDATE usage_charges SET status = 'pending', attempt = attempt + 1, failure = NULL, customer_transaction_id = NULL, platform_transaction_id = NULL, updated_at = ? WHERE id = ? AND status = 'refused'",
    )
      .bind(Date.now(), charge.id)
      .run();
    charge = (await readCharge(env.DB, input)) as UsageChargeRow;
    if (charge.status === 'charged') return charge;
  }
  return runLegs(env, charge, hooks);
}

/**
 * Refuses up front work whose usage the wallets could not pay for, so nothing
 * runs unpaid: the account's wallet must hold its price and, for a
 * sub-account, the agency's wallet the platform price. (The charge itself
 * still happens afterwards through `chargeUsage`, with the real quantity.)
 */
export async function assertCanAfford(env: Env, accountId: string, resource: UsageResource, quantity: number): Promise<void> {
  const quote = await quoteUsage(env.DB, accountId, resource, quantity);
  const own = await (await ensureWallet(env, accountId)).stub.balance();
  if (own.available_micros < quote.customerMicros) {
    throw new AppError(
      'insufficient_funds',
      `This needs up to ${displayUsd(quote.customerMicros)} and the wallet has ${displayUsd(own.available_micros)} available. Add funds to the wallet to continue.`,
      {
        extensions: { available: formatUsd(own.available_micros), required: formatUsd(quote.customerMicros) },
      },
    );
  }
  if (quote.agencyAccountId) {
    const agency = await (await ensureWallet(env, quote.agencyAccountId)).stub.balance();
    if (agency.available_micros < quote.platformMicros) {
      throw new AppError('insufficient_funds', "Your agency's wallet cannot cover this usage. Ask your agency to add funds.");
    }
  }
}

/** Charges left pending (a worker died between legs) are finished by the reconciliation job. */
export const RESUME_PENDING_AFTER_MS = 30_000;

export async function resumePendingCharges(env: Env, now = Date.now()): Promise<{ resumed: number; refused: number }> {
  const pending = await queryAll<UsageChargeRow>(
    env.DB,
    "SELECT * FROM usage_charges WHERE status = 'pending' AND updated_at < ? ORDER BY updated_at LIMIT 200",
    now - RESUME_PENDING_AFTER_MS,
  );
  let refused = 0;
  for (const charge of pending) {
    try {
      await runLegs(env, charge);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      refused += 1;
    }
  }
  return { resumed: pending.length - refused, refused };
}
