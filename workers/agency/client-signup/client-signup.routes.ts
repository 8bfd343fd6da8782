import { createRoute, z } from '@hono/zod-openapi';
import { createRouter, jsonBody, jsonResponse, mutationErrors, standardErrors } from '../../platform/router';
import { depsOf } from '../../platform/deps';
import { getClientSignup, setClientSignup } from './client-signup.service';

export const clientSignupRoutes = createRouter();
const security = [{ bearer: [] }];
const tags = ['Agency'];

const ClientSignupSchema = z
  .object({
    enabled: z.boolean().openapi({ description: "Whether visitors of the agency's domain may sign up; each gets a new client sub-account." }),
    signup_url: z.string().nullable().openapi({ description: 'Where clients sign up (the live custom domain), or null without one.' }),
  })
  .openapi('ClientSignup');

const bodySchema = z.object({ enabled: z.boolean() }).strict().openapi('ClientSignupUpdate');

// GET /api/agency/client-signup – whether clients may sign up on the agency's domain
clientSignupRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/agency/client-signup',
    tags,
    security,
    summary: 'Client sign-up on the agency domain',
    responses: { 200: jsonResponse(ClientSignupSchema, 'The setting'), ...standardErrors },
  }),
  async (c) => c.json(await getClientSignup(depsOf(c)), 200),
);

// PUT /api/agency/client-signup – switch it on (needs sub-accounts in the plan) or off
clientSignupRoutes.openapi(
  createRoute({
    method: 'put',
    path: '/agency/client-signup',
    tags,
    security,
    summary: 'Switch client sign-up on or off',
    request: { body: jsonBody(bodySchema) },
    responses: { 200: jsonResponse(ClientSignupSchema, 'The new setting'), ...mutationErrors },
  }),
  async (c) => c.json(await setClientSignup(depsOf(c), c.req.valid('json').enabled), 200),
);
