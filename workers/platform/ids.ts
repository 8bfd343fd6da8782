/**
 * Prefixed, time-sortable ids from one registry, so an id says what it names
 * and sorts by creation time.
 *
 * @example createId('contact') // "ctc_01JD5X8K2M9Q4R7T3V6W8Y0Z1A"
 */
export const ID_PREFIXES = {
  account: 'acc',
  agency: 'agy',
  subAccount: 'sub',
  user: 'usr',
  membership: 'mem',
  session: 'ses',
  passwordReset: 'pwr',
  invitation: 'inv',
  signupRequest: 'sgn',
  apiKey: 'key',
  contact: 'ctc',
  tag: 'tag',
  customField: 'cfd',
  note: 'not',
  task: 'tsk',
  pipeline: 'pip',
  stage: 'stg',
  opportunity: 'opp',
  event: 'evt',
  activity: 'act',
  request: 'req',
  wallet: 'wal',
  walletTransaction: 'wtx',
  hold: 'hld',
  recharge: 'rch',
  topUp: 'top',
  usageCharge: 'uch',
  notification: 'ntf',
  dunningCase: 'dun',
  dunningStep: 'dst',
  billingEvent: 'ble',
  auditEntry: 'aud',
  agencyTier: 'atr',
} as const;

export type IdKind = keyof typeof ID_PREFIXES;

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

function encodeTime(ms: number): string {
  let out = '';
  let rest = ms;
  for (let i = 0; i < 10; i++) {
    out = CROCKFORD[rest % 32] + out;
    rest = Math.floor(rest / 32);
  }
  return out;
}

function encodeRandom(length: number): string {
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  let out = '';
  for (const b of bytes) out += CROCKFORD[b & 31];
  return out;
}

let lastTime = 0;
let lastRandom = '';

/** A ULID-style id (48-bit ms time + 80 random bits), monotonic within an isolate. */
export function createId(kind: IdKind, now: number = Date.now()): string {
  let random: string;
  if (now <= lastTime) {
    random = incrementBase32(lastRandom);
    now = lastTime;
  } else {
    random = encodeRandom(16);
  }
  lastTime = now;
  lastRandom = random;
  return `${ID_PREFIXES[kind]}_${encodeTime(now)}${random}`;
}

function incrementBase32(value: string): string {
  const chars = value.split('');
  for (let i = chars.length - 1; i >= 0; i--) {
    const index = CROCKFORD.indexOf(chars[i]);
    if (index < 31) {
      chars[i] = CROCKFORD[index + 1];
      return chars.join('');
    }
    chars[i] = '0';
  }
  return encodeRandom(16);
}

/** True when `id` has the prefix of `kind`; used to answer 404 early for ids of the wrong kind. */
export function hasPrefix(id: string, kind: IdKind): boolean {
  return id.startsWith(`${ID_PREFIXES[kind]}_`);
}
