import { jwtVerify, SignJWT, errors as joseErrors } from 'jose';
import type { Role } from '../platform/context';
import { AppError } from '../platform/errors';

export const ACCESS_TOKEN_TTL_SECONDS = 15 * 60;
export const REFRESH_TOKEN_TTL_SECONDS = 30 * 24 * 60 * 60;
/** Agency staff inside a client account stay at most a working day before they must switch in again. */
export const IMPERSONATION_SESSION_TTL_SECONDS = 8 * 60 * 60;
const ISSUER = 'edge-crm';
const AUDIENCE = 'edge-crm-api';

export interface AccessClaims {
  /** The user. */
  sub: string;
  /** The one account this token is scoped to. */
  acc: string;
  role: Role;
  /** The refresh session this token belongs to. */
  sid: string;
  /** RFC 8693 actor: the agency user acting inside this account. */
  act?: { sub: string; acc?: string };
}

function signingKey(secret: string | undefined): Uint8Array {
  if (!secret || secret.length < 32) {
    throw new Error('JWT_SECRET must be set to at least 32 characters');
  }
  return new TextEncoder().encode(secret);
}

export async function signAccessToken(secret: string | undefined, claims: AccessClaims): Promise<string> {
  const { sub, ...rest } = claims;
  return new SignJWT({ ...rest })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(sub)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setJti(crypto.randomUUID())
    .setExpirationTime(`${ACCESS_TOKEN_TTL_SECONDS}s`)
    .sign(signingKey(secret));
}

export async function verifyAccessToken(secret: string | undefined, token: string): Promise<AccessClaims> {
  try {
    // A token must say when it ends, and none lives longer than an access token does.
    const { payload } = await jwtVerify(token, signingKey(secret), {
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: ['HS256'],
      requiredClaims: ['exp', 'iat'],
      maxTokenAge: ACCESS_TOKEN_TTL_SECONDS,
    });
    if (typeof payload.exp !== 'number' || typeof payload.iat !== 'number' || payload.exp - payload.iat > ACCESS_TOKEN_TTL_SECONDS) {
      throw new AppError('unauthorized', 'The access token is not valid.');
    }
    const { sub, acc, role, sid, act } = payload as Record<string, unknown>;
    if (typeof sub !== 'string' || typeof acc !== 'string' || typeof sid !== 'string' || (role !== 'owner' && role !== 'admin' && role !== 'member')) {
      throw new AppError('unauthorized', 'The access token is malformed.');
    }
    const actor =
      act && typeof act === 'object' && 'sub' in act && typeof act.sub === 'string'
        ? { sub: act.sub, ...('acc' in act && typeof act.acc === 'string' ? { acc: act.acc } : {}) }
        : undefined;
    return { sub, acc, role, sid, ...(actor ? { act: actor } : {}) };
  } catch (err) {
    if (err instanceof AppError) throw err;
    if (err instanceof joseErrors.JWTExpired) throw new AppError('unauthorized', 'The access token has expired; refresh it.');
    throw new AppError('unauthorized', 'The access token is not valid.');
  }
}
