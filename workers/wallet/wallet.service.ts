import type { WalletDO, WalletSnapshot } from '../../durable-objects/wallet/wallet.do';
import type { LedgerTransaction, Refusal } from '../../durable-objects/wallet/wallet.ledger';
import { AppError } from '../platform/errors';
import { createId } from '../platform/ids';
import { displayUsd, formatUsd } from '../platform/money';
import { queryFirst, toIso } from '../platform/db';
import { AUTO_RECHARGE_DAILY_LIMIT_MICROS } from './limits';

export type WalletStub = DurableObjectStub<WalletDO>;

/** Wallets known to exist in this isolate, so the hot path skips the D1 registry read. */
const opened = new Map<string, string>();

export function walletStub(env: Env, accountId: string): WalletStub {
  return env.WALLET.get(env.WALLET.idFromName(accountId));
}

/** The account's wallet, created on first use. Returns its id and a stub. */
export async function ensureWallet(env: Env, accountId: string): Promise<{ walletId: string; stub: WalletStub }> {
  const stub = walletStub(env, accountId);
  const known = opened.get(accountId);
  if (known) return { walletId: known, stub };
  let row = await queryFirst<{ id: string }>(env.DB, 'SELECT id FROM wallets WHERE account_id = ?', accountId);
  if (!row) {
    await env.DB.prepare('INSERT INTO wallets (id, account_id, created_at) VALUES (?, ?, ?) ON CONFLICT (account_id) DO NOTHING')
      .bind(createId('wallet'), accountId, Date.now())
      .run();
    row = await queryFirst<{ id: string }>(env.DB, 'SELECT id FROM wallets WHERE account_id = ?', accountId);
  }
  if (!row) throw new Error(`could not create a wallet for ${accountId}`);
  await stub.open({ walletId: row.id, accountId });
  opened.set(accountId, row.id);
  return { walletId: row.id, stub };
}

/** Turns a wallet refusal into the API's error. */
export function refusalError(refusal: Refusal): AppError {
  if (refusal.code === 'insufficient_funds') {
    return new AppError(
      'insufficient_funds',
      `The wallet has ${displayUsd(refusal.available_micros)} available and this needs ${displayUsd(refusal.required_micros)}. Add funds to the wallet to continue.`,
      { extensions: { available: formatUsd(refusal.available_micros), required: formatUsd(refusal.required_micros) } },
    );
  }
  if (refusal.code === 'idempotency_conflict') return new AppError('conflict', refusal.message);
  if (refusal.code === 'not_found') return new AppError('not_found', refusal.message);
  return new AppError('validation_failed', refusal.message);
}

export function serializeSnapshot(s: WalletSnapshot) {
  return {
    wallet_id: s.wallet_id,
    currency: 'USD' as const,
    balance: formatUsd(s.balance_micros),
    held: formatUsd(s.held_micros),
    available: formatUsd(s.available_micros),
    low_balance_threshold: formatUsd(s.low_balance_threshold_micros),
    auto_recharge: {
      enabled: s.auto_recharge.enabled,
      threshold: formatUsd(s.auto_recharge.threshold_micros),
      amount: formatUsd(s.auto_recharge.amount_micros),
      in_progress: s.auto_recharge.pending_recharge_id !== null,
      failure: s.auto_recharge.failure,
      daily_limit: formatUsd(AUTO_RECHARGE_DAILY_LIMIT_MICROS),
      paused_until: toIso(s.auto_recharge.paused_until),
    },
  };
}

export function serializeTransaction(tx: LedgerTransaction) {
  return {
    id: tx.id,
    type: tx.type,
    amount: formatUsd(tx.amount_micros),
    balance_after: formatUsd(tx.balance_after_micros),
    resource_type: tx.resource_type,
    resource_id: tx.resource_id,
    quantity: tx.quantity,
    reason: tx.reason,
    description: tx.description,
    refunds_transaction_id: tx.refunds_transaction_id,
    created_at: toIso(tx.created_at) as string,
  };
}
