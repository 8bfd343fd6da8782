import { createRoute } from '@hono/zod-openapi';
import { depsOf } from '../../platform/deps';
import { createRouter, IdParamSchema, jsonBody, jsonResponse, mutationErrors, standardErrors } from '../../platform/router';
import { deleteNote, NoteSchema, updateNote, updateNoteBodySchema } from './notes';

export const noteRoutes = createRouter();
const security = [{ bearer: [] }];
const tags = ['Notes'];

// PATCH /api/notes/:id – edit a note
noteRoutes.openapi(
  createRoute({
    method: 'patch',
    path: '/notes/{id}',
    tags,
    security,
    summary: 'Edit a note',
    request: { params: IdParamSchema, body: jsonBody(updateNoteBodySchema) },
    responses: { 200: jsonResponse(NoteSchema, 'Updated'), ...mutationErrors },
  }),
  async (c) => c.json(await updateNote(depsOf(c), c.req.valid('param').id, c.req.valid('json').body), 200),
);

// DELETE /api/notes/:id – delete a note
noteRoutes.openapi(
  createRoute({
    method: 'delete',
    path: '/notes/{id}',
    tags,
    security,
    summary: 'Delete a note',
    request: { params: IdParamSchema },
    responses: { 204: { description: 'Deleted' }, ...standardErrors },
  }),
  async (c) => {
    await deleteNote(depsOf(c), c.req.valid('param').id);
    return c.body(null, 204);
  },
);
