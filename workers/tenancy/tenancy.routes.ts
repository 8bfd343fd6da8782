import { createRoute, z } from '@hono/zod-openapi';
import { text } from '../platform/text';
import { listAuditLog } from '../agency/audit/audit.service';
import { assertRole, assertUser } from '../auth/auth.middleware';
import { ME_ACCOUNTS_SHOWN, MeSchema, ReachableAccountPageSchema } from '../auth/auth.schemas';
import { queryFirst } from '../platform/db';
import { depsOf } from '../platform/deps';
import { AppError } from '../platform/errors';
import { createRouter, IdParamSchema, jsonBody, jsonResponse, mutationErrors, PageQuerySchema, pageSchema, standardErrors } from '../platform/router';
import { createApiKey, listApiKeys, revokeApiKey, serializeApiKey } from './api-keys.service';
import { createSubAccount, getSubAccountOrThrow, listSubAccounts, serializeSubAccount, updateSubAccount } from './sub-accounts.service';
import { addTeamMember, changeRole, listTeam, removeTeamMember, resendInvitation, serializeTeamMember } from './team.service';
import {
  addTeamMemberBodySchema,
  ApiKeySchema,
  AuditEntrySchema,
  createApiKeyBodySchema,
  CreatedApiKeySchema,
  createSubAccountBodySchema,
  InvitationSentSchema,
  SubAccountPageSchema,
  SubAccountSchema,
  subAccountQuerySchema,
  TeamMemberSchema,
  updateSubAccountBodySchema,
  updateTeamMemberBodySchema,
} from './tenancy.schemas';
import { getAccountOrThrow, getAgencyForAccount, listAccessibleAccounts } from './tenancy.service';

export const tenancyRoutes = createRouter();
const security = [{ bearer: [] }];

// GET /api/me – the caller, the current account, and the accounts they can switch into
tenancyRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/me',
    tags: ['Account'],
    summary: 'Current user and account',
    security,
    responses: { 200: jsonResponse(MeSchema, 'Who is calling'), ...standardErrors },
  }),
  async (c) => {
    const auth = c.var.auth;
    const account = await getAccountOrThrow(c.env.DB, auth.accountId);
    const findUser = (id: string) => queryFirst<{ id: string; email: string; name: string }>(c.env.DB, 'SELECT id, email, name FROM users WHERE id = ?', id);
    const user = auth.userId ? await findUser(auth.userId) : null;
    const actingUser = auth.actorUserId ? await findUser(auth.actorUserId) : null;
    const person = auth.actorUserId ?? auth.userId;
    const accounts = person ? await listAccessibleAccounts(c.env.DB, person, { limit: ME_ACCOUNTS_SHOWN }) : { data: [], next_cursor: null };
    return c.json(
      {
        user,
        account: { id: account.id, name: account.name, kind: account.kind, status: account.status },
        role: auth.role,
        acting_user: actingUser,
        accounts: accounts.data,
        accounts_more: accounts.next_cursor !== null,
      },
      200,
    );
  },
);

// GET /api/me/accounts – every account the caller can switch into, a page at a time, searchable by name
tenancyRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/me/accounts',
    tags: ['Account'],
    summary: 'Accounts to switch into',
    security,
    description: 'Agencies first, then businesses, then client accounts, each in name order. While impersonating, the accounts of the agency user acting.',
    request: { query: PageQuerySchema.extend({ q: text().max(100).optional().openapi({ description: 'Part of the name, any case' }) }) },
    responses: { 200: jsonResponse(ReachableAccountPageSchema, 'Accounts'), ...standardErrors },
  }),
  async (c) => {
    const person = c.var.auth.actorUserId ?? c.var.auth.userId;
    const query = c.req.valid('query');
    if (!person) return c.json({ data: [], next_cursor: null }, 200);
    return c.json(await listAccessibleAccounts(c.env.DB, person, { q: query.q, cursor: query.cursor, limit: query.limit }), 200);
  },
);

// GET /api/users – team members of this account
tenancyRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/users',
    tags: ['Team'],
    summary: 'List team members',
    security,
    responses: { 200: jsonResponse(pageSchema(TeamMemberSchema, 'TeamMemberPage'), 'Team'), ...standardErrors },
  }),
  async (c) => c.json({ data: (await listTeam(depsOf(c))).map((row) => serializeTeamMember(row)), next_cursor: null }, 200),
);

// POST /api/users – add a person to this account with a role
tenancyRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/users',
    tags: ['Team'],
    summary: 'Add a team member',
    security,
    description:
      'A new person is added (with the password given, or invited by email to choose one). Someone who already has a login is only invited: they join when they accept the emailed link (POST /api/auth/invitations/accept), and until then the team list shows them as invited, with the name and email typed here. DELETE /api/users/{id} withdraws an invitation; PATCH changes its role.',
    request: { body: jsonBody(addTeamMemberBodySchema) },
    responses: { 201: jsonResponse(TeamMemberSchema, 'Added'), ...mutationErrors },
  }),
  async (c) => {
    assertRole(c.var.auth, 'admin', 'manage the team');
    const { member, invitation } = await addTeamMember(depsOf(c), c.req.valid('json'));
    return c.json(serializeTeamMember(member, invitation), 201);
  },
);

