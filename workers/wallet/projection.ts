import type { LedgerTransaction } from '../../durable-objects/wallet/wallet.ledger';
import { queryAll, queryFirst } from '../platform/db';
import { ensureWallet } from './wallet.service';

/** Writes ledger rows into the D1 projection; a row already there is left alone. */
export function projectionStatements(db: D1Database, walletId: string, accountId: string, rows: LedgerTransaction[]): D1PreparedStatement[] {
  return rows.map((tx) =>
    db
      .prepare(
        `INSERT INTO wallet_transactions (id, account_id, wallet_id, seq, type, amount_micros, balance_after_micros, resource_type, resource_id, quantity, reason, description, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
      )
      .bind(
        tx.id,
        accountId,
        walletId,
        tx.seq,
        tx.type,
        tx.amount_micros,
        tx.balance_after_micros,
        tx.resource_type,
        tx.resource_id,
        tx.quantity,
        tx.reason,
        tx.description,
        tx.created_at,
      ),
  );
}

export interface ProjectionCheck {
  account_id: string;
  wallet_balance_micros: number;
  projected_sum_micros: number;
  projected_count: number;
  wallet_count: number;
  caught_up: number;
  consistent: boolean;
}

/**
 * Brings an account's projection up to date from the wallet (the source of
 * truth) and checks that the two agree: same number of rows, same sum.
 */
export async function reconcileProjection(env: Env, accountId: string): Promise<ProjectionCheck> {
  const { walletId, stub } = await ensureWallet(env, accountId);
  const countBefore = await countProjected(env.DB, walletId);
  const last = await queryFirst<{ seq: number | null }>(env.DB, 'SELECT MAX(seq) AS seq FROM wallet_transactions WHERE wallet_id = ?', walletId);
  // Seqs are dense from 1, so a lost message shows as a gap; walk from the first one.
  let from = await firstGap(env.DB, walletId, last?.seq ?? 0, countBefore);
  for (;;) {
    const rows = await stub.list({ afterSeq: from, limit: 500 });
    if (rows.length === 0) break;
    await env.DB.batch(projectionStatements(env.DB, walletId, accountId, rows));
    from = rows[rows.length - 1].seq;
    if (rows.length < 500) break;
  }
  const caughtUp = (await countProjected(env.DB, walletId)) - countBefore;
  const audit = await stub.audit();
  const projected = await queryFirst<{ total: number; n: number }>(
    env.DB,
    'SELECT COALESCE(SUM(amount_micros), 0) AS total, COUNT(*) AS n FROM wallet_transactions WHERE wallet_id = ?',
    walletId,
  );
  await env.DB.prepare('UPDATE wallets SET reconciled_at = ? WHERE id = ?').bind(Date.now(), walletId).run();
  return {
    account_id: accountId,
    wallet_balance_micros: audit.balance_micros,
    projected_sum_micros: projected?.total ?? 0,
    projected_count: projected?.n ?? 0,
    wallet_count: audit.transaction_count,
    caught_up: caughtUp,
    consistent:
      audit.balance_micros === audit.sum_of_transactions_micros && projected?.total === audit.balance_micros && projected?.n === audit.transaction_count,
  };
}

async function countProjected(db: D1Database, walletId: string): Promise<number> {
  return (await queryFirst<{ n: number }>(db, 'SELECT COUNT(*) AS n FROM wallet_transactions WHERE wallet_id = ?', walletId))?.n ?? 0;
}

/** The seq after which the projection first misses a row (seqs are dense from 1). */
async function firstGap(db: D1Database, walletId: string, maxSeq: number, count: number): Promise<number> {
  if (count === maxSeq) return maxSeq;
  const gap = await queryFirst<{ seq: number }>(
    db,
    `SELECT t.seq FROM wallet_transactions t WHERE t.wallet_id = ?1 AND NOT EXISTS
       (SELECT 1 FROM wallet_transactions n WHERE n.wallet_id = ?1 AND n.seq = t.seq + 1) ORDER BY t.seq LIMIT 1`,
    walletId,
  );
  const hasFirst = await queryFirst(db, 'SELECT 1 AS ok FROM wallet_transactions WHERE wallet_id = ? AND seq = 1', walletId);
  return hasFirst ? (gap?.seq ?? maxSeq) : 0;
}

/** Cron: reconcile the wallets checked least recently. */
export async function reconcileSomeWallets(env: Env, limit = 20): Promise<ProjectionCheck[]> {
  const wallets = await queryAll<{ account_id: string }>(env.DB, 'SELECT account_id FROM wallets ORDER BY reconciled_at LIMIT ?', limit);
  const checks: ProjectionCheck[] = [];
  for (const w of wallets) checks.push(await reconcileProjection(env, w.account_id));
  return checks;
}
