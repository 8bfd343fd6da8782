import type { LedgerTransaction } from './wallet.ledger';

/** What a wallet sends to the wallet Queue after commit. */
export type WalletQueueMessage =
  | { kind: 'transaction'; wallet_id: string; account_id: string; transaction: LedgerTransaction }
  | {
      kind: 'notice';
      wallet_id: string;
      account_id: string;
      notice: { kind: 'recharge.requested' | 'recharge.failed' | 'wallet.low_balance' | string; payload: Record<string, unknown>; created_at: number };
    };
