import { createRoute } from '@hono/zod-openapi';
import { assertRole } from '../../auth/auth.middleware';
import { depsOf } from '../../platform/deps';
import { createRouter, IdParamSchema, jsonBody, jsonResponse, mutationErrors, pageSchema, standardErrors } from '../../platform/router';
import {
  createPipeline,
  createPipelineBodySchema,
  deletePipeline,
  getPipelineOrThrow,
  listPipelines,
  PipelineSchema,
  updatePipeline,
  updatePipelineBodySchema,
} from './pipelines';

export const pipelineRoutes = createRouter();
const security = [{ bearer: [] }];
const tags = ['Pipelines'];

// GET /api/pipelines – pipelines with their ordered stages
pipelineRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/pipelines',
    tags,
    security,
    summary: 'List pipelines',
    responses: { 200: jsonResponse(pageSchema(PipelineSchema, 'PipelinePage'), 'Pipelines'), ...standardErrors },
  }),
  async (c) => c.json({ data: await listPipelines(depsOf(c)), next_cursor: null }, 200),
);

// GET /api/pipelines/:id – one pipeline
pipelineRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/pipelines/{id}',
    tags,
    security,
    summary: 'Get a pipeline',
    request: { params: IdParamSchema },
    responses: { 200: jsonResponse(PipelineSchema, 'The pipeline'), ...standardErrors },
  }),
  async (c) => c.json(await getPipelineOrThrow(depsOf(c), c.req.valid('param').id), 200),
);

// POST /api/pipelines – create a pipeline with its stages
pipelineRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/pipelines',
    tags,
    security,
    summary: 'Create a pipeline',
    request: { body: jsonBody(createPipelineBodySchema) },
    responses: { 201: jsonResponse(PipelineSchema, 'Created'), ...mutationErrors },
  }),
  async (c) => {
    assertRole(c.var.auth, 'admin', 'set up pipelines');
    return c.json(await createPipeline(depsOf(c), c.req.valid('json')), 201);
  },
);

// PATCH /api/pipelines/:id – rename, or rename/reorder/add/remove stages
pipelineRoutes.openapi(
  createRoute({
    method: 'patch',
    path: '/pipelines/{id}',
    tags,
    security,
    summary: 'Update a pipeline',
    request: { params: IdParamSchema, body: jsonBody(updatePipelineBodySchema) },
    responses: { 200: jsonResponse(PipelineSchema, 'Updated'), ...mutationErrors },
  }),
  async (c) => {
    assertRole(c.var.auth, 'admin', 'change pipelines');
    return c.json(await updatePipeline(depsOf(c), c.req.valid('param').id, c.req.valid('json')), 200);
  },
);

// DELETE /api/pipelines/:id – delete an empty pipeline
pipelineRoutes.openapi(
  createRoute({
    method: 'delete',
    path: '/pipelines/{id}',
    tags,
    security,
    summary: 'Delete a pipeline',
    request: { params: IdParamSchema },
    responses: { 204: { description: 'Deleted' }, ...mutationErrors },
  }),
  async (c) => {
    assertRole(c.var.auth, 'admin', 'delete pipelines');
    await deletePipeline(depsOf(c), c.req.valid('param').id);
    return c.body(null, 204);
  },
);
