/** Random opaque tokens (refresh tokens, API keys), stored only as SHA-256 hashes. */
export function randomToken(bytes = 32): string {
  const raw = crypto.getRandomValues(new Uint8Array(bytes));
  let s = '';
  for (const b of raw) s += String.fromCharCode(b);
  return btoa(s).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

export async function sha256Hex(value: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(value));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** API keys look like `crm_live_<43 chars>`; the prefix lets the auth layer tell them from JWTs. */
export const API_KEY_PREFIX = 'crm_live_';
