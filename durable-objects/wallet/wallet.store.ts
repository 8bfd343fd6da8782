import type { LedgerTransaction, WalletState } from './wallet.ledger';
import { migrateSchema } from '../schema';

/** The wallet's SQLite schema, versioned; each step runs once, in order. */
const MIGRATIONS: string[] = [
  `CREATE TABLE state (
     id INTEGER PRIMARY KEY CHECK (id = 1),
     wallet_id TEXT NOT NULL,
     account_id TEXT NOT NULL,
     balance_micros INTEGER NOT NULL DEFAULT 0,
     held_micros INTEGER NOT NULL DEFAULT 0,
     credit_limit_micros INTEGER NOT NULL DEFAULT 0,
     low_balance_threshold_micros INTEGER NOT NULL DEFAULT 10000000,
     auto_recharge_enabled INTEGER NOT NULL DEFAULT 0,
     auto_recharge_threshold_micros INTEGER NOT NULL DEFAULT 10000000,
     auto_recharge_amount_micros INTEGER NOT NULL DEFAULT 50000000,
     pending_recharge_id TEXT,
     pending_recharge_started_at INTEGER,
     recharge_failure TEXT,
     low_balance_notified INTEGER NOT NULL DEFAULT 0,
     published_seq INTEGER NOT NULL DEFAULT 0
   );
   CREATE TABLE transactions (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     id TEXT NOT NULL UNIQUE,
     type TEXT NOT NULL CHECK (type IN ('credit', 'debit', 'refund')),
     status TEXT NOT NULL DEFAULT 'settled',
     amount_micros INTEGER NOT NULL,
     balance_after_micros INTEGER NOT NULL,
     resource_type TEXT,
     resource_id TEXT,
     quantity INTEGER,
     idempotency_key TEXT NOT NULL UNIQUE,
     reason TEXT,
     source TEXT,
     description TEXT,
     hold_id TEXT,
     refunds_transaction_id TEXT,
     created_at INTEGER NOT NULL
   );
   CREATE INDEX transactions_resource ON transactions (resource_type, seq);
   CREATE INDEX transactions_refunds ON transactions (refunds_transaction_id) WHERE refunds_transaction_id IS NOT NULL;
   CREATE TABLE holds (
     id TEXT PRIMARY KEY,
     idempotency_key TEXT NOT NULL UNIQUE,
     amount_micros INTEGER NOT NULL,
     status TEXT NOT NULL CHECK (status IN ('open', 'settled', 'released', 'expired')),
     description TEXT,
     expires_at INTEGER NOT NULL,
     settled_transaction_id TEXT,
     created_at INTEGER NOT NULL
   );
   CREATE INDEX holds_open ON holds (status, expires_at);
   CREATE TABLE outbox (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     kind TEXT NOT NULL,
     payload TEXT NOT NULL,
     created_at INTEGER NOT NULL
   );`,
  // The daily auto-recharge limit: recharges pause until the next UTC day once it is reached.
  'ALTER TABLE state ADD COLUMN recharge_paused_until INTEGER;',
];

export function migrate(sql: SqlStorage): void {
  migrateSchema(sql, MIGRATIONS);
}

export interface HoldRow {
  id: string;
  idempotency_key: string;
  amount_micros: number;
  status: 'open' | 'settled' | 'released' | 'expired';
  description: string | null;
  expires_at: number;
  settled_transaction_id: string | null;
  created_at: number;
}

export function readState(sql: SqlStorage): (WalletState & { published_seq: number }) | null {
  return (sql.exec('SELECT * FROM state WHERE id = 1').toArray()[0] as unknown as (WalletState & { published_seq: number }) | undefined) ?? null;
}

export function findByKey(sql: SqlStorage, key: string): LedgerTransaction | null {
  return (sql.exec('SELECT * FROM transactions WHERE idempotency_key = ?', key).toArray()[0] as unknown as LedgerTransaction | undefined) ?? null;
}

export function findById(sql: SqlStorage, id: string): LedgerTransaction | null {
  return (sql.exec('SELECT * FROM transactions WHERE id = ?', id).toArray()[0] as unknown as LedgerTransaction | undefined) ?? null;
}

