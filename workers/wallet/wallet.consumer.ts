import type { WalletQueueMessage } from '../../durable-objects/wallet/wallet.messages';
import { sendNoticeEmailsSoon } from '../email/notice-delivery';
import { isEmailedNotice } from '../email/notice-email';
import { createId } from '../platform/ids';
import { createLogger } from '../platform/logger';
import { displayUsd } from '../platform/money';
import { projectionStatements } from './projection';

/**
 * Consumes what wallets publish after commit: ledger rows go into the D1
 * projection (idempotent by transaction id); notices become notifications
 * for the account, or start an auto-recharge.
 */
export async function handleWalletMessages(
  batch: MessageBatch<WalletQueueMessage>,
  env: Env,
  startRecharge: (env: Env, message: WalletQueueMessage & { kind: 'notice' }) => Promise<void>,
): Promise<void> {
  const log = createLogger({ consumer: 'wallet' });
  const transactions = batch.messages.filter((m) => m.body.kind === 'transaction');
  if (transactions.length > 0) {
    const statements = transactions.flatMap((m) => {
      const body = m.body as WalletQueueMessage & { kind: 'transaction' };
      return projectionStatements(env.DB, body.wallet_id, body.account_id, [body.transaction]);
    });
    try {
      await env.DB.batch(statements);
      for (const m of transactions) m.ack();
    } catch (err) {
      log.error('wallet projection failed', { error: err instanceof Error ? err.message : String(err) });
      for (const m of transactions) m.retry({ delaySeconds: 5 });
    }
  }
  for (const message of batch.messages) {
    const body = message.body;
    if (body.kind !== 'notice') continue;
    try {
      if (body.notice.kind === 'recharge.requested') await startRecharge(env, body);
      else await notify(env, body);
      message.ack();
    } catch (err) {
      log.error('wallet notice failed', { kind: body.notice.kind, error: err instanceof Error ? err.message : String(err) });
      message.retry({ delaySeconds: 10 });
    }
  }
}

async function notify(env: Env, body: WalletQueueMessage & { kind: 'notice' }): Promise<void> {
  const { kind, payload, created_at } = body.notice;
  const message =
    kind === 'wallet.low_balance'
      ? `Your wallet balance is ${displayUsd(Number(payload.balance_micros))}, below ${displayUsd(Number(payload.threshold_micros))}. Add funds or turn on auto-recharge so messages keep sending.`
      : kind === 'recharge.failed'
        ? `Auto-recharge failed (${String(payload.reason)}). Update your card or the auto-recharge settings; auto-recharge stays off until you do.`
        : kind === 'recharge.limit_reached'
          ? `Auto-recharge did not charge your card: ${String(payload.reason)}`
          : `Wallet notice: ${kind}`;
  const emailed = isEmailedNotice(kind);
  await env.DB.prepare(
    'INSERT INTO notifications (id, account_id, kind, message, dedupe_key, created_at, email_status, email_next_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (dedupe_key) DO NOTHING',
  )
    .bind(
      createId('notification'),
      body.account_id,
      kind,
      message,
      `${body.wallet_id}:${kind}:${created_at}`,
      created_at,
      emailed ? 'pending' : null,
      emailed ? created_at : null,
    )
    .run();
  if (emailed) await sendNoticeEmailsSoon(env, body.account_id);
}
