import { createRoute } from '@hono/zod-openapi';
import { depsOf } from '../../platform/deps';
import { createRouter, jsonBody, jsonResponse, mutationErrors, ProblemSchema, standardErrors } from '../../platform/router';
import { addDomainBodySchema, CustomDomainSchema } from './domains.schemas';
import { addCustomDomain, customDomainStatus, removeCustomDomain, verifyCustomDomain } from './domains.service';

export const domainRoutes = createRouter();
const security = [{ bearer: [] }];
const tags = ['Agency'];

const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: ProblemSchema } } });
const domainErrors = {
  403: problem('Not an agency owner/admin, or the plan has no white-label'),
  502: problem('Cloudflare could not be reached or refused the request'),
} as const;

// POST /api/agency/domain/add – connect a custom domain; answers the DNS records to create
domainRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/agency/domain/add',
    tags,
    security,
    summary: "Add the agency's custom domain",
    description:
      'Registers the hostname with Cloudflare for SaaS. One custom domain per agency: remove the current one before adding another. Adding the current domain again answers it unchanged (200).',
    request: { body: jsonBody(addDomainBodySchema) },
    responses: {
      201: jsonResponse(CustomDomainSchema, 'Added; create the DNS records it lists'),
      200: jsonResponse(CustomDomainSchema, 'This domain was already added'),
      ...mutationErrors,
      ...domainErrors,
    },
  }),
  async (c) => {
    const { created, domain } = await addCustomDomain(depsOf(c), c.req.valid('json').hostname);
    return c.json(CustomDomainSchema.parse(domain), created ? 201 : 200);
  },
);

// POST /api/agency/domain/verify – ask Cloudflare to check the DNS records now
domainRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/agency/domain/verify',
    tags,
    security,
    summary: 'Verify the custom domain now',
    responses: { 200: jsonResponse(CustomDomainSchema, 'Where the domain stands after the check'), ...mutationErrors, ...domainErrors },
  }),
  async (c) => c.json(CustomDomainSchema.parse(await verifyCustomDomain(depsOf(c))), 200),
);

// DELETE /api/agency/domain/remove – take the domain offline and delete it at Cloudflare
domainRoutes.openapi(
  createRoute({
    method: 'delete',
    path: '/agency/domain/remove',
    tags,
    security,
    summary: 'Remove the custom domain',
    responses: { 204: { description: 'Removed; the hostname no longer serves the app' }, ...mutationErrors, ...domainErrors },
  }),
  async (c) => {
    await removeCustomDomain(depsOf(c));
    return c.body(null, 204);
  },
);

// GET /api/agency/domain/status – statuses, the DNS records to create, and what stands in the way
domainRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/agency/domain/status',
    tags,
    security,
    summary: 'Custom domain status',
    responses: { 200: jsonResponse(CustomDomainSchema, 'The domain'), ...standardErrors, ...domainErrors },
  }),
  async (c) => c.json(CustomDomainSchema.parse(await customDomainStatus(depsOf(c))), 200),
);
