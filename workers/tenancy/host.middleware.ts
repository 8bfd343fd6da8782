import { createMiddleware } from 'hono/factory';
import { accountStanding } from '../billing/entitlements';
import { planAllows } from '../billing/plans';
import type { AppEnv, HostContext } from '../platform/context';
import { queryFirst } from '../platform/db';
import { AppError, problemResponse } from '../platform/errors';

/**
 * Host header -> agency, at the edge. The platform's own hosts serve the
 * unbranded app; any other host must be an agency's verified custom domain,
 * and its agency's plan must still include white-label (after a downgrade
 * the domain answers like an unknown one until the plan comes back).
 * Answers are cached per isolate for a short time; `forgetHost` drops one
 * after a domain changes.
 */
export const HOST_CACHE_TTL_MS = 30_000;
const cache = new Map<string, { value: HostContext | null; expiresAt: number }>();

export function forgetHost(hostname: string): void {
  cache.delete(hostname.toLowerCase());
}

export function isPlatformHost(hostname: string, platformHosts: string): boolean {
  return platformHosts
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean)
    .some((pattern) => (pattern.startsWith('*.') ? hostname.endsWith(pattern.slice(1)) : hostname === pattern));
}

export async function resolveHost(env: Env, hostname: string, now = Date.now()): Promise<HostContext | null> {
  const host = hostname.toLowerCase();
  if (isPlatformHost(host, env.PLATFORM_HOSTS)) return { hostname: host, agencyId: null };
  const cached = cache.get(host);
  if (cached && cached.expiresAt > now) return cached.value;
  const agency = await queryFirst<{ id: string; account_id: string }>(env.DB, 'SELECT id, account_id FROM agencies WHERE custom_domain = ?', host);
  const serving = agency !== null && planAllows((await accountStanding(env.DB, agency.account_id)).plan, 'white_label');
  const value = agency && serving ? { hostname: host, agencyId: agency.id } : null;
  cache.set(host, { value, expiresAt: now + HOST_CACHE_TTL_MS });
  return value;
}

const UNKNOWN_HOST_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>Not found</title>
<style>body{font-family:system-ui,sans-serif;display:grid;place-items:center;min-height:100vh;margin:0;color:#334155;background:#f8fafc}main{text-align:center}h1{font-size:1.5rem}</style></head>
<body><main><h1>This address is not set up</h1><p>There is no app at this address. Check the link you were given.</p></main></body></html>`;

export function resolveHostMiddleware() {
  return createMiddleware<AppEnv>(async function resolveHostMiddleware(c, next) {
    const hostname = new URL(c.req.url).hostname;
    const host = await resolveHost(c.env, hostname);
    if (!host) {
      if (c.req.path.startsWith('/api/')) {
        return problemResponse(new AppError('not_found', 'There is no app at this address.'), c.req.path);
      }
      return c.html(UNKNOWN_HOST_PAGE, 404);
    }
    c.set('host', host);
    await next();
  });
}
