/**
 * Ids in Stripe's style: a resource prefix and a random base62 tail whose
 * length matches what Stripe issues for that resource (`cus_QXg1o8vcGmoR32`,
 * `pi_1PgafyB7WZ01zgkWSjxsAJo3`). Ids are random, so they stay unique across
 * every emulated account, the way Stripe's are.
 */
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

export function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    // 248 = 4 * 62: skipping the top bytes keeps every character equally likely.
    for (const b of crypto.getRandomValues(new Uint8Array(length))) {
      if (b < 248 && out.length < length) out += BASE62[b % 62];
    }
  }
  return out;
}

/** Resources whose ids carry the long `1<23 chars>` tail on Stripe. */
const LONG_TAIL = new Set(['pi', 'seti', 'pm', 'ch', 'in', 'il', 'ii', 'evt', 'price', 'sub', 'we', 'clock', 'txn', 'setatt', 'inpay', 'req', 'src', 'fee']);

/**
 * @example stripeId('cus') // "cus_Qx3b9Zk1LmP0aB"
 * @example stripeId('pi')  // "pi_1Qx3b9Zk1LmP0aBcDeFgHiJk"
 */
export function stripeId(prefix: string): string {
  if (LONG_TAIL.has(prefix)) return `${prefix}_1${randomBase62(23)}`;
  return `${prefix}_${randomBase62(14)}`;
}

/** A connected account's id: `acct_1` and 15 characters, like `acct_1PgafTB7WZ01zgkW`. */
export function accountId(): string {
  return `acct_1${randomBase62(15)}`;
}

export function clientSecret(id: string): string {
  return `${id}_secret_${randomBase62(24)}`;
}

export function webhookSecret(): string {
  return `whsec_${randomBase62(32)}`;
}

/** Eight upper-case hex characters, like a customer's `invoice_prefix`. */
export function invoicePrefix(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(4));
  return [...bytes]
    .map((b) => b.toString(16).padStart(2, '0'))
    .join('')
    .toUpperCase();
}
