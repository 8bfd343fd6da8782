import { createRoute } from '@hono/zod-openapi';
import { createRouter, jsonBody, jsonResponse, mutationErrors } from '../platform/router';
import { newEvent, outboxStatement, publishEvents } from '../events/events.outbox';
import { auditStatement } from '../agency/audit/audit.service';
import { exchangeToken, login, logout, refresh } from './auth.service';
import { publicClientAddress } from './client-address';
import { confirmSignup, MAX_SIGNUPS_PER_ADDRESS, requestSignup, SIGNUP_REQUESTED_MESSAGE } from './signup';
import {
  acceptInvitationBodySchema,
  AcceptedInvitationSchema,
  AuthResultSchema,
  loginBodySchema,
  PasswordResetDoneSchema,
  passwordResetBodySchema,
  passwordResetRequestBodySchema,
  PasswordResetRequestedSchema,
  refreshBodySchema,
  signupBodySchema,
  signupConfirmBodySchema,
  SignupRequestedSchema,
  tokenExchangeBodySchema,
} from './auth.schemas';
import { MAX_RESET_REQUESTS_PER_ADDRESS, requestPasswordReset, resetPassword } from './password-reset';
import { assertUser, requireAuth } from './auth.middleware';
import { acceptInvitation } from '../tenancy/account-invitations';
import { DEVICE_COOKIE, DEVICE_HEADER, deviceCookie, deviceTokenOf, issueDeviceToken } from './device-token';
import { MAX_FAILURES_PER_ADDRESS, MAX_FAILURES_PER_DEVICE, MAX_FAILURES_PER_EMAIL, MAX_FAILURES_PER_EMAIL_AND_ADDRESS } from './throttle';

export const authRoutes = createRouter();

// POST /api/auth/signup – start a sign-up: the same "check your email" for every email
authRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/signup',
    tags: ['Auth'],
    summary: 'Sign up',
    description: `Answers 202 with the same body for every email, registered or not, so it tells no one who has an account. A new email is sent a link (24 hours, once) to \`/signup/confirm#token=...\`, whose token POST /api/auth/signup/confirm turns into the account and a session; a registered email is told someone tried, and how to sign in. On the platform address: a business or (agency: true) an agency account. On an agency's custom domain: a client sub-account of that agency when it takes client sign-ups (PUT /api/agency/client-signup), else 403. At most ${MAX_SIGNUPS_PER_ADDRESS} sign-ups per client address per hour (then 429).`,
    request: { body: jsonBody(signupBodySchema) },
    responses: {
      202: jsonResponse(SignupRequestedSchema, 'Taken; a link is on its way'),
      ...mutationErrors,
      429: { description: 'Too many sign-ups from this address' },
    },
  }),
  async (c) => {
    await requestSignup(c.env, c.req.valid('json'), c.var.host.agencyId, publicClientAddress(c.req.header('cf-connecting-ip')));
    return c.json({ message: SIGNUP_REQUESTED_MESSAGE }, 202);
  },
);

// POST /api/auth/signup/confirm – create the account with the emailed link's token, and sign in
authRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/signup/confirm',
    tags: ['Auth'],
    summary: 'Finish signing up',
    description:
      'Uses the token of the emailed sign-up link: creates the account and its owner and signs in. An unknown, used or expired token is a field error on `token`.',
    request: { body: jsonBody(signupConfirmBodySchema) },
    responses: { 201: jsonResponse(AuthResultSchema, 'Account created and signed in'), ...mutationErrors },
  }),
  async (c) => {
    const result = await confirmSignup(c.env, c.req.valid('json').token);
    const deviceToken = await issueDeviceToken(c.env.JWT_SECRET, result.user.id);
    c.header(DEVICE_HEADER, deviceToken);
    c.header('set-cookie', deviceCookie(deviceToken, new URL(c.req.url).protocol === 'https:'));
    return c.json(result, 201);
  },
);

// POST /api/auth/login – exchange email and password for tokens (throttled)
authRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/login',
    tags: ['Auth'],
    summary: 'Log in',
    description: `Failed attempts are counted before the password is checked: ${MAX_FAILURES_PER_EMAIL_AND_ADDRESS} per email from one client address, ${MAX_FAILURES_PER_EMAIL} per email from anywhere, ${MAX_FAILURES_PER_ADDRESS} per address, in 15 minutes; then 429. A device this user signed in from before (the \`${DEVICE_COOKIE}\` cookie a browser keeps, or the \`${DEVICE_HEADER}\` reply header sent back in the same header) has a limit of its own (${MAX_FAILURES_PER_DEVICE}), so others failing elsewhere cannot lock its owner out.`,
    request: { body: jsonBody(loginBodySchema) },
    responses: {
      200: {
        ...jsonResponse(AuthResultSchema, 'Signed in'),
        headers: { [DEVICE_HEADER]: { description: 'Send it back in the same header on later sign-ins from this client', schema: { type: 'string' } } },
      },
      ...mutationErrors,
      429: { description: 'Too many failed attempts' },
    },
  }),
  async (c) => {
    const { result, deviceToken } = await login(c.env, c.req.valid('json'), {
      clientAddress: c.req.header('cf-connecting-ip'),
      deviceToken: deviceTokenOf(c.req),
    });
    c.header(DEVICE_HEADER, deviceToken);
    c.header('set-cookie', deviceCookie(deviceToken, new URL(c.req.url).protocol === 'https:'));
    return c.json(result, 200);
  },
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

