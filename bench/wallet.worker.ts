/**
 * Benchmark Worker for the wallet part of `npm run bench` (driven by bench/wallet.mjs).
 *
 * It runs the real WalletDO and drives it over its typed RPC from the Worker,
 * i.e. from outside the object, the way product code calls it. Every
 * measurement uses a fresh wallet (its own Durable Object), credited once,
 * then debited with unique idempotency keys, and is checked afterwards with
 * audit(): stored balance = sum of transactions, transaction count = what was
 * sent, balance = credit - sum of debits, every outcome ok and not replayed.
 *
 * Routes (POST with a JSON body, or query parameters):
 *   /wallet/single      {n}            n sequential awaited stub.debit() calls, each timed
 *   /wallet/concurrent  {n, inflight}  the same with `inflight` calls in flight at once
 *   /wallet/batched     {n, batch}     stub.debitMany() in chunks of `batch`; rate = debits / wall time across the awaits
 *   /wallet/publish-check {n}          after a debitMany of n, waits until the alarm has published every row to WALLET_EVENTS
 *   /bare               {n, returning?} BareInsertDO.insertLoop(n): n plain INSERTs in one transactionSync (the physical limit);
 *                                      returning=true adds RETURNING seq to each INSERT (what-if only)
 * Every wallet route takes `impl`: "real" (WalletDO, default) or "experiment" with `exp` options
 * (the bench-only ExperimentWalletDO below, for the report's what-if figures).
 *
 * Timing: workerd's clock only moves on I/O, and stands still while JS runs
 * synchronously, so every figure is performance.now() read before and after
 * awaited RPC calls: it contains the object's whole work for those calls
 * (RPC serialization both ways, SQLite, JS in the object), not the Worker's
 * own synchronous JS between calls (commands are built before the clock starts).
 */
import { DurableObject } from 'cloudflare:workers';
import { WalletDO } from '../durable-objects/wallet/wallet.do';
import {
  invalidAmount,
  insufficientFunds,
  availableMicros,
  replayConflict,
  toReceipt,
  type DebitCommand,
  type DebitReceipt,
  type LedgerTransaction,
  type Outcome,
} from '../durable-objects/wallet/wallet.ledger';
import { findByKey, readState, setBalance } from '../durable-objects/wallet/wallet.store';
import { createId } from '../workers/platform/ids';

export { WalletDO };

interface BenchEnv {
  WALLET: DurableObjectNamespace<WalletDO>;
  WALLET_EXPERIMENT: DurableObjectNamespace<ExperimentWalletDO>;
  BARE: DurableObjectNamespace<BareInsertDO>;
  WALLET_EVENTS: Queue;
}

/* ------------------------------------------------------------------ bare SQLite limit */

/**
 * The physical limit of one SQLite-backed object: a loop of plain INSERTs of
 * ledger-shaped rows (text id, integer amount, text idempotency key UNIQUE,
 * created_at) in one transactionSync, no reads, no RPC per row.
 */
export class BareInsertDO extends DurableObject<BenchEnv> {
  constructor(ctx: DurableObjectState, env: BenchEnv) {
    super(ctx, env);
    ctx.storage.sql.exec(`CREATE TABLE IF NOT EXISTS rows (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      id TEXT NOT NULL UNIQUE,
      amount_micros INTEGER NOT NULL,
      idempotency_key TEXT NOT NULL UNIQUE,
      created_at INTEGER NOT NULL
    )`);
  }

  ping(): number {
    return (this.ctx.storage.sql.exec('SELECT COUNT(*) AS n FROM rows').one() as { n: number }).n;
  }

  /**
   * Inserts n rows in one transaction and returns how many rows the table holds afterwards.
   * `returning` (what-if only, not the physical-limit figure): the same INSERT with RETURNING seq, read per row.
   */
  insertLoop(n: number, tag: string, returning = false): number {
    const sql = this.ctx.storage.sql;
    const start = this.ping();
    this.ctx.storage.transactionSync(() => {
      const now = Date.now();
      for (let i = 0; i < n; i++) {
        if (returning) {
          sql
            .exec(
              'INSERT INTO rows (id, amount_micros, idempotency_key, created_at) VALUES (?, ?, ?, ?) RETURNING seq',
              `wtx_${tag}_${start + i}`,
              1000 + (i % 7) * 1000,
              `bench:${tag}:${start + i}`,
              now,
            )
            .one();
        } else {
          sql.exec(
            'INSERT INTO rows (id, amount_micros, idempotency_key, created_at) VALUES (?, ?, ?, ?)',
            `wtx_${tag}_${start + i}`,
            1000 + (i % 7) * 1000,
            `bench:${tag}:${start + i}`,
            now,
          );
        }
      }
    });
    return this.ping() - start;
  }
}

