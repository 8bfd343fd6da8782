import { createRoute } from '@hono/zod-openapi';
import { assertRole } from '../../auth/auth.middleware';
import { depsOf } from '../../platform/deps';
import { createRouter, IdParamSchema, jsonBody, jsonResponse, mutationErrors, pageSchema, standardErrors } from '../../platform/router';
import { createCustomFieldBodySchema, CustomFieldSchema, updateCustomFieldBodySchema } from './custom-fields.schemas';
import { createCustomField, deleteCustomField, listCustomFields, serializeCustomField, updateCustomField } from './custom-fields.service';

export const customFieldRoutes = createRouter();
const security = [{ bearer: [] }];
const tags = ['Custom fields'];

// GET /api/custom-fields – the account's contact field definitions, in display order
customFieldRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/custom-fields',
    tags,
    security,
    summary: 'List custom fields',
    responses: { 200: jsonResponse(pageSchema(CustomFieldSchema, 'CustomFieldPage'), 'Fields'), ...standardErrors },
  }),
  async (c) => c.json({ data: (await listCustomFields(c.env.DB, c.var.auth.accountId)).map(serializeCustomField), next_cursor: null }, 200),
);

// POST /api/custom-fields – define a field
customFieldRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/custom-fields',
    tags,
    security,
    summary: 'Create a custom field',
    request: { body: jsonBody(createCustomFieldBodySchema) },
    responses: { 201: jsonResponse(CustomFieldSchema, 'Created'), ...mutationErrors },
  }),
  async (c) => {
    assertRole(c.var.auth, 'admin', 'define custom fields');
    return c.json(serializeCustomField(await createCustomField(depsOf(c), c.req.valid('json'))), 201);
  },
);

// PATCH /api/custom-fields/:id – rename, reorder or change options
customFieldRoutes.openapi(
  createRoute({
    method: 'patch',
    path: '/custom-fields/{id}',
    tags,
    security,
    summary: 'Update a custom field',
    request: { params: IdParamSchema, body: jsonBody(updateCustomFieldBodySchema) },
    responses: { 200: jsonResponse(CustomFieldSchema, 'Updated'), ...mutationErrors },
  }),
  async (c) => {
    assertRole(c.var.auth, 'admin', 'change custom fields');
    return c.json(serializeCustomField(await updateCustomField(depsOf(c), c.req.valid('param').id, c.req.valid('json'))), 200);
  },
);

// DELETE /api/custom-fields/:id – delete a field and its values on every contact
customFieldRoutes.openapi(
  createRoute({
    method: 'delete',
    path: '/custom-fields/{id}',
    tags,
    security,
    summary: 'Delete a custom field',
    request: { params: IdParamSchema },
    responses: { 204: { description: 'Deleted' }, ...standardErrors },
  }),
  async (c) => {
    assertRole(c.var.auth, 'admin', 'delete custom fields');
    await deleteCustomField(depsOf(c), c.req.valid('param').id);
    return c.body(null, 204);
  },
);
