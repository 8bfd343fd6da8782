import type { WalletQueueMessage } from '../../durable-objects/wallet/wallet.messages';

// Interim: replaced by the Stripe-backed implementation.
export async function startAutoRecharge(_env: Env, _message: WalletQueueMessage & { kind: 'notice' }): Promise<void> {
  throw new Error('auto-recharge needs the Stripe client');
}