/* ------------------------------------------------------------------ experiment */

export interface ExperimentOptions {
  /** "real": WalletDO's own debitMany; "lean": the leaner one below. */
  debitMany: 'real' | 'lean';
  /** lean only: "json" = one INSERT ... SELECT FROM json_each(?) per batch; "rows" = one plain INSERT per item. */
  insert: 'json' | 'rows';
  /** lean only: "full" = Outcome[] with whole ledger rows (today's contract); "compact" = {ok, id, seq, balance_after_micros} per item. */
  returns: 'full' | 'compact';
  /** false: no alarm is scheduled, so nothing is published to the Queue during the run. */
  publish: boolean;
  /** lean only, to split the gain: "item" puts back WalletDO's SELECT by idempotency key per item. */
  lookup: 'batch' | 'item';
  /** lean only: "item" puts back WalletDO's balance UPDATE per item. */
  balance: 'batch' | 'item';
  /** lean + rows only: true puts back INSERT ... RETURNING seq (and reads it) per item. */
  returning: boolean;
}

/**
 * Bench-only experiment, NOT product code: WalletDO with switches, to measure
 * what each per-item storage step of the batched path costs (the ladder L1
 * to L5; WalletDO.debitMany is shaped like L4). Same schema, same rules, and
 * WalletDO's own audit()/credit()/debit(), so the same invariant checks
 * apply. The lean debitMany does per batch what the per-item path does per item:
 *  - one idempotency lookup for the whole batch (IN (SELECT value FROM json_each(?))) instead of a SELECT per item,
 *  - seq assigned in JS from sqlite_sequence instead of INSERT ... RETURNING seq,
 *  - one balance UPDATE per batch instead of one per item,
 *  - the same threshold checks (afterBalanceChange) after every item.
 */
export class ExperimentWalletDO extends WalletDO {
  private opts: ExperimentOptions = { debitMany: 'lean', insert: 'json', returns: 'full', publish: true, lookup: 'batch', balance: 'batch', returning: false };

  configureExperiment(opts: Partial<ExperimentOptions>): ExperimentOptions {
    this.opts = { ...this.opts, ...opts };
    // biome-ignore lint/complexity/useLiteralKeys: scheduleAlarm is private to WalletDO; bracket access is TypeScript's deliberate way in for this bench-only subclass, without widening the product class's visibility.
    if (!this.opts.publish) this['scheduleAlarm'] = async () => {};
    return this.opts;
  }

  /** How far the alarm has published the ledger to WALLET_EVENTS (WalletDO keeps this in its state row). */
  publishStatus(): { published_seq: number; max_seq: number; outbox: number } {
    const sql = this.ctx.storage.sql;
    const state = readState(sql);
    const max = (sql.exec('SELECT MAX(seq) AS m FROM transactions').one() as { m: number | null }).m ?? 0;
    const outbox = (sql.exec('SELECT COUNT(*) AS n FROM outbox').one() as { n: number }).n;
    return { published_seq: state?.published_seq ?? 0, max_seq: max, outbox };
  }

