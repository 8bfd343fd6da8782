// Exact usage-price arithmetic for the markup editor, the same as the
// server's price book (workers/wallet/price-book.ts): price = cost ×
// multiplier in integer micro-dollars, rounded half up once. No floats.
import { toMicros } from '../../ui/format';

export interface Multiplier {
  numerator: bigint;
  denominator: bigint;
}

const MULTIPLIER = /^(\d{1,3})(?:\.(\d{1,4}))?$/;

/** "1.5" -> 15/10; null for anything the API would refuse as malformed. */
export function parseMultiplier(text: string): Multiplier | null {
  const m = MULTIPLIER.exec(text.trim());
  if (!m) return null;
  const fraction = m[2] ?? '';
  return { numerator: BigInt(m[1] + fraction), denominator: 10n ** BigInt(fraction.length) };
}

/** True for multipliers under 1.0, which would sell under cost (the API refuses them). */
export function belowCost(m: Multiplier): boolean {
  return m.numerator < m.denominator;
}

/** The highest multiplier the API accepts: beyond it a slip ("150" for 150%) would drain clients' wallets. */
export const MAX_MULTIPLIER = 20n;

/** True for multipliers over MAX_MULTIPLIER (the API refuses them). */
export function aboveMaximum(m: Multiplier): boolean {
  return m.numerator > m.denominator * MAX_MULTIPLIER;
}

/** What a client pays per unit size: cost × multiplier, rounded half up. */
export function priceMicros(cost: string, m: Multiplier): bigint {
  const exact = toMicros(cost) * m.numerator;
  return (exact * 2n + m.denominator) / (m.denominator * 2n);
}

/** The agency's margin per unit size at a multiplier: its price minus the platform's. */
export function marginMicros(cost: string, platformPrice: string, m: Multiplier): bigint {
  return priceMicros(cost, m) - toMicros(platformPrice);
}

/** "per message", "per 1,000 tokens". */
export function perUnit(unit: string, unitSize: number): string {
  return unitSize === 1 ? `per ${unit}` : `per ${unitSize.toLocaleString('en-US')} ${unit}s`;
}