export function findHold(sql: SqlStorage, column: 'id' | 'idempotency_key', value: string): HoldRow | null {
  return (sql.exec(`SELECT * FROM holds WHERE ${column} = ?`, value).toArray()[0] as unknown as HoldRow | undefined) ?? null;
}

/** Inserts a settled transaction and returns it with its sequence number. */
export function insertTransaction(sql: SqlStorage, tx: Omit<LedgerTransaction, 'seq' | 'status'>): LedgerTransaction {
  const cursor = sql.exec(
    `INSERT INTO transactions (id, type, amount_micros, balance_after_micros, resource_type, resource_id, quantity, idempotency_key, reason, source,
       description, hold_id, refunds_transaction_id, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING seq`,
    tx.id,
    tx.type,
    tx.amount_micros,
    tx.balance_after_micros,
    tx.resource_type,
    tx.resource_id,
    tx.quantity,
    tx.idempotency_key,
    tx.reason,
    tx.source,
    tx.description,
    tx.hold_id,
    tx.refunds_transaction_id,
    tx.created_at,
  );
  const seq = (cursor.one() as { seq: number }).seq;
  return { ...tx, seq, status: 'settled' };
}

/** The transactions already recorded under any of these idempotency keys, by key: one query for a whole batch. */
export function findByKeys(sql: SqlStorage, keys: string[]): Map<string, LedgerTransaction> {
  const rows = sql
    .exec('SELECT * FROM transactions WHERE idempotency_key IN (SELECT value FROM json_each(?))', JSON.stringify(keys))
    .toArray() as unknown as LedgerTransaction[];
  return new Map(rows.map((row) => [row.idempotency_key, row]));
}

/** The last sequence number handed out (AUTOINCREMENT's own counter), so a batch can number its rows itself. */
export function lastSeq(sql: SqlStorage): number {
  return (sql.exec("SELECT seq FROM sqlite_sequence WHERE name = 'transactions'").toArray()[0] as { seq: number } | undefined)?.seq ?? 0;
}

/**
 * Inserts settled usage debits already numbered by the caller (seq from
 * lastSeq), all in one statement: the batched path's one write per batch.
 */
export function insertDebits(sql: SqlStorage, txs: LedgerTransaction[]): void {
  if (txs.length === 0) return;
  const rows = txs.map((t) => [
    t.seq,
    t.id,
    t.amount_micros,
    t.balance_after_micros,
    t.resource_type,
    t.resource_id,
    t.quantity,
    t.idempotency_key,
    t.description,
    t.hold_id,
    t.created_at,
  ]);
  sql.exec(
    `INSERT INTO transactions (seq, id, type, amount_micros, balance_after_micros, resource_type, resource_id, quantity, idempotency_key, reason, description, hold_id, created_at)
     SELECT value->>0, value->>1, 'debit', value->>2, value->>3, value->>4, value->>5, value->>6, value->>7, 'usage', value->>8, value->>9, value->>10 FROM json_each(?)`,
    JSON.stringify(rows),
  );
}

export function setBalance(sql: SqlStorage, balance: number, held: number): void {
  sql.exec('UPDATE state SET balance_micros = ?, held_micros = ? WHERE id = 1', balance, held);
}

export function addOutbox(sql: SqlStorage, kind: string, payload: unknown, now: number): void {
  sql.exec('INSERT INTO outbox (kind, payload, created_at) VALUES (?, ?, ?)', kind, JSON.stringify(payload), now);
}

/** Sum of settled transactions and of open holds, computed from the rows themselves. */
export function recomputeTotals(sql: SqlStorage): { balance: number; held: number } {
  const balance = (sql.exec('SELECT COALESCE(SUM(amount_micros), 0) AS s FROM transactions WHERE status = ?', 'settled').one() as { s: number }).s;
  const held = (sql.exec("SELECT COALESCE(SUM(amount_micros), 0) AS s FROM holds WHERE status = 'open'").one() as { s: number }).s;
  return { balance, held };
}