  override debitMany(cmds: DebitCommand[]): DebitReceipt[] {
    if (this.opts.debitMany === 'real') return super.debitMany(cmds);
    const sql = this.ctx.storage.sql;
    const outcomes = this.ctx.storage.transactionSync(() => {
      const state = readState(sql);
      if (!state) throw new Error('wallet is not open');
      const known = new Map<string, LedgerTransaction>();
      if (this.opts.lookup === 'batch') {
        const keys = JSON.stringify(cmds.map((c) => c.idempotencyKey));
        for (const row of sql
          .exec('SELECT * FROM transactions WHERE idempotency_key IN (SELECT value FROM json_each(?))', keys)
          .toArray() as unknown as LedgerTransaction[]) {
          known.set(row.idempotency_key, row);
        }
      }
      let seq = (sql.exec("SELECT seq FROM sqlite_sequence WHERE name = 'transactions'").toArray()[0] as { seq: number } | undefined)?.seq ?? 0;
      const now = Date.now();
      const fresh: LedgerTransaction[] = [];
      const out: Outcome[] = [];
      for (const cmd of cmds) {
        const existing = known.get(cmd.idempotencyKey) ?? (this.opts.lookup === 'item' ? findByKey(sql, cmd.idempotencyKey) : null);
        if (existing) {
          out.push(
            replayConflict(existing, { type: 'debit', amount_micros: -cmd.amountMicros, resource_type: cmd.resourceType, resource_id: cmd.resourceId }) ?? {
              ok: true,
              transaction: existing,
              replayed: true,
            },
          );
          continue;
        }
        const bad = invalidAmount(cmd.amountMicros);
        if (bad) {
          out.push(bad);
          continue;
        }
        if (cmd.amountMicros > availableMicros(state)) {
          out.push(insufficientFunds(state, cmd.amountMicros));
          continue;
        }
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
        known.set(tx.idempotency_key, tx);
        fresh.push(tx);
        if (this.opts.balance === 'item') setBalance(sql, state.balance_micros, state.held_micros);
        // The same threshold checks as WalletDO, at the same point (after each debit).
        // biome-ignore lint/complexity/useLiteralKeys: afterBalanceChange is private to WalletDO; bracket access is TypeScript's deliberate way in for this bench-only subclass, without widening the product class's visibility.
        this['afterBalanceChange'](state);
        out.push({ ok: true, transaction: tx, replayed: false });
      }
      if (this.opts.insert === 'json') {
        if (fresh.length) {
          const rows = fresh.map((t) => [
            t.seq,
            t.id,
            t.amount_micros,
            t.balance_after_micros,
            t.resource_type,
            t.resource_id,
            t.quantity,
            t.idempotency_key,
            t.description,
            t.created_at,
          ]);
          sql.exec(
            `INSERT INTO transactions (seq, id, type, amount_micros, balance_after_micros, resource_type, resource_id, quantity, idempotency_key, reason, description, created_at)
             SELECT value->>0, value->>1, 'debit', value->>2, value->>3, value->>4, value->>5, value->>6, value->>7, 'usage', value->>8, value->>9 FROM json_each(?)`,
            JSON.stringify(rows),
          );
        }
      } else {
        for (const t of fresh) {
          const cursor = sql.exec(
            `INSERT INTO transactions (seq, id, type, amount_micros, balance_after_micros, resource_type, resource_id, quantity, idempotency_key, reason, description, created_at)
             VALUES (?, ?, 'debit', ?, ?, ?, ?, ?, ?, 'usage', ?, ?)${this.opts.returning ? ' RETURNING seq' : ''}`,
            t.seq,
            t.id,
            t.amount_micros,
            t.balance_after_micros,
            t.resource_type,
            t.resource_id,
            t.quantity,
            t.idempotency_key,
            t.description,
            t.created_at,
          );
          if (this.opts.returning) t.seq = (cursor.one() as { seq: number }).seq;
        }
      }
      setBalance(sql, state.balance_micros, state.held_micros);
      return out;
    });
    // biome-ignore lint/complexity/useLiteralKeys: afterWrite is private to WalletDO; bracket access is TypeScript's deliberate way in for this bench-only subclass, without widening the product class's visibility.
    this['afterWrite']();
    if (this.opts.returns === 'compact') {
      // Same information the caller needs, without the whole row: cast so the RPC signature stays WalletDO's.
      return outcomes.map((o) =>
        o.ok ? { ok: true, replayed: o.replayed, id: o.transaction.id, seq: o.transaction.seq, balance_after_micros: o.transaction.balance_after_micros } : o,
      ) as unknown as DebitReceipt[];
    }
    return outcomes.map(toReceipt);
  }
}

/* ------------------------------------------------------------------ helpers */

type WalletStub = DurableObjectStub<WalletDO>;
/** Which object a wallet measurement drives: the real WalletDO, or ExperimentWalletDO with these options. */
type Target = { impl: 'real' } | { impl: 'experiment'; exp: Partial<ExperimentOptions> };

const CREDIT_MICROS = 1_000_000_000_000; // $1,000,000: never runs low, so no low-balance notice or recharge interferes
const WARMUP = 20;

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

/** Nearest-rank percentile. */
function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

