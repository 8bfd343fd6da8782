// How an agency tier's limits read, shared by the tiers editor and the client plan dialog.

const count = new Intl.NumberFormat('en-US');

function limit(value: number | null, noun: string): string {
  return value === null ? `Unlimited ${noun}s` : `${count.format(value)} ${value === 1 ? noun : `${noun}s`}`;
}

/**
 * "2,500 contacts · 3 users". A tier without a user limit allows what the
 * agency's own plan allows (`planUsers`; null: unlimited).
 */
export function limitLine(tier: { contacts: number | null; users: number | null }, planUsers: number | null = null): string {
  return `${limit(tier.contacts, 'contact')} · ${limit(tier.users ?? planUsers, 'user')}`;
}

export function formatCount(n: number): string {
  return count.format(n);
}
