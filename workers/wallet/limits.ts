import { displayUsd } from '../platform/money';

/**
 * The bounds of money moved into a wallet by card: what one top-up (by hand
 * or by auto-recharge) may be, the lowest auto-recharge threshold, and the
 * most auto-recharge may charge an account's card in one UTC day.
 */

export const MICROS_PER_CENT = 10_000;
export const MIN_TOP_UP_MICROS = 5_000_000;
export const MAX_TOP_UP_MICROS = 10_000_000_000;
/** Auto-recharge starts only below a threshold of at least this: below it a wallet is all but empty. */
export const MIN_RECHARGE_THRESHOLD_MICROS = 1_000_000;
/** The most auto-recharge charges an account's card in one UTC day, however much is spent. */
export const AUTO_RECHARGE_DAILY_LIMIT_MICROS = 10_000_000_000;

/** Whether a card charge into a wallet is within the bounds every top-up keeps. */
export function isTopUpAmount(amountMicros: number): boolean {
  return Number.isSafeInteger(amountMicros) && amountMicros % MICROS_PER_CENT === 0 && amountMicros >= MIN_TOP_UP_MICROS && amountMicros <= MAX_TOP_UP_MICROS;
}

/** Those bounds, as said in errors: "whole cents from $5.00 to $10,000.00". */
export const TOP_UP_BOUNDS = `whole cents from ${displayUsd(MIN_TOP_UP_MICROS)} to ${displayUsd(MAX_TOP_UP_MICROS)}`;
