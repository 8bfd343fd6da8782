import { createMiddleware } from 'hono/factory';
import type { AppEnv } from './context';
import { createId } from './ids';
import { createLogger } from './logger';

const INCOMING_ID = /^[A-Za-z0-9_.:-]{1,100}$/;

/** Gives every request an id (kept from `x-request-id` when sane), a logger carrying it, and one access log line. */
export function requestContext() {
  return createMiddleware<AppEnv>(async function requestContext(c, next) {
    const incoming = c.req.header('x-request-id');
    const requestId = incoming && INCOMING_ID.test(incoming) ? incoming : createId('request');
    const log = createLogger({ request_id: requestId });
    c.set('requestId', requestId);
    c.set('log', log);
    const started = Date.now();
    await next();
    c.header('x-request-id', requestId);
    if (c.req.path.startsWith('/api/')) {
      c.var.log.info('request', { method: c.req.method, path: c.req.path, status: c.res.status, duration_ms: Date.now() - started });
    }
  });
}
