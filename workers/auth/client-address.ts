/**
 * The caller's address for limits counted per address (sign-ups, reset
 * links), from `CF-Connecting-IP`. On Cloudflare it is always the visitor's
 * public address; a loopback address only appears under `wrangler dev`, where
 * the browser, the demo seed and every script on the machine share it, so a
 * per-address limit there would lock out the developer, not an abuser. Those
 * requests count per email only.
 *
 * @example publicClientAddress('203.0.113.7') // '203.0.113.7'
 * @example publicClientAddress('127.0.0.1')   // undefined
 */
export function publicClientAddress(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const address = header.trim().toLowerCase();
  if (address === '::1' || address.startsWith('127.') || address === '::ffff:127.0.0.1') return undefined;
  return address;
}
