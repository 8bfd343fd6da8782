import { createRoute } from '@hono/zod-openapi';
import { depsOf } from '../../platform/deps';
import { createRouter, IdParamSchema, jsonBody, jsonResponse, mutationErrors, pageSchema, standardErrors } from '../../platform/router';
import {
  createOpportunity,
  createOpportunityBodySchema,
  deleteOpportunity,
  getOpportunityView,
  listOpportunities,
  listOpportunitiesQuerySchema,
  OpportunitySchema,
  updateOpportunity,
  updateOpportunityBodySchema,
} from './opportunities';

export const opportunityRoutes = createRouter();
const security = [{ bearer: [] }];
const tags = ['Opportunities'];

// GET /api/opportunities – opportunities by pipeline, stage, contact or status
opportunityRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/opportunities',
    tags,
    security,
    summary: 'List opportunities',
    request: { query: listOpportunitiesQuerySchema },
    responses: { 200: jsonResponse(pageSchema(OpportunitySchema, 'OpportunityPage'), 'Opportunities'), ...standardErrors },
  }),
  async (c) => c.json(await listOpportunities(depsOf(c), c.req.valid('query')), 200),
);

// POST /api/opportunities – create an opportunity in a pipeline
opportunityRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/opportunities',
    tags,
    security,
    summary: 'Create an opportunity',
    request: { body: jsonBody(createOpportunityBodySchema) },
    responses: { 201: jsonResponse(OpportunitySchema, 'Created'), ...mutationErrors },
  }),
  async (c) => c.json(await createOpportunity(depsOf(c), c.req.valid('json')), 201),
);

// GET /api/opportunities/:id – one opportunity
opportunityRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/opportunities/{id}',
    tags,
    security,
    summary: 'Get an opportunity',
    request: { params: IdParamSchema },
    responses: { 200: jsonResponse(OpportunitySchema, 'The opportunity'), ...standardErrors },
  }),
  async (c) => c.json(await getOpportunityView(depsOf(c), c.req.valid('param').id), 200),
);

// PATCH /api/opportunities/:id – move between stages, change value or status
opportunityRoutes.openapi(
  createRoute({
    method: 'patch',
    path: '/opportunities/{id}',
    tags,
    security,
    summary: 'Update an opportunity',
    request: { params: IdParamSchema, body: jsonBody(updateOpportunityBodySchema) },
    responses: { 200: jsonResponse(OpportunitySchema, 'Updated'), ...mutationErrors },
  }),
  async (c) => c.json(await updateOpportunity(depsOf(c), c.req.valid('param').id, c.req.valid('json')), 200),
);

// DELETE /api/opportunities/:id – delete an opportunity
opportunityRoutes.openapi(
  createRoute({
    method: 'delete',
    path: '/opportunities/{id}',
    tags,
    security,
    summary: 'Delete an opportunity',
    request: { params: IdParamSchema },
    responses: { 204: { description: 'Deleted' }, ...standardErrors },
  }),
  async (c) => {
    await deleteOpportunity(depsOf(c), c.req.valid('param').id);
    return c.body(null, 204);
  },
);
