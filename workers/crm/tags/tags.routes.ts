import { createRoute } from '@hono/zod-openapi';
import { depsOf } from '../../platform/deps';
import { createRouter, IdParamSchema, jsonBody, jsonResponse, mutationErrors, pageSchema, standardErrors } from '../../platform/router';
import { createTagBodySchema, TagSchema, updateTagBodySchema } from './tags.schemas';
import { createTag, deleteTag, listTags, serializeTag, updateTag } from './tags.service';

export const tagRoutes = createRouter();
const security = [{ bearer: [] }];
const tags = ['Tags'];

// GET /api/tags – every tag of the account with how many contacts carry it
tagRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/tags',
    tags,
    security,
    summary: 'List tags',
    responses: { 200: jsonResponse(pageSchema(TagSchema, 'TagPage'), 'Tags'), ...standardErrors },
  }),
  async (c) => c.json({ data: (await listTags(depsOf(c))).map(serializeTag), next_cursor: null }, 200),
);

// POST /api/tags – create a tag
tagRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/tags',
    tags,
    security,
    summary: 'Create a tag',
    request: { body: jsonBody(createTagBodySchema) },
    responses: { 201: jsonResponse(TagSchema, 'Created'), ...mutationErrors },
  }),
  async (c) => c.json(serializeTag(await createTag(depsOf(c), c.req.valid('json'))), 201),
);

// PATCH /api/tags/:id – rename or recolour a tag
tagRoutes.openapi(
  createRoute({
    method: 'patch',
    path: '/tags/{id}',
    tags,
    security,
    summary: 'Update a tag',
    request: { params: IdParamSchema, body: jsonBody(updateTagBodySchema) },
    responses: { 200: jsonResponse(TagSchema, 'Updated'), ...mutationErrors },
  }),
  async (c) => c.json(serializeTag(await updateTag(depsOf(c), c.req.valid('param').id, c.req.valid('json'))), 200),
);

// DELETE /api/tags/:id – delete a tag and take it off every contact
tagRoutes.openapi(
  createRoute({
    method: 'delete',
    path: '/tags/{id}',
    tags,
    security,
    summary: 'Delete a tag',
    request: { params: IdParamSchema },
    responses: { 204: { description: 'Deleted' }, ...standardErrors },
  }),
  async (c) => {
    await deleteTag(depsOf(c), c.req.valid('param').id);
    return c.body(null, 204);
  },
);
