import { AppError } from './errors';

/** Micro-dollars per dollar. All money is integer micros inside the product. */
export const MICROS_PER_DOLLAR = 1_000_000n;

const DECIMAL_USD = /^(-)?(\d{1,12})(?:\.(\d{1,6}))?$/;

/**
 * Parses a decimal USD string into integer micro-dollars without floating point.
 *
 * @example parseUsd('12.5') // 12_500_000
 */
export function parseUsd(value: string, field = 'amount'): number {
  const match = DECIMAL_USD.exec(value.trim());
  if (!match) {
    throw new AppError('validation_failed', `${field} must be a decimal amount in USD with at most 6 decimals.`, {
      errors: [{ field, message: 'Expected a decimal string such as "1250.00".' }],
    });
  }
  const [, sign, whole, fraction = ''] = match;
  const micros = BigInt(whole) * MICROS_PER_DOLLAR + BigInt(fraction.padEnd(6, '0'));
  const signed = sign ? -micros : micros;
  if (signed > BigInt(Number.MAX_SAFE_INTEGER) || signed < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new AppError('validation_failed', `${field} is too large.`, { errors: [{ field, message: 'Amount is too large.' }] });
  }
  return Number(signed);
}

/**
 * Formats integer micro-dollars as a decimal USD string with 4 places, the
 * API's money format. Extra precision is kept rather than rounded away.
 *
 * @example formatUsd(11_850) // "0.01185"
 * @example formatUsd(12_000_000) // "12.0000"
 */
export function formatUsd(micros: number): string {
  if (!Number.isSafeInteger(micros)) throw new Error(`money must be integer micros, got ${micros}`);
  const negative = micros < 0;
  const abs = BigInt(Math.abs(micros));
  const whole = abs / MICROS_PER_DOLLAR;
  let fraction = (abs % MICROS_PER_DOLLAR).toString().padStart(6, '0');
  fraction = fraction.replace(/0+$/, '');
  if (fraction.length < 4) fraction = fraction.padEnd(4, '0');
  return `${negative ? '-' : ''}${whole}.${fraction}`;
}

/**
 * Money for sentences people read: "$1,250.00", with sub-cent digits kept
 * when there are any ("$0.01185"). JSON fields use `formatUsd` instead.
 *
 * @example displayUsd(5_000_000) // "$5.00"
 * @example displayUsd(11_850) // "$0.01185"
 */
export function displayUsd(micros: number): string {
  const exact = formatUsd(micros);
  const negative = exact.startsWith('-');
  const [whole, fraction] = (negative ? exact.slice(1) : exact).split('.');
  const cents = fraction.replace(/0+$/, '').padEnd(2, '0');
  return `${negative ? '-' : ''}$${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${cents}`;
}