function latency(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const r = (x: number) => Math.round(x * 1000) / 1000;
  return {
    n: sorted.length,
    p50: r(percentile(sorted, 50)),
    p90: r(percentile(sorted, 90)),
    p99: r(percentile(sorted, 99)),
    max: r(sorted[sorted.length - 1]),
    mean: r(sorted.reduce((s, x) => s + x, 0) / sorted.length),
    // workerd's clock is coarse (1 ms): show the distinct values seen and how often.
    histogram: Object.fromEntries([...sorted.reduce((m, x) => m.set(r(x), (m.get(r(x)) ?? 0) + 1), new Map<number, number>())].slice(0, 16)),
  };
}

/** An SMS-like debit: 1,000..7,000 micro-dollars, a unique key per (run, label). */
function command(run: string, label: string, i: number): DebitCommand {
  return { idempotencyKey: `bench:${run}:${label}`, amountMicros: 1000 + (i % 7) * 1000, resourceType: 'sms', resourceId: `msg_${run}_${label}`, quantity: 1 };
}
const timed = (run: string, i: number) => command(run, String(i), i);
const warm = (run: string, i: number) => command(run, `w${i}`, i);

function walletStub(env: BenchEnv, target: Target, name: string): WalletStub {
  const ns = (target.impl === 'real' ? env.WALLET : env.WALLET_EXPERIMENT) as unknown as DurableObjectNamespace<WalletDO>;
  return ns.get(ns.idFromName(name));
}

async function freshWallet(env: BenchEnv, target: Target): Promise<{ stub: WalletStub; run: string; experiment?: ExperimentOptions }> {
  const run = crypto.randomUUID().slice(0, 8);
  const stub = walletStub(env, target, `bench-wallet-${run}`);
  let experiment: ExperimentOptions | undefined;
  if (target.impl === 'experiment') experiment = await (stub as unknown as DurableObjectStub<ExperimentWalletDO>).configureExperiment(target.exp);
  await stub.open({ walletId: createId('wallet'), accountId: createId('account') });
  const credit = await stub.credit({ idempotencyKey: `bench:${run}:credit`, amountMicros: CREDIT_MICROS, reason: 'adjustment', source: 'bench' });
  if (!credit.ok) throw new Error(`credit refused: ${credit.code}`);
  return { stub, run, experiment };
}

/** What the caller learns from one outcome, in either the full or the compact (experiment) form. */
function outcomeView(o: Outcome | DebitReceipt): {
  ok: boolean;
  replayed: boolean;
  id: string | null;
  amount: number | null;
  balanceAfter: number | null;
  code?: string;
  message?: string;
} {
  if (!o.ok) return { ok: false, replayed: false, id: null, amount: null, balanceAfter: null, code: o.code, message: o.message };
  const compact = o as unknown as { transaction?: LedgerTransaction; id?: string; amount_micros?: number; balance_after_micros?: number };
  if (compact.transaction)
    return {
      ok: true,
      replayed: o.replayed,
      id: compact.transaction.id,
      amount: -compact.transaction.amount_micros,
      balanceAfter: compact.transaction.balance_after_micros,
    };
  // A receipt (WalletDO.debitMany) or the experiment's compact form.
  return {
    ok: true,
    replayed: o.replayed,
    id: compact.id ?? null,
    amount: compact.amount_micros === undefined ? null : -compact.amount_micros,
    balanceAfter: compact.balance_after_micros ?? null,
  };
}

interface Tally {
  sent: number;
  ok: number;
  replayed: number;
  refused: number;
  debited_micros: number;
  last_balance_after: number | null;
  problems: string[];
}

function tally(): Tally {
  return { sent: 0, ok: 0, replayed: 0, refused: 0, debited_micros: 0, last_balance_after: null, problems: [] };
}

function count(t: Tally, cmd: DebitCommand, o: Outcome | DebitReceipt): void {
  t.sent++;
  const v = outcomeView(o);
  if (!v.ok) {
    t.refused++;
    if (t.problems.length < 5) t.problems.push(`${cmd.idempotencyKey} refused: ${v.code}: ${v.message}`);
    return;
  }
  if (v.replayed) t.replayed++;
  else t.ok++;
  if (v.amount !== null && v.amount !== cmd.amountMicros && t.problems.length < 5)
    t.problems.push(`${cmd.idempotencyKey}: debited ${v.amount}, asked ${cmd.amountMicros}`);
  t.debited_micros += cmd.amountMicros;
  t.last_balance_after = v.balanceAfter;
}

/**
 * The ledger after a measurement, checked from the rows: a fast but wrong
 * ledger fails here. Counts include the warm-up debits (they are in `t`).
 */
