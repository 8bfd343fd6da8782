import { DurableObject } from 'cloudflare:workers';
import { createId } from '../../workers/platform/ids';
import {
  availableMicros,
  insufficientFunds,
  invalidAmount,
  replayConflict,
  shouldNotifyLowBalance,
  shouldStartRecharge,
  toReceipt,
  type CreditCommand,
  type DebitReceipt,
  type DebitCommand,
  type LedgerTransaction,
  type Outcome,
  type Refusal,
  type RefundCommand,
  type WalletState,
} from './wallet.ledger';
import {
  addOutbox,
  findByKey,
  findByKeys,
  findById,
  findHold,
  insertDebits,
  insertTransaction,
  lastSeq,
  migrate,
  readState,
  recomputeTotals,
  setBalance,
  type HoldRow,
} from './wallet.store';
import type { WalletQueueMessage } from './wallet.messages';

export interface WalletSnapshot {
  wallet_id: string;
  account_id: string;
  balance_micros: number;
  held_micros: number;
  available_micros: number;
  credit_limit_micros: number;
  low_balance_threshold_micros: number;
  auto_recharge: {
    enabled: boolean;
    threshold_micros: number;
    amount_micros: number;
    pending_recharge_id: string | null;
    failure: string | null;
    /** The daily limit was reached: nothing is recharged before this instant (ms). */
    paused_until: number | null;
  };
}

export type HoldOutcome = { ok: true; hold: HoldRow; replayed: boolean } | Refusal;

export interface ListQuery {
  /** Only transactions with seq below this (newest first paging). */
  beforeSeq?: number;
  /** Only transactions with seq above this (oldest first, for projections). */
  afterSeq?: number;
  limit: number;
  resourceType?: string;
  fromMs?: number;
  toMs?: number;
}

const PUBLISH_BATCH = 100;
const PUBLISH_PER_ALARM = 5_000;

/**
 * One wallet, serialized: every balance change happens inside this object,
 * one at a time, in a SQLite transaction with the ledger row it belongs to.
 * Rules live in wallet.ledger.ts; this class applies them and keeps the
 * outbox (ledger rows past `published_seq`, plus notices) drained by alarm.
 */
