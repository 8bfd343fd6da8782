// Exact money display for the wallet. Usage is priced in micro-dollars, so a
// debit can be $0.000216: amounts keep every significant decimal (at least
// two) instead of rounding to cents, and all arithmetic stays in BigInt.
import { toMicros } from '../ui/format';

const MICROS = 1_000_000n;
const grouping = new Intl.NumberFormat('en-US');

/** "-0.000216" -> "-$0.000216", "1250.5000" -> "$1,250.50". With `sign`, positives get a "+". */
export function formatUsd(value: string | bigint | null | undefined, opts: { sign?: boolean } = {}): string {
  const micros = typeof value === 'bigint' ? value : toMicros(value);
  const negative = micros < 0n;
  const abs = negative ? -micros : micros;
  const whole = grouping.format(abs / MICROS);
  const frac = (abs % MICROS).toString().padStart(6, '0').replace(/0+$/, '').padEnd(2, '0');
  const sign = negative ? '-' : opts.sign && micros > 0n ? '+' : '';
  return `${sign}$${whole}.${frac}`;
}

/** Dollars as a float, for drawing only (bar heights); never for sums. */
export function microsToNumber(micros: bigint): number {
  return Number(micros) / 1_000_000;
}

/** An ISO instant at the start of the local day "YYYY-MM-DD" (plus `addDays`). */
export function localDayStart(date: string, addDays = 0): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) return undefined;
  return new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + addDays).toISOString();
}

/** Today (local) as "YYYY-MM-DD", shifted by `addDays`. */
export function localDate(addDays = 0, from = new Date()): string {
  const d = new Date(from.getFullYear(), from.getMonth(), from.getDate() + addDays);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}