async function verify(stub: WalletStub, t: Tally, extra: Record<string, boolean> = {}) {
  const audit = await stub.audit();
  const snapshot = await stub.balance();
  const expectedBalance = CREDIT_MICROS - t.debited_micros;
  const checks: Record<string, boolean> = {
    every_outcome_ok_and_new: t.ok === t.sent && t.replayed === 0 && t.refused === 0,
    stored_balance_equals_sum_of_transactions: audit.balance_micros === audit.sum_of_transactions_micros,
    transaction_count_equals_debits_sent_plus_credit: audit.transaction_count === 1 + t.sent,
    balance_equals_credit_minus_debits: audit.balance_micros === expectedBalance && snapshot.balance_micros === expectedBalance,
    last_balance_after_equals_balance: t.last_balance_after === expectedBalance,
    no_amount_mismatch: t.problems.length === 0,
    ...extra,
  };
  return { ok: Object.values(checks).every(Boolean), checks, audit, expected_balance_micros: expectedBalance, debits_sent: t.sent, problems: t.problems };
}

/* ------------------------------------------------------------------ routes */

async function single(env: BenchEnv, target: Target, p: { n: number }) {
  const { stub, run, experiment } = await freshWallet(env, target);
  const t = tally();
  for (let i = 0; i < WARMUP; i++) {
    const cmd = warm(run, i);
    count(t, cmd, await stub.debit(cmd));
  }
  const cmds = Array.from({ length: p.n }, (_, i) => timed(run, i));
  const samples: number[] = [];
  const t0 = performance.now();
  for (const cmd of cmds) {
    const s = performance.now();
    const o = await stub.debit(cmd);
    samples.push(performance.now() - s);
    count(t, cmd, o);
  }
  const wall = performance.now() - t0;
  return {
    route: 'single',
    ...target,
    experiment,
    n: p.n,
    warmup: WARMUP,
    wall_ms: wall,
    per_second: (p.n / wall) * 1000,
    latency_ms: latency(samples),
    samples,
    verify: await verify(stub, t),
  };
}

async function concurrent(env: BenchEnv, target: Target, p: { n: number; inflight: number }) {
  const { stub, run, experiment } = await freshWallet(env, target);
  const t = tally();
  for (let i = 0; i < WARMUP; i++) {
    const cmd = warm(run, i);
    count(t, cmd, await stub.debit(cmd));
  }
  const cmds = Array.from({ length: p.n }, (_, i) => timed(run, i));
  const samples: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: p.inflight }, async () => {
      while (next < cmds.length) {
        const cmd = cmds[next++];
        const s = performance.now();
        const o = await stub.debit(cmd);
        samples.push(performance.now() - s);
        count(t, cmd, o);
      }
    }),
  );
  const wall = performance.now() - t0;
  return {
    route: 'concurrent',
    ...target,
    experiment,
    n: p.n,
    inflight: p.inflight,
    wall_ms: wall,
    per_second: (p.n / wall) * 1000,
    latency_ms: latency(samples),
    samples,
    verify: await verify(stub, t),
  };
}

async function batched(env: BenchEnv, target: Target, p: { n: number; batch: number }) {
  const { stub, run, experiment } = await freshWallet(env, target);
  const t = tally();
  // Warm-up: one small batch, so the first timed call is not the first debitMany.
  const warmCmds = Array.from({ length: WARMUP }, (_, i) => warm(run, i));
  (await stub.debitMany(warmCmds)).forEach((o, k) => {
    count(t, warmCmds[k], o);
  });
  const chunks: DebitCommand[][] = [];
  for (let from = 0; from < p.n; from += p.batch) chunks.push(Array.from({ length: Math.min(p.batch, p.n - from) }, (_, k) => timed(run, from + k)));
  const callMs: number[] = [];
  const results: DebitReceipt[][] = [];
  const t0 = performance.now();
  for (const chunk of chunks) {
    const s = performance.now();
    results.push(await stub.debitMany(chunk));
    callMs.push(performance.now() - s);
  }
  const wall = performance.now() - t0;
  let lengthsMatch = true;
  results.forEach((outcomes, c) => {
    if (outcomes.length !== chunks[c].length) lengthsMatch = false;
    outcomes.forEach((o, k) => {
      count(t, chunks[c][k], o);
    });
  });
  // Idempotency, untimed: sending the first chunk again must replay every item (same transaction ids) and change nothing.
  const again = await stub.debitMany(chunks[0]);
  const replayOk =
    again.length === chunks[0].length &&
    again.every((o, k) => {
      const v = outcomeView(o);
      return v.ok && v.replayed && v.id !== null && v.id === outcomeView(results[0][k]).id;
    });
  return {
    route: 'batched',
    ...target,
    experiment,
    n: p.n,
    batch: p.batch,
    calls: chunks.length,
    wall_ms: wall,
    per_second: (p.n / wall) * 1000,
    per_call_ms: latency(callMs),
    verify: await verify(stub, t, { outcome_count_matches_commands: lengthsMatch, resend_of_first_batch_all_replayed: replayOk }),
  };
}

