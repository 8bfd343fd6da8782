// Display formatting. Money arrives as a decimal string ("1250.0000"); sums are
// done on integer micro-dollars (BigInt) so a column total never drifts.

const MICROS = 1_000_000n;

/** "1250.5" -> 1250500000n. Invalid input -> 0n. */
export function toMicros(value: string | null | undefined): bigint {
  if (!value) return 0n;
  const m = /^(-)?(\d*)(?:\.(\d*))?$/.exec(value.trim());
  if (!m) return 0n;
  const whole = BigInt(m[2] || '0');
  const frac = BigInt(`${m[3] ?? ''}000000`.slice(0, 6));
  const micros = whole * MICROS + frac;
  return m[1] ? -micros : micros;
}

export function sumMoney(values: (string | null | undefined)[]): bigint {
  return values.reduce((acc, v) => acc + toMicros(v), 0n);
}

const usdWhole = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', maximumFractionDigits: 0 });
const usdCents = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2 });

/** $1,250 for whole dollars, $1,250.50 otherwise. Display only. */
export function formatMoney(value: string | bigint | null | undefined): string {
  const micros = typeof value === 'bigint' ? value : toMicros(value);
  const cents = micros / 10_000n;
  const dollars = Number(cents) / 100;
  return cents % 100n === 0n ? usdWhole.format(dollars) : usdCents.format(dollars);
}

/** Validates a user-typed amount like "1,250.5" and returns "1250.50", or null. */
export function normalizeMoneyInput(input: string): string | null {
  const cleaned = input.replace(/[$,\s]/g, '');
  if (cleaned === '') return null;
  if (!/^\d+(\.\d{1,2})?$/.test(cleaned)) return null;
  const [whole, frac = ''] = cleaned.split('.');
  return `${BigInt(whole).toString()}.${(`${frac}00`).slice(0, 2)}`;
}

/** "1250.0000" -> "1250.00" for an editable input. */
export function moneyToInput(value: string | null | undefined): string {
  if (!value) return '';
  const micros = toMicros(value);
  const cents = micros / 10_000n;
  const whole = cents / 100n;
  const frac = (cents % 100n).toString().padStart(2, '0');
  return `${whole}.${frac}`;
}

const dateFmt = new Intl.DateTimeFormat('en-US', { month: 'short', day: 'numeric', year: 'numeric' });
const dateTimeFmt = new Intl.DateTimeFormat('en-US', {
  month: 'short',
  day: 'numeric',
  year: 'numeric',
  hour: 'numeric',
  minute: '2-digit',
});
const relFmt = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });

function parse(iso: string | null | undefined): Date | null {
  if (!iso) return null;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? null : d;
}

export function formatDate(iso: string | null | undefined): string {
  const d = parse(iso);
  return d ? dateFmt.format(d) : '—';
}

export function formatDateTime(iso: string | null | undefined): string {
  const d = parse(iso);
  return d ? dateTimeFmt.format(d) : '—';
}

/** "3 minutes ago", "yesterday", "in 2 days". */
export function formatRelative(iso: string | null | undefined, now = Date.now()): string {
  const d = parse(iso);
  if (!d) return '—';
  const seconds = Math.round((d.getTime() - now) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 45) return 'just now';
  const units: [Intl.RelativeTimeFormatUnit, number][] = [
    ['minute', 60],
    ['hour', 3600],
    ['day', 86400],
    ['week', 604800],
    ['month', 2629800],
    ['year', 31557600],
  ];
  let chosen = units[0];
  for (const u of units) if (abs >= u[1]) chosen = u;
  return relFmt.format(Math.round(seconds / chosen[1]), chosen[0]);
}

/** ISO timestamp -> "YYYY-MM-DD" in local time, for <input type="date">. */
export function isoToDateInput(iso: string | null | undefined): string {
  const d = parse(iso);
  if (!d) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** "YYYY-MM-DD" -> ISO timestamp at the end of that local day (a due date means "by then"). */
export function dateInputToIso(value: string): string | undefined {
  if (!value) return undefined;
  const [y, m, d] = value.split('-').map(Number);
  return new Date(y, m - 1, d, 17, 0, 0).toISOString();
}

export function contactDisplayName(c: {
  name?: string | null;
  first_name?: string | null;
  last_name?: string | null;
  email?: string | null;
  phone?: string | null;
}): string {
  const full = c.name?.trim() || [c.first_name, c.last_name].filter(Boolean).join(' ').trim();
  return full || c.email || c.phone || 'Unnamed contact';
}

export function initials(name: string): string {
  const parts = name
    .replace(/[^\p{L}\p{N}\s@.]/gu, '')
    .split(/[\s@.]+/)
    .filter(Boolean);
  if (parts.length === 0) return '?';
  if (parts.length === 1) return parts[0].slice(0, 2).toUpperCase();
  return (parts[0][0] + parts[1][0]).toUpperCase();
}

const AVATAR_HUES = [221, 262, 291, 330, 12, 32, 150, 173, 195, 244];

/** A stable pastel colour pair per name. */
export function avatarColors(seed: string): { background: string; color: string } {
  let h = 0;
  for (let i = 0; i < seed.length; i++) h = (h * 31 + seed.charCodeAt(i)) >>> 0;
  const hue = AVATAR_HUES[h % AVATAR_HUES.length];
  return { background: `hsl(${hue} 70% 92%)`, color: `hsl(${hue} 55% 32%)` };
}

export const TAG_COLORS = ['#64748b', '#ef4444', '#f97316', '#eab308', '#22c55e', '#14b8a6', '#3b82f6', '#6366f1', '#a855f7', '#ec4899'];
