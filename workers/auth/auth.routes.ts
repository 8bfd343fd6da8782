import { createRoute } from '@hono/zod-openapi';
import { createRouter, jsonBody, jsonResponse, mutationErrors } from '../platform/router';
import { newEvent, outboxStatement, publishEvents } from '../events/events.outbox';
import { auditStatement } from '../agency/audit/audit.service';
import { exchangeToken, login, logout, refresh, signup } from './auth.service';
import { AuthResultSchema, loginBodySchema, refreshBodySchema, signupBodySchema, tokenExchangeBodySchema } from './auth.schemas';
import { assertUser, requireAuth } from './auth.middleware';

export const authRoutes = createRouter();

// POST /api/auth/signup – create an account (business or agency; on an agency's domain, a client sub-account) and its owner
authRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/signup',
    tags: ['Auth'],
    summary: 'Sign up',
    description: 'On the platform address: a business or (agency: true) an agency account. On an agency\'s custom domain: a client sub-account of that agency when it takes client sign-ups (PUT /api/agency/client-signup), else 403.',
    request: { body: jsonBody(signupBodySchema) },
    responses: { 201: jsonResponse(AuthResultSchema, 'Account created and signed in'), ...mutationErrors },
  }),
  async (c) => c.json(await signup(c.env, c.req.valid('json'), c.var.host.agencyId), 201),
);

// POST /api/auth/login – exchange email and password for tokens (throttled)
authRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/login',
    tags: ['Auth'],
    summary: 'Log in',
    request: { body: jsonBody(loginBodySchema) },
    responses: { 200: jsonResponse(AuthResultSchema, 'Signed in'), ...mutationErrors, 429: { description: 'Too many failed attempts' } },
  }),
  async (c) => c.json(await login(c.env, c.req.valid('json'), c.req.header('cf-connecting-ip')), 200),
);

// POST /api/auth/refresh – rotate a refresh token into a new token pair
authRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/refresh',
    tags: ['Auth'],
    summary: 'Refresh tokens',
    request: { body: jsonBody(refreshBodySchema) },
    responses: { 200: jsonResponse(AuthResultSchema, 'New token pair'), ...mutationErrors },
  }),
  async (c) => c.json(await refresh(c.env, c.req.valid('json').refresh_token), 200),
);

// POST /api/auth/logout – revoke a refresh token
authRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/logout',
    tags: ['Auth'],
    summary: 'Log out',
    request: { body: jsonBody(refreshBodySchema) },
    responses: { 204: { description: 'Signed out' }, ...mutationErrors },
  }),
  async (c) => {
    await logout(c.env, c.req.valid('json').refresh_token);
    return c.body(null, 204);
  },
);

// POST /api/auth/token-exchange – switch into another account (agency staff: impersonate a sub-account)
authRoutes.use('/token-exchange', requireAuth());
authRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/token-exchange',
    tags: ['Auth'],
    summary: 'Switch account',
    description: 'Trades the current token for one scoped to another account the user may enter. Agency owners and admins may enter their sub-accounts; the new token carries an `act` claim naming them, and the entry is recorded in the sub-account\'s activity.',
    security: [{ bearer: [] }],
    request: { body: jsonBody(tokenExchangeBodySchema) },
    responses: { 200: jsonResponse(AuthResultSchema, 'Token for the other account'), ...mutationErrors },
  }),
  async (c) => {
    const auth = c.var.auth;
    const userId = auth.actorUserId ?? assertUser(auth);
    const { result, actingFromAccountId } = await exchangeToken(c.env, userId, c.req.valid('json').account_id);
    if (actingFromAccountId) {
      const event = newEvent(
        { accountId: result.account.id, userId, actorUserId: userId },
        'account.impersonation_started',
        result.account.id,
        { agency_account_id: actingFromAccountId, user_id: userId, user_name: result.user.name },
      );
      await c.env.DB.batch([
        outboxStatement(c.env.DB, event),
        auditStatement(c.env.DB, { agencyAccountId: actingFromAccountId, subAccountId: result.account.id, actorUserId: userId, action: 'impersonation_started', requestId: c.var.requestId }),
      ]);
      c.executionCtx.waitUntil(publishEvents(c.env, [event]));
    }
    return c.json(result, 200);
  },
);