async function bare(env: BenchEnv, p: { n: number; returning: boolean }) {
  const tag = crypto.randomUUID().slice(0, 8);
  const stub = env.BARE.get(env.BARE.idFromName(`bench-bare-${tag}`));
  await stub.ping(); // create the object (and its table) before the clock starts
  const t0 = performance.now();
  const inserted = await stub.insertLoop(p.n, tag, p.returning);
  const wall = performance.now() - t0;
  const rows = await stub.ping();
  return {
    route: 'bare',
    n: p.n,
    returning: p.returning,
    wall_ms: wall,
    per_second: (p.n / wall) * 1000,
    verify: { ok: inserted === p.n && rows === p.n, inserted, rows_in_table: rows },
  };
}

/**
 * The alarm path works in this configuration: WalletDO's own debitMany and alarm
 * (ExperimentWalletDO with debitMany "real", publishing on, which only adds a
 * read-only publishStatus()) publish every ledger row to WALLET_EVENTS, a
 * producer with no consumer, without sendBatch failing.
 */
async function publishCheck(env: BenchEnv, p: { n: number; timeoutMs: number }) {
  const { stub, run } = await freshWallet(env, { impl: 'experiment', exp: { debitMany: 'real', publish: true } });
  const exp = stub as unknown as DurableObjectStub<ExperimentWalletDO>;
  const cmds = Array.from({ length: p.n }, (_, i) => timed(run, i));
  const outcomes = await stub.debitMany(cmds);
  const t0 = performance.now();
  let status = await exp.publishStatus();
  while (status.published_seq < status.max_seq && performance.now() - t0 < p.timeoutMs) {
    await new Promise((r) => setTimeout(r, 50));
    status = await exp.publishStatus();
  }
  const ok = outcomes.every((o) => o.ok) && status.max_seq === p.n + 1 && status.published_seq === status.max_seq && status.outbox === 0;
  return { route: 'publish-check', n: p.n, ms_until_published: performance.now() - t0, status, verify: { ok } };
}

/* ------------------------------------------------------------------ entry */

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const body = request.method === 'POST' ? ((await request.json().catch(() => ({}))) as Record<string, unknown>) : {};
    const q = { ...Object.fromEntries(url.searchParams), ...body } as Record<string, unknown>;
    const num = (k: string, d: number) => (q[k] === undefined ? d : Number(q[k]));
    const exp = (typeof q.exp === 'string' ? JSON.parse(q.exp) : (q.exp ?? {})) as Partial<ExperimentOptions>;
    const target: Target = q.impl === 'experiment' ? { impl: 'experiment', exp } : { impl: 'real' };
    try {
      switch (url.pathname) {
        case '/wallet/single':
          return json(await single(env, target, { n: num('n', 1000) }));
        case '/wallet/concurrent':
          return json(await concurrent(env, target, { n: num('n', 1000), inflight: num('inflight', 16) }));
        case '/wallet/batched':
          return json(await batched(env, target, { n: num('n', 100_000), batch: num('batch', 1000) }));
        case '/bare':
          return json(await bare(env, { n: num('n', 100_000), returning: q.returning === true || q.returning === 'true' }));
        case '/wallet/publish-check':
          return json(await publishCheck(env, { n: num('n', 2000), timeoutMs: num('timeoutMs', 20_000) }));
        case '/':
          return json({ routes: ['/wallet/single?n=', '/wallet/concurrent?n=&inflight=', '/wallet/batched?n=&batch=', '/bare?n='] });
        default:
          return json({ error: 'not found' }, 404);
      }
    } catch (err) {
      const e = err as Error;
      return json({ error: e.message, stack: e.stack }, 500);
    }
  },
} satisfies ExportedHandler<BenchEnv>;