export class WalletDO extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private alarmPending = false;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    ctx.blockConcurrencyWhile(async () => {
      migrate(this.sql);
      this.alarmPending = (await ctx.storage.getAlarm()) !== null;
    });
  }

  /** Creates the wallet on first use; later calls change nothing. */
  open(input: { walletId: string; accountId: string }): WalletSnapshot {
    this.sql.exec('INSERT INTO state (id, wallet_id, account_id) VALUES (1, ?, ?) ON CONFLICT (id) DO NOTHING', input.walletId, input.accountId);
    return this.snapshot();
  }

  balance(): WalletSnapshot {
    return this.snapshot();
  }

  credit(cmd: CreditCommand): Outcome {
    const outcome = this.ctx.storage.transactionSync(() => this.applyCredit(cmd));
    this.afterWrite();
    return outcome;
  }

  debit(cmd: DebitCommand): Outcome {
    const outcome = this.ctx.storage.transactionSync(() => this.applyDebit(this.state(), cmd));
    this.afterWrite();
    return outcome;
  }

  /**
   * Many debits in one call (bulk sends): each is applied or refused on its
   * own, in order, with the same rules as `debit`, in one SQLite transaction.
   * The rules run per item in memory; the storage work is per batch: one
   * idempotency lookup, one INSERT of every new row, one balance write.
   * Each item answers a receipt (id, seq, amount, balance after).
   */
  debitMany(cmds: DebitCommand[]): DebitReceipt[] {
    const outcomes = this.ctx.storage.transactionSync(() => {
      const state = this.state();
      const known = findByKeys(
        this.sql,
        cmds.map((c) => c.idempotencyKey),
      );
      let seq = lastSeq(this.sql);
      const now = Date.now();
      const fresh: LedgerTransaction[] = [];
      const out = cmds.map((cmd): Outcome => {
        const existing = known.get(cmd.idempotencyKey);
        if (existing) {
          return (
            replayConflict(existing, { type: 'debit', amount_micros: -cmd.amountMicros, resource_type: cmd.resourceType, resource_id: cmd.resourceId }) ?? {
              ok: true,
              transaction: existing,
              replayed: true,
            }
          );
        }
        const bad = invalidAmount(cmd.amountMicros);
        if (bad) return bad;
        if (cmd.amountMicros > availableMicros(state)) return this.refuseForFunds(state, cmd.amountMicros);
        state.balance_micros -= cmd.amountMicros;
        const tx: LedgerTransaction = {
          id: createId('walletTransaction'),
          seq: ++seq,
          type: 'debit',
          status: 'settled',
          amount_micros: -cmd.amountMicros,
          balance_after_micros: state.balance_micros,
          resource_type: cmd.resourceType,
          resource_id: cmd.resourceId,
          quantity: cmd.quantity ?? null,
          idempotency_key: cmd.idempotencyKey,
          reason: 'usage',
          source: null,
          description: cmd.description ?? null,
          hold_id: null,
          refunds_transaction_id: null,
          created_at: now,
        };
        // A key repeated later in the same batch replays this one.
        known.set(tx.idempotency_key, tx);
        fresh.push(tx);
        this.afterBalanceChange(state);
        return { ok: true, transaction: tx, replayed: false };
      });
      insertDebits(this.sql, fresh);
      setBalance(this.sql, state.balance_micros, state.held_micros);
      return out;
    });
    this.afterWrite();
    return outcomes.map(toReceipt);
  }

  refund(cmd: RefundCommand): Outcome {
    const outcome = this.ctx.storage.transactionSync((): Outcome => {
      const state = this.state();
      const original = findById(this.sql, cmd.transactionId);
      if (original?.type !== 'debit') return { ok: false, code: 'not_found', message: `No debit ${cmd.transactionId} in this wallet.` };
      const alreadyRefunded = (
        this.sql.exec('SELECT COALESCE(SUM(amount_micros), 0) AS s FROM transactions WHERE refunds_transaction_id = ?', original.id).one() as { s: number }
      ).s;
      const amount = cmd.amountMicros ?? -original.amount_micros - alreadyRefunded;
      const existing = findByKey(this.sql, cmd.idempotencyKey);
      if (existing) return replayConflict(existing, { type: 'refund', amount_micros: amount }) ?? { ok: true, transaction: existing, replayed: true };
      const bad = invalidAmount(amount);
      if (bad) return bad;
      if (alreadyRefunded + amount > -original.amount_micros) {
        return {
          ok: false,
          code: 'refund_exceeds_debit',
          message: `Only ${-original.amount_micros - alreadyRefunded} micro-dollars of ${original.id} are left to refund.`,
        };
      }
      const tx = this.record(state, {
        type: 'refund',
        amount_micros: amount,
        idempotency_key: cmd.idempotencyKey,
        resource_type: original.resource_type,
        resource_id: original.resource_id,
        quantity: null,
        reason: 'refund',
        source: null,
        description: cmd.description ?? `Refund of ${original.id}`,
        hold_id: null,
        refunds_transaction_id: original.id,
      });
      this.afterBalanceChange(state);
      return { ok: true, transaction: tx, replayed: false };
    });
    this.afterWrite();
    return outcome;
  }

  /** Sets money aside for work about to happen; it stops being available but is not spent. */
  reserve(cmd: { idempotencyKey: string; amountMicros: number; expiresInSeconds: number; description?: string }): HoldOutcome {
    const outcome = this.ctx.storage.transactionSync((): HoldOutcome => {
      const existing = findHold(this.sql, 'idempotency_key', cmd.idempotencyKey);
      if (existing) {
        if (existing.amount_micros !== cmd.amountMicros)
          return { ok: false, code: 'idempotency_conflict', message: `Hold key ${cmd.idempotencyKey} was used for another amount.` };
        return { ok: true, hold: existing, replayed: true };
      }
      const bad = invalidAmount(cmd.amountMicros);
      if (bad) return bad;
      const state = this.state();
      if (cmd.amountMicros > availableMicros(state)) return this.refuseForFunds(state, cmd.amountMicros);
      const now = Date.now();
      const hold: HoldRow = {
        id: createId('hold'),
        idempotency_key: cmd.idempotencyKey,
        amount_micros: cmd.amountMicros,
        status: 'open',
        description: cmd.description ?? null,
        expires_at: now + Math.max(1, cmd.expiresInSeconds) * 1000,
        settled_transaction_id: null,
        created_at: now,
      };
      this.sql.exec(
        'INSERT INTO holds (id, idempotency_key, amount_micros, status, description, expires_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
        hold.id,
        hold.idempotency_key,
        hold.amount_micros,
        hold.status,
        hold.description,
        hold.expires_at,
        hold.created_at,
      );
      state.held_micros += hold.amount_micros;
      setBalance(this.sql, state.balance_micros, state.held_micros);
      return { ok: true, hold, replayed: false };
    });
    void this.scheduleAlarm();
    return outcome;
  }

  /**
   * Turns a hold into a debit of what the work really cost and releases the
   * rest. Costing more than the hold draws the difference from what is available.
   */
  settle(cmd: { holdId: string; debit: DebitCommand }): Outcome {
    const outcome = this.ctx.storage.transactionSync((): Outcome => {
      const replay = findByKey(this.sql, cmd.debit.idempotencyKey);
      if (replay) return replayConflict(replay, { type: 'debit', amount_micros: -cmd.debit.amountMicros }) ?? { ok: true, transaction: replay, replayed: true };
      const hold = findHold(this.sql, 'id', cmd.holdId);
      if (hold?.status !== 'open') return { ok: false, code: 'hold_not_open', message: `Hold ${cmd.holdId} is not open.` };
      const state = this.state();
      // Release the hold first, so the debit is judged against money not otherwise set aside.
      state.held_micros -= hold.amount_micros;
      const result = this.applyDebit(state, cmd.debit, hold.id);
      if (!result.ok) {
        state.held_micros += hold.amount_micros;
        setBalance(this.sql, state.balance_micros, state.held_micros);
        return result;
      }
      this.sql.exec("UPDATE holds SET status = 'settled', settled_transaction_id = ? WHERE id = ?", result.transaction.id, hold.id);
      return result;
    });
    this.afterWrite();
    return outcome;
  }

  release(input: { holdId: string }): HoldOutcome {
    return this.ctx.storage.transactionSync((): HoldOutcome => {
      const hold = findHold(this.sql, 'id', input.holdId);
      if (!hold) return { ok: false, code: 'not_found', message: `No hold ${input.holdId}.` };
      if (hold.status !== 'open') return { ok: true, hold, replayed: true };
      this.closeHold(hold, 'released');
      return { ok: true, hold: { ...hold, status: 'released' }, replayed: false };
    });
  }

  configure(input: { autoRechargeEnabled: boolean; thresholdMicros: number; amountMicros: number }): WalletSnapshot {
    this.sql.exec(
      `UPDATE state SET auto_recharge_enabled = ?, auto_recharge_threshold_micros = ?, auto_recharge_amount_micros = ?,
         low_balance_threshold_micros = ?, recharge_failure = NULL, low_balance_notified = 0 WHERE id = 1`,
      input.autoRechargeEnabled ? 1 : 0,
      input.thresholdMicros,
      input.amountMicros,
      input.thresholdMicros,
    );
    const state = this.state();
    // Turning auto-recharge on while already under the threshold starts one now.
    this.ctx.storage.transactionSync(() => this.afterBalanceChange(state));
    this.afterWrite();
    return this.snapshot();
  }

  /** Stripe confirmed the auto-recharge payment: credit it (once) and let the next one start. */
  completeRecharge(input: { rechargeId: string; paymentIntentId: string; amountMicros: number }): Outcome {
    const outcome = this.ctx.storage.transactionSync(() => {
      const result = this.applyCredit({
        idempotencyKey: `stripe:${input.paymentIntentId}`,
        amountMicros: input.amountMicros,
        reason: 'auto_recharge',
        source: input.paymentIntentId,
        description: 'Auto-recharge',
      });
      this.sql.exec(
        'UPDATE state SET pending_recharge_id = NULL, pending_recharge_started_at = NULL WHERE id = 1 AND pending_recharge_id = ?',
        input.rechargeId,
      );
      return result;
    });
    this.afterWrite();
    return outcome;
  }

  /** The auto-recharge payment failed: stop recharging until the owner fixes the card, and tell them. */
  failRecharge(input: { rechargeId: string; reason: string }): WalletSnapshot {
    this.ctx.storage.transactionSync(() => {
      const state = this.state();
      if (state.pending_recharge_id !== input.rechargeId) return;
      this.sql.exec('UPDATE state SET pending_recharge_id = NULL, pending_recharge_started_at = NULL, recharge_failure = ? WHERE id = 1', input.reason);
      addOutbox(this.sql, 'recharge.failed', { recharge_id: input.rechargeId, reason: input.reason }, Date.now());
    });
    this.afterWrite();
    return this.snapshot();
  }

  /**
   * The account's auto-recharges reached their daily limit: this one is not
   * charged, none starts again before `untilMs` (the next UTC day), and the
   * owner is told why.
   */
  pauseRecharge(input: { rechargeId: string; untilMs: number; reason: string }): WalletSnapshot {
    this.ctx.storage.transactionSync(() => {
      const state = this.state();
      if (state.pending_recharge_id !== input.rechargeId) return;
      this.sql.exec('UPDATE state SET pending_recharge_id = NULL, pending_recharge_started_at = NULL, recharge_paused_until = ? WHERE id = 1', input.untilMs);
      addOutbox(this.sql, 'recharge.limit_reached', { recharge_id: input.rechargeId, reason: input.reason, until: input.untilMs }, Date.now());
    });
    this.afterWrite();
    return this.snapshot();
  }

  list(query: ListQuery): LedgerTransaction[] {
    const where: string[] = [];
    const binds: unknown[] = [];
    const filter = (clause: string, value: unknown) => {
      where.push(clause);
      binds.push(value);
    };
    if (query.beforeSeq !== undefined) filter('seq < ?', query.beforeSeq);
    if (query.afterSeq !== undefined) filter('seq > ?', query.afterSeq);
    if (query.resourceType) filter('resource_type = ?', query.resourceType);
    if (query.fromMs !== undefined) filter('created_at >= ?', query.fromMs);
    if (query.toMs !== undefined) filter('created_at < ?', query.toMs);
    const order = query.afterSeq !== undefined ? 'ASC' : 'DESC';
    const sql = `SELECT * FROM transactions ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq ${order} LIMIT ?`;
    return this.sql.exec(sql, ...binds, Math.min(query.limit, 1000)).toArray() as unknown as LedgerTransaction[];
  }

  /** The invariant, checked from the rows: stored balance = sum of settled transactions; held = sum of open holds. */
  audit(): { balance_micros: number; sum_of_transactions_micros: number; held_micros: number; sum_of_open_holds_micros: number; transaction_count: number } {
    const state = this.state();
    const totals = recomputeTotals(this.sql);
    const count = (this.sql.exec('SELECT COUNT(*) AS n FROM transactions').one() as { n: number }).n;
    return {
      balance_micros: state.balance_micros,
      sum_of_transactions_micros: totals.balance,
      held_micros: state.held_micros,
      sum_of_open_holds_micros: totals.held,
      transaction_count: count,
    };
  }

  async alarm(): Promise<void> {
    this.alarmPending = false;
    const now = Date.now();
    this.ctx.storage.transactionSync(() => {
      for (const hold of this.sql.exec("SELECT * FROM holds WHERE status = 'open' AND expires_at <= ?", now).toArray() as unknown as HoldRow[]) {
        this.closeHold(hold, 'expired');
      }
    });
    await this.publish();
    await this.scheduleAlarm();
  }

  // ---- internals -------------------------------------------------------

  private state(): WalletState & { published_seq: number } {
    const state = readState(this.sql);
    if (!state) throw new Error('wallet is not open');
    return state;
  }

  private snapshot(): WalletSnapshot {
    const s = this.state();
    return {
      wallet_id: s.wallet_id,
      account_id: s.account_id,
      balance_micros: s.balance_micros,
      held_micros: s.held_micros,
      available_micros: availableMicros(s),
      credit_limit_micros: s.credit_limit_micros,
      low_balance_threshold_micros: s.low_balance_threshold_micros,
      auto_recharge: {
        enabled: s.auto_recharge_enabled === 1,
        threshold_micros: s.auto_recharge_threshold_micros,
        amount_micros: s.auto_recharge_amount_micros,
        pending_recharge_id: s.pending_recharge_id,
        failure: s.recharge_failure,
        paused_until: s.recharge_paused_until !== null && s.recharge_paused_until > Date.now() ? s.recharge_paused_until : null,
      },
    };
  }

  private record(state: WalletState, tx: Omit<LedgerTransaction, 'id' | 'seq' | 'status' | 'balance_after_micros' | 'created_at'>): LedgerTransaction {
    state.balance_micros += tx.amount_micros;
    const row = insertTransaction(this.sql, { ...tx, id: createId('walletTransaction'), balance_after_micros: state.balance_micros, created_at: Date.now() });
    setBalance(this.sql, state.balance_micros, state.held_micros);
    return row;
  }

  private applyCredit(cmd: CreditCommand): Outcome {
    const existing = findByKey(this.sql, cmd.idempotencyKey);
    if (existing) return replayConflict(existing, { type: 'credit', amount_micros: cmd.amountMicros }) ?? { ok: true, transaction: existing, replayed: true };
    const bad = invalidAmount(cmd.amountMicros);
    if (bad) return bad;
    const state = this.state();
    const tx = this.record(state, {
      type: 'credit',
      amount_micros: cmd.amountMicros,
      idempotency_key: cmd.idempotencyKey,
      resource_type: null,
      resource_id: null,
      quantity: null,
      reason: cmd.reason,
      source: cmd.source,
      description: cmd.description ?? null,
      hold_id: null,
      refunds_transaction_id: null,
    });
    if (state.balance_micros >= state.low_balance_threshold_micros) this.sql.exec('UPDATE state SET low_balance_notified = 0 WHERE id = 1');
    return { ok: true, transaction: tx, replayed: false };
  }

  private applyDebit(state: WalletState, cmd: DebitCommand, holdId: string | null = null): Outcome {
    const existing = findByKey(this.sql, cmd.idempotencyKey);
    if (existing) {
      return (
        replayConflict(existing, { type: 'debit', amount_micros: -cmd.amountMicros, resource_type: cmd.resourceType, resource_id: cmd.resourceId }) ?? {
          ok: true,
          transaction: existing,
          replayed: true,
        }
      );
    }
    const bad = invalidAmount(cmd.amountMicros);
    if (bad) return bad;
    if (cmd.amountMicros > availableMicros(state)) return this.refuseForFunds(state, cmd.amountMicros);
    const tx = this.record(state, {
      type: 'debit',
      amount_micros: -cmd.amountMicros,
      idempotency_key: cmd.idempotencyKey,
      resource_type: cmd.resourceType,
      resource_id: cmd.resourceId,
      quantity: cmd.quantity ?? null,
      reason: 'usage',
      source: null,
      description: cmd.description ?? null,
      hold_id: holdId,
      refunds_transaction_id: null,
    });
    this.afterBalanceChange(state);
    return { ok: true, transaction: tx, replayed: false };
  }

  /**
   * Refuses a spend the wallet cannot cover. A wallet with auto-recharge on
   * that sits below its threshold recharges now (say, the day after the
   * daily limit paused it), rather than waiting for a spend that succeeds.
   */
  private refuseForFunds(state: WalletState, required: number): Refusal {
    this.afterBalanceChange(state);
    return insufficientFunds(state, required);
  }

  /** Starts an auto-recharge or a low-balance notice when a change crosses the threshold. */
  private afterBalanceChange(state: WalletState): void {
    const now = Date.now();
    if (shouldStartRecharge(state, state.balance_micros, now)) {
      const rechargeId = createId('recharge');
      state.pending_recharge_id = rechargeId;
      this.sql.exec('UPDATE state SET pending_recharge_id = ?, pending_recharge_started_at = ? WHERE id = 1', rechargeId, now);
      addOutbox(this.sql, 'recharge.requested', { recharge_id: rechargeId, amount_micros: state.auto_recharge_amount_micros }, now);
    }
    if (shouldNotifyLowBalance(state, state.balance_micros)) {
      state.low_balance_notified = 1;
      this.sql.exec('UPDATE state SET low_balance_notified = 1 WHERE id = 1');
      addOutbox(this.sql, 'wallet.low_balance', { balance_micros: state.balance_micros, threshold_micros: state.low_balance_threshold_micros }, now);
    }
  }

  private closeHold(hold: HoldRow, status: 'released' | 'expired'): void {
    const state = this.state();
    this.sql.exec('UPDATE holds SET status = ? WHERE id = ?', status, hold.id);
    setBalance(this.sql, state.balance_micros, state.held_micros - hold.amount_micros);
  }

  private afterWrite(): void {
    void this.scheduleAlarm();
  }

  private async scheduleAlarm(): Promise<void> {
    if (this.alarmPending) return;
    const state = readState(this.sql);
    if (!state) return;
    const unpublished = (this.sql.exec('SELECT MAX(seq) AS m FROM transactions').one() as { m: number | null }).m ?? 0;
    const outbox = (this.sql.exec('SELECT COUNT(*) AS n FROM outbox').one() as { n: number }).n;
    const nextExpiry = (this.sql.exec("SELECT MIN(expires_at) AS t FROM holds WHERE status = 'open'").one() as { t: number | null }).t;
    let at: number | null = null;
    if (unpublished > state.published_seq || outbox > 0) at = Date.now() + 50;
    else if (nextExpiry !== null) at = nextExpiry;
    if (at === null) return;
    this.alarmPending = true;
    await this.ctx.storage.setAlarm(at);
  }

  /** Sends ledger rows past `published_seq` and queued notices to the wallet Queue, then advances the marks. */
  private async publish(): Promise<void> {
    const state = this.state();
    const walletId = state.wallet_id;
    const accountId = state.account_id;
    let published = state.published_seq;
    while (published - state.published_seq < PUBLISH_PER_ALARM) {
      const rows = this.sql
        .exec('SELECT * FROM transactions WHERE seq > ? ORDER BY seq LIMIT ?', published, PUBLISH_BATCH)
        .toArray() as unknown as LedgerTransaction[];
      if (rows.length === 0) break;
      const messages: WalletQueueMessage[] = rows.map((tx) => ({ kind: 'transaction', wallet_id: walletId, account_id: accountId, transaction: tx }));
      await this.env.WALLET_EVENTS.sendBatch(messages.map((body) => ({ body, contentType: 'json' as const })));
      published = rows[rows.length - 1].seq;
      this.sql.exec('UPDATE state SET published_seq = ? WHERE id = 1', published);
    }
    const notices = this.sql.exec('SELECT * FROM outbox ORDER BY id LIMIT 100').toArray() as Array<{
      id: number;
      kind: string;
      payload: string;
      created_at: number;
    }>;
    if (notices.length > 0) {
      const messages: WalletQueueMessage[] = notices.map((n) => ({
        kind: 'notice',
        wallet_id: walletId,
        account_id: accountId,
        notice: { kind: n.kind, payload: JSON.parse(n.payload), created_at: n.created_at },
      }));
      await this.env.WALLET_EVENTS.sendBatch(messages.map((body) => ({ body, contentType: 'json' as const })));
      this.sql.exec('DELETE FROM outbox WHERE id <= ?', notices[notices.length - 1].id);
    }
  }
}
