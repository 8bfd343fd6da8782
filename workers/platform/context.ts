import type { Logger } from './logger';

export type Role = 'owner' | 'admin' | 'member';

/** Who is calling and in which tenant; set once by the auth middleware. */
export interface AuthContext {
  accountId: string;
  /** The user the token was issued to; null for API keys. */
  userId: string | null;
  role: Role;
  /** The agency user acting inside this account (RFC 8693 `act`), when impersonating. */
  actorUserId: string | null;
  /** The agency account the acting user came from (the `act` claim's `acc`), when impersonating. */
  actorAccountId: string | null;
  via: 'session' | 'api_key';
  sessionId: string | null;
}

/** Which agency (if any) the request's Host belongs to. */
export interface HostContext {
  hostname: string;
  agencyId: string | null;
}

export interface AppVariables {
  requestId: string;
  log: Logger;
  host: HostContext;
  auth: AuthContext;
}

export type AppEnv = { Bindings: Env; Variables: AppVariables };