// POST /api/users/:id/invitation – email an invited member a new link to choose their password
tenancyRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/users/{id}/invitation',
    tags: ['Team'],
    summary: 'Send an invitation again',
    security,
    description:
      'For a member who was invited and has not chosen a password yet (`invited: true`): emails a new one-time link (7 days); earlier links keep working until used or expired. 409 once they have a password.',
    request: { params: IdParamSchema },
    responses: { 200: jsonResponse(InvitationSentSchema, 'Sent (or why not)'), ...mutationErrors, 429: { description: 'Too many invitations to this person' } },
  }),
  async (c) => {
    assertRole(c.var.auth, 'admin', 'manage the team');
    return c.json(await resendInvitation(depsOf(c), c.req.valid('param').id), 200);
  },
);

// PATCH /api/users/:id – change a member's role
tenancyRoutes.openapi(
  createRoute({
    method: 'patch',
    path: '/users/{id}',
    tags: ['Team'],
    summary: 'Change a role',
    security,
    request: { params: IdParamSchema, body: jsonBody(updateTeamMemberBodySchema) },
    responses: { 200: jsonResponse(TeamMemberSchema, 'Updated'), ...mutationErrors },
  }),
  async (c) => {
    assertRole(c.var.auth, 'admin', 'manage the team');
    return c.json(serializeTeamMember(await changeRole(depsOf(c), c.req.valid('param').id, c.req.valid('json').role)), 200);
  },
);

// DELETE /api/users/:id – remove a member from this account (their login stays for other accounts)
tenancyRoutes.openapi(
  createRoute({
    method: 'delete',
    path: '/users/{id}',
    tags: ['Team'],
    summary: 'Remove a team member',
    security,
    request: { params: IdParamSchema },
    responses: { 204: { description: 'Removed' }, ...mutationErrors },
  }),
  async (c) => {
    assertRole(c.var.auth, 'admin', 'manage the team');
    await removeTeamMember(depsOf(c), c.req.valid('param').id);
    return c.body(null, 204);
  },
);

// GET /api/api-keys – active API keys (never the secrets)
tenancyRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/api-keys',
    tags: ['API keys'],
    summary: 'List API keys',
    security,
    responses: { 200: jsonResponse(pageSchema(ApiKeySchema, 'ApiKeyPage'), 'Keys'), ...standardErrors },
  }),
  async (c) => {
    assertRole(c.var.auth, 'admin', 'manage API keys');
    return c.json({ data: (await listApiKeys(depsOf(c))).map(serializeApiKey), next_cursor: null }, 200);
  },
);

// POST /api/api-keys – create a key; the secret is in this reply only
tenancyRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/api-keys',
    tags: ['API keys'],
    summary: 'Create an API key',
    security,
    request: { body: jsonBody(createApiKeyBodySchema) },
    responses: { 201: jsonResponse(CreatedApiKeySchema, 'Created'), ...mutationErrors },
  }),
  async (c) => {
    // The role checked is the caller's current one (auth middleware), and a key never outranks an admin.
    assertRole(c.var.auth, 'admin', 'manage API keys');
    assertUser(c.var.auth);
    // A key would outlive the switch into a client account that made it; staff create keys as members of the account instead.
    if (c.var.auth.actorUserId)
      throw new AppError(
        'forbidden',
        'API keys cannot be created while you are switched into a client account. Ask one of its own admins, or add yourself to it as a member.',
      );
    const { row, key } = await createApiKey(depsOf(c), c.req.valid('json'));
    return c.json({ api_key: serializeApiKey(row), key }, 201);
  },
);

// DELETE /api/api-keys/:id – revoke a key at once
tenancyRoutes.openapi(
  createRoute({
    method: 'delete',
    path: '/api-keys/{id}',
    tags: ['API keys'],
    summary: 'Revoke an API key',
    security,
    request: { params: IdParamSchema },
    responses: { 204: { description: 'Revoked' }, ...mutationErrors },
  }),
  async (c) => {
    assertRole(c.var.auth, 'admin', 'manage API keys');
    await revokeApiKey(depsOf(c), c.req.valid('param').id);
    return c.body(null, 204);
  },
);

// GET /api/agency/sub-accounts – the agency's client accounts, a page at a time in name order
tenancyRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/agency/sub-accounts',
    tags: ['Agency'],
    summary: 'List sub-accounts',
    security,
    description: 'Client accounts in name order (case folded), filtered by part of the name and by suspension; `counts` covers all of them.',
    request: { query: PageQuerySchema.merge(subAccountQuerySchema) },
    responses: { 200: jsonResponse(SubAccountPageSchema, 'Sub-accounts'), ...standardErrors },
  }),
  async (c) => {
    const query = c.req.valid('query');
    const suspended = query.suspended === undefined ? undefined : query.suspended === 'true';
    return c.json(await listSubAccounts(depsOf(c), { q: query.q, suspended, cursor: query.cursor, limit: query.limit }), 200);
  },
);

