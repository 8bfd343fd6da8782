import { randomToken } from './secrets';

/**
 * A device token marks a browser or client that has signed in as a user
 * before. It is no credential (the password is still checked); it only lets
 * that device's sign-ins be counted on a throttle of their own, so strangers
 * failing from elsewhere cannot lock its owner out. Stateless: the user id,
 * issue time and a random id, signed with HMAC-SHA256 under a key derived
 * from JWT_SECRET.
 *
 * Browsers get it as an HttpOnly cookie on sign-in (sent back by themselves);
 * API clients read the `x-device-token` reply header and send it back in the
 * same header.
 */
export const DEVICE_COOKIE = 'crm_device';
export const DEVICE_HEADER = 'x-device-token';
export const DEVICE_TOKEN_TTL_MS = 365 * 24 * 60 * 60 * 1000;
const VERSION = 'dv1';

export interface KnownDevice {
  userId: string;
  /** The random id, to key this device's own throttle. */
  id: string;
}

async function hmacKey(secret: string | undefined): Promise<CryptoKey> {
  if (!secret || secret.length < 32) throw new Error('JWT_SECRET must be set to at least 32 characters');
  // A key of its own, so a device token can never pass for anything signed with the JWT key.
  return crypto.subtle.importKey('raw', new TextEncoder().encode(`device-token:${secret}`), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
}

const toB64Url = (bytes: ArrayBuffer) =>
  btoa(String.fromCharCode(...new Uint8Array(bytes)))
    .replaceAll('+', '-')
    .replaceAll('/', '_')
    .replace(/=+$/, '');

function fromB64Url(value: string): Uint8Array | null {
  try {
    const s = atob(value.replaceAll('-', '+').replaceAll('_', '/'));
    return Uint8Array.from(s, (ch) => ch.charCodeAt(0));
  } catch {
    return null;
  }
}

export async function issueDeviceToken(secret: string | undefined, userId: string, now = Date.now()): Promise<string> {
  const body = `${VERSION}.${userId}.${now.toString(36)}.${randomToken(12)}`;
  const signature = await crypto.subtle.sign('HMAC', await hmacKey(secret), new TextEncoder().encode(body));
  return `${body}.${toB64Url(signature)}`;
}

/** The device a token names, when its signature holds and it is less than a year old; null otherwise. */
export async function readDeviceToken(secret: string | undefined, token: string | undefined | null, now = Date.now()): Promise<KnownDevice | null> {
  if (!token || token.length > 300) return null;
  const parts = token.split('.');
  if (parts.length !== 5 || parts[0] !== VERSION) return null;
  const [version, userId, issued, id, signature] = parts as [string, string, string, string, string];
  const bytes = fromB64Url(signature);
  if (!bytes) return null;
  const valid = await crypto.subtle.verify('HMAC', await hmacKey(secret), bytes, new TextEncoder().encode(`${version}.${userId}.${issued}.${id}`));
  const issuedAt = parseInt(issued, 36);
  if (!valid || !Number.isFinite(issuedAt) || now - issuedAt > DEVICE_TOKEN_TTL_MS) return null;
  return { userId, id };
}

/** The device token a request carries: the header (API clients) or the cookie (browsers). */
export function deviceTokenOf(headers: { header: (name: string) => string | undefined }): string | null {
  const fromHeader = headers.header(DEVICE_HEADER);
  if (fromHeader) return fromHeader;
  const cookie = headers.header('cookie') ?? '';
  const match = new RegExp(`(?:^|;\\s*)${DEVICE_COOKIE}=([^;]+)`).exec(cookie);
  return match ? decodeURIComponent(match[1] as string) : null;
}

/** The Set-Cookie value remembering this device; scoped to the sign-in routes, never readable by scripts. */
export function deviceCookie(token: string, secure: boolean): string {
  return `${DEVICE_COOKIE}=${encodeURIComponent(token)}; Path=/api/auth; Max-Age=${Math.floor(DEVICE_TOKEN_TTL_MS / 1000)}; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}
