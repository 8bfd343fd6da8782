import type { Context } from 'hono';
import type { AppEnv, AuthContext } from './context';

/** What a service verb needs from the request: bindings, the caller and a way to finish work after the reply. */
export interface ServiceDeps {
  env: Env;
  db: D1Database;
  auth: AuthContext;
  waitUntil: (promise: Promise<unknown>) => void;
}

export function depsOf(c: Context<AppEnv>): ServiceDeps {
  return { env: c.env, db: c.env.DB, auth: c.var.auth, waitUntil: (p) => c.executionCtx.waitUntil(p) };
}