// POST /api/auth/password-reset – email a one-time link to choose a new password
authRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/password-reset',
    tags: ['Auth'],
    summary: 'Ask for a password reset link',
    description: `Emails a link that works once within an hour, in the brand of the user's account. The answer is the same whether or not the email has an account; at most 3 links per email per hour are sent, and one client address may ask ${MAX_RESET_REQUESTS_PER_ADDRESS} times per hour (then 429).`,
    request: { body: jsonBody(passwordResetRequestBodySchema) },
    responses: {
      202: jsonResponse(PasswordResetRequestedSchema, 'Taken; a link is on its way if the email has an account'),
      ...mutationErrors,
      429: { description: 'Too many requests from this address' },
    },
  }),
  async (c) => {
    await requestPasswordReset(c.env, c.req.valid('json').email, publicClientAddress(c.req.header('cf-connecting-ip')), (work) =>
      c.executionCtx.waitUntil(work),
    );
    return c.json({ message: 'If an account uses this email, a link to choose a new password is on its way. It works for an hour.' }, 202);
  },
);

// POST /api/auth/password-reset/confirm – set a new password with the emailed link's token
authRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/password-reset/confirm',
    tags: ['Auth'],
    summary: 'Set a new password',
    description:
      'Uses the token of a reset link or an invitation: sets the password, signs the user out of every session, and closes their other links; after a reset, the user is emailed that their password changed. An unknown, used or expired token is a field error on `token`.',
    request: { body: jsonBody(passwordResetBodySchema) },
    responses: { 200: jsonResponse(PasswordResetDoneSchema, 'Password changed; sign in with it'), ...mutationErrors },
  }),
  async (c) => {
    const { token, password } = c.req.valid('json');
    return c.json(await resetPassword(c.env, token, password, (work) => c.executionCtx.waitUntil(work)), 200);
  },
);

// POST /api/auth/invitations/accept – join the account an emailed invitation names (someone who already has a login)
authRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/invitations/accept',
    tags: ['Auth'],
    summary: 'Accept an invitation to join an account',
    description:
      "People who already have a login are invited, never added: the emailed link (`/join-account#token=...`, 7 days, once) makes them a member with the invited role. Sign in as usual afterwards; the account is in the account menu. An unknown, used, withdrawn or expired token is a field error on `token`; the account's plan limits apply now.",
    request: { body: jsonBody(acceptInvitationBodySchema) },
    responses: { 200: jsonResponse(AcceptedInvitationSchema, 'Joined'), ...mutationErrors },
  }),
  async (c) => c.json(await acceptInvitation(c.env.DB, c.req.valid('json').token), 200),
);

// POST /api/auth/token-exchange – switch into another account (agency staff: impersonate a sub-account)
authRoutes.use('/token-exchange', requireAuth());
authRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/token-exchange',
    tags: ['Auth'],
    summary: 'Switch account',
    description:
      "Trades the current token for one scoped to another account the user may enter. Agency owners and admins may enter their sub-accounts; the new token carries an `act` claim naming them, and the entry is recorded in the sub-account's activity.",
    security: [{ bearer: [] }],
    request: { body: jsonBody(tokenExchangeBodySchema) },
    responses: { 200: jsonResponse(AuthResultSchema, 'Token for the other account'), ...mutationErrors },
  }),
  async (c) => {
    const auth = c.var.auth;
    const userId = auth.actorUserId ?? assertUser(auth);
    const { result, actingFromAccountId } = await exchangeToken(c.env, userId, c.req.valid('json').account_id);
    if (actingFromAccountId) {
      const event = newEvent({ accountId: result.account.id, userId, actorUserId: userId }, 'account.impersonation_started', result.account.id, {
        agency_account_id: actingFromAccountId,
        user_id: userId,
        user_name: result.user.name,
      });
      await c.env.DB.batch([
        outboxStatement(c.env.DB, event),
        auditStatement(c.env.DB, {
          agencyAccountId: actingFromAccountId,
          subAccountId: result.account.id,
          actorUserId: userId,
          action: 'impersonation_started',
          requestId: c.var.requestId,
        }),
      ]);
      c.executionCtx.waitUntil(publishEvents(c.env, [event]));
    }
    return c.json(result, 200);
  },
);