// POST /api/agency/sub-accounts – create a client account owned by the agency
tenancyRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/agency/sub-accounts',
    tags: ['Agency'],
    summary: 'Create a sub-account',
    security,
    request: { body: jsonBody(createSubAccountBodySchema) },
    responses: { 201: jsonResponse(SubAccountSchema, 'Created'), ...mutationErrors },
  }),
  async (c) => {
    assertRole(c.var.auth, 'admin', 'create sub-accounts');
    if (c.var.auth.actorUserId) throw new AppError('forbidden', 'Return to the agency account to create sub-accounts.');
    return c.json(serializeSubAccount(await createSubAccount(depsOf(c), c.req.valid('json').name)), 201);
  },
);

// GET /api/agency/sub-accounts/{id} – one client account
tenancyRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/agency/sub-accounts/{id}',
    tags: ['Agency'],
    summary: 'Get a sub-account',
    security,
    request: { params: IdParamSchema },
    responses: { 200: jsonResponse(SubAccountSchema, 'The sub-account'), ...standardErrors },
  }),
  async (c) => c.json(serializeSubAccount(await getSubAccountOrThrow(depsOf(c), c.req.valid('param').id)), 200),
);

// PATCH /api/agency/sub-accounts/{id} – rename, suspend or reactivate a client account
tenancyRoutes.openapi(
  createRoute({
    method: 'patch',
    path: '/agency/sub-accounts/{id}',
    tags: ['Agency'],
    summary: 'Rename or suspend a sub-account',
    security,
    request: { params: IdParamSchema, body: jsonBody(updateSubAccountBodySchema) },
    responses: { 200: jsonResponse(SubAccountSchema, 'The sub-account'), ...mutationErrors },
  }),
  async (c) => {
    assertRole(c.var.auth, 'admin', 'manage sub-accounts');
    if (c.var.auth.actorUserId) throw new AppError('forbidden', 'Return to the agency account to manage sub-accounts.');
    return c.json(serializeSubAccount(await updateSubAccount(depsOf(c), c.req.valid('param').id, c.req.valid('json'))), 200);
  },
);

// POST /api/agency/sub-accounts/{id}/users – invite a person into a client account (its owner, usually), from the agency
tenancyRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/agency/sub-accounts/{id}/users',
    tags: ['Agency'],
    summary: 'Add a user to a sub-account',
    security,
    description:
      "Agency owners and admins add people to their client accounts with any role, owner included, without switching into them. The client account's plan limits apply. As with POST /api/users, someone who already has a login is invited and joins only by accepting.",
    request: { params: IdParamSchema, body: jsonBody(addTeamMemberBodySchema) },
    responses: { 201: jsonResponse(TeamMemberSchema, 'Added'), ...mutationErrors },
  }),
  async (c) => {
    assertRole(c.var.auth, 'admin', 'add users to client accounts');
    if (c.var.auth.actorUserId) throw new AppError('forbidden', 'Return to the agency account to manage sub-accounts.');
    const deps = depsOf(c);
    const sub = await getSubAccountOrThrow(deps, c.req.valid('param').id);
    // The agency owns its client accounts, so it acts there as their owner.
    const asOwner = { ...deps, auth: { ...deps.auth, accountId: sub.id, role: 'owner' as const } };
    const { member, invitation } = await addTeamMember(asOwner, c.req.valid('json'));
    return c.json(serializeTeamMember(member, invitation), 201);
  },
);

// GET /api/agency/audit-log – what agency staff did inside client accounts while impersonating
tenancyRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/agency/audit-log',
    tags: ['Agency'],
    summary: 'Impersonation audit log',
    security,
    description: 'Every time agency staff opened a client account, and every change they made there (method, path, status), newest first.',
    request: { query: PageQuerySchema.extend({ sub_account_id: z.string().min(1).max(64).optional() }) },
    responses: { 200: jsonResponse(pageSchema(AuditEntrySchema, 'AgencyAuditPage'), 'Entries'), ...standardErrors },
  }),
  async (c) => {
    assertRole(c.var.auth, 'admin', 'read the audit log');
    const agency = await getAgencyForAccount(c.env.DB, c.var.auth.accountId);
    if (!agency) throw new AppError('forbidden', 'Only an agency account has an audit log of its client accounts.');
    const query = c.req.valid('query');
    if (query.sub_account_id) await getSubAccountOrThrow(depsOf(c), query.sub_account_id);
    return c.json(await listAuditLog(c.env.DB, c.var.auth.accountId, { subAccountId: query.sub_account_id, cursor: query.cursor, limit: query.limit }), 200);
  },
);
