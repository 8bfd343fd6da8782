/**
 * The wallet's rules as pure functions: what a command does to a wallet's
 * state, decided before anything is written. All amounts are integer
 * micro-dollars; a transaction's `amount_micros` is signed (credits and
 * refunds positive, debits negative), so the balance is their sum.
 */

export type TransactionType = 'credit' | 'debit' | 'refund';
export type CreditReason = 'top_up' | 'auto_recharge' | 'adjustment' | 'promotion';

export interface LedgerTransaction {
  id: string;
  seq: number;
  type: TransactionType;
  status: 'settled';
  amount_micros: number;
  balance_after_micros: number;
  resource_type: string | null;
  resource_id: string | null;
  quantity: number | null;
  idempotency_key: string;
  reason: string | null;
  source: string | null;
  description: string | null;
  hold_id: string | null;
  refunds_transaction_id: string | null;
  created_at: number;
}

export interface WalletState {
  wallet_id: string;
  account_id: string;
  balance_micros: number;
  held_micros: number;
  /** How far below zero the wallet may go (0: no overdraft). */
  credit_limit_micros: number;
  low_balance_threshold_micros: number;
  auto_recharge_enabled: number;
  auto_recharge_threshold_micros: number;
  auto_recharge_amount_micros: number;
  /** Set while one auto-recharge is in flight, so a second is never started. */
  pending_recharge_id: string | null;
  pending_recharge_started_at: number | null;
  /** Why the last auto-recharge failed; recharges stop until the owner acts. */
  recharge_failure: string | null;
  /** The daily auto-recharge limit was reached: no recharge starts before this instant (ms). */
  recharge_paused_until: number | null;
  low_balance_notified: number;
}

export interface DebitCommand {
  idempotencyKey: string;
  amountMicros: number;
  resourceType: string;
  resourceId: string;
  quantity?: number;
  description?: string;
}

export interface CreditCommand {
  idempotencyKey: string;
  amountMicros: number;
  reason: CreditReason;
  source: string;
  description?: string;
}

export interface RefundCommand {
  idempotencyKey: string;
  transactionId: string;
  /** Defaults to the rest of the original debit. */
  amountMicros?: number;
  description?: string;
}

export type Refusal =
  | { ok: false; code: 'insufficient_funds'; message: string; available_micros: number; required_micros: number }
  | { ok: false; code: 'idempotency_conflict' | 'invalid_amount' | 'not_found' | 'refund_exceeds_debit' | 'hold_not_open'; message: string };

export type Outcome = { ok: true; transaction: LedgerTransaction; replayed: boolean } | Refusal;

/**
 * What a batched debit answers per item: the transaction's id, seq, signed
 * amount and the balance after it, not the whole ledger row (the full row is
 * in list()). Keeps a 1,000-item reply small.
 */
export type DebitReceipt = { ok: true; replayed: boolean; id: string; seq: number; amount_micros: number; balance_after_micros: number } | Refusal;

export function toReceipt(outcome: Outcome): DebitReceipt {
  if (!outcome.ok) return outcome;
  const tx = outcome.transaction;
  return { ok: true, replayed: outcome.replayed, id: tx.id, seq: tx.seq, amount_micros: tx.amount_micros, balance_after_micros: tx.balance_after_micros };
}

/** Money the wallet can spend now: balance less open holds, plus any credit line. */
export function availableMicros(state: Pick<WalletState, 'balance_micros' | 'held_micros' | 'credit_limit_micros'>): number {
  return state.balance_micros - state.held_micros + state.credit_limit_micros;
}

export function invalidAmount(amount: number): Refusal | null {
  if (!Number.isSafeInteger(amount) || amount <= 0) {
    return { ok: false, code: 'invalid_amount', message: `Amounts are positive integer micro-dollars; got ${amount}.` };
  }
  return null;
}

export function insufficientFunds(state: WalletState, required: number): Refusal {
  const available = availableMicros(state);
  return {
    ok: false,
    code: 'insufficient_funds',
    message: `The wallet has ${available} micro-dollars available; this needs ${required}.`,
    available_micros: available,
    required_micros: required,
  };
}

/** A replayed key must describe the same command; anything else is a caller bug worth refusing loudly. */
export function replayConflict(
  existing: LedgerTransaction,
  expected: { type: TransactionType; amount_micros: number; resource_type?: string | null; resource_id?: string | null },
): Refusal | null {
  const same =
    existing.type === expected.type &&
    existing.amount_micros === expected.amount_micros &&
    (expected.resource_type === undefined || existing.resource_type === expected.resource_type) &&
    (expected.resource_id === undefined || existing.resource_id === expected.resource_id);
  if (same) return null;
  return {
    ok: false,
    code: 'idempotency_conflict',
    message: `Idempotency key ${existing.idempotency_key} was already used for a different ${existing.type} of ${Math.abs(existing.amount_micros)} micro-dollars.`,
  };
}

/**
 * Whether this balance change should start an auto-recharge: enabled, not
 * already running, not stopped by a failure, not paused by the daily limit,
 * and the balance went from at or above the threshold to below it (or sits
 * below it with nothing running).
 */
export function shouldStartRecharge(state: WalletState, balanceAfter: number, now: number): boolean {
  return (
    state.auto_recharge_enabled === 1 &&
    state.pending_recharge_id === null &&
    state.recharge_failure === null &&
    (state.recharge_paused_until === null || now >= state.recharge_paused_until) &&
    state.auto_recharge_amount_micros > 0 &&
    balanceAfter - state.held_micros < state.auto_recharge_threshold_micros
  );
}

/** Whether to tell the owner the balance is low: once per dip below the threshold. */
export function shouldNotifyLowBalance(state: WalletState, balanceAfter: number): boolean {
  return state.low_balance_notified === 0 && state.low_balance_threshold_micros > 0 && balanceAfter < state.low_balance_threshold_micros;
}
