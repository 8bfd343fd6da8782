import { createRoute, z } from '@hono/zod-openapi';
import { depsOf } from '../../platform/deps';
import { createRouter, IdParamSchema, jsonBody, jsonResponse, mutationErrors, PageQuerySchema, pageSchema, standardErrors } from '../../platform/router';
import { decodeCursor, toPage } from '../../platform/pagination';
import { toIso } from '../../platform/db';
import { createNote, createNoteBodySchema, listNotes, NoteSchema } from '../notes/notes';
import { summarizeContact } from './contact-summary';
import { listContacts } from './contacts.query';
import {
  ActivitySchema,
  addTagsBodySchema,
  AiSummarySchema,
  ContactSchema,
  createContactBodySchema,
  listContactsQuerySchema,
  updateContactBodySchema,
} from './contacts.schemas';
import { addTagsToContact, createContact, deleteContact, getContactOrThrow, getContactView, removeTagFromContact, updateContact } from './contacts.service';

export const contactRoutes = createRouter();
const security = [{ bearer: [] }];
const tags = ['Contacts'];

// GET /api/contacts – search, filter, sort and page through contacts
contactRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/contacts',
    tags,
    security,
    summary: 'List contacts',
    request: { query: listContactsQuerySchema },
    responses: { 200: jsonResponse(pageSchema(ContactSchema, 'ContactPage'), 'A page of contacts'), ...standardErrors },
  }),
  async (c) => {
    const customFieldFilters: Record<string, string> = {};
    for (const [key, value] of Object.entries(c.req.query())) if (key.startsWith('cf.')) customFieldFilters[key.slice(3)] = value;
    return c.json(await listContacts(depsOf(c), { ...c.req.valid('query'), customFieldFilters }), 200);
  },
);

// POST /api/contacts – create a contact (409 duplicate_contact on a known email or phone)
contactRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/contacts',
    tags,
    security,
    summary: 'Create a contact',
    request: { body: jsonBody(createContactBodySchema) },
    responses: { 201: jsonResponse(ContactSchema, 'Created'), ...mutationErrors },
  }),
  async (c) => c.json(await createContact(depsOf(c), c.req.valid('json')), 201),
);

// GET /api/contacts/:id – one contact with tags and custom fields
contactRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/contacts/{id}',
    tags,
    security,
    summary: 'Get a contact',
    request: { params: IdParamSchema },
    responses: { 200: jsonResponse(ContactSchema, 'The contact'), ...standardErrors },
  }),
  async (c) => c.json(await getContactView(depsOf(c), c.req.valid('param').id), 200),
);

// PATCH /api/contacts/:id – change some fields
contactRoutes.openapi(
  createRoute({
    method: 'patch',
    path: '/contacts/{id}',
    tags,
    security,
    summary: 'Update a contact',
    request: { params: IdParamSchema, body: jsonBody(updateContactBodySchema) },
    responses: { 200: jsonResponse(ContactSchema, 'Updated'), ...mutationErrors },
  }),
  async (c) => c.json(await updateContact(depsOf(c), c.req.valid('param').id, c.req.valid('json')), 200),
);

// DELETE /api/contacts/:id – delete a contact with its notes, tasks and field values
contactRoutes.openapi(
  createRoute({
    method: 'delete',
    path: '/contacts/{id}',
    tags,
    security,
    summary: 'Delete a contact',
    request: { params: IdParamSchema },
    responses: { 204: { description: 'Deleted' }, ...standardErrors },
  }),
  async (c) => {
    await deleteContact(depsOf(c), c.req.valid('param').id);
    return c.body(null, 204);
  },
);

// POST /api/contacts/:id/tags – add tags by name (new names create tags)
contactRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/contacts/{id}/tags',
    tags,
    security,
    summary: 'Add tags to a contact',
    request: { params: IdParamSchema, body: jsonBody(addTagsBodySchema) },
    responses: { 200: jsonResponse(ContactSchema, 'The contact with its tags'), ...mutationErrors },
  }),
  async (c) => c.json(await addTagsToContact(depsOf(c), c.req.valid('param').id, c.req.valid('json').tags), 200),
);

// DELETE /api/contacts/:id/tags/:tagId – remove one tag from a contact
contactRoutes.openapi(
  createRoute({
    method: 'delete',
    path: '/contacts/{id}/tags/{tagId}',
    tags,
    security,
    summary: 'Remove a tag from a contact',
    request: {
      params: IdParamSchema.extend({
        tagId: z
          .string()
          .max(64)
          .openapi({ param: { name: 'tagId', in: 'path' } }),
      }),
    },
    responses: { 200: jsonResponse(ContactSchema, 'The contact with its tags'), ...standardErrors },
  }),
  async (c) => {
    const { id, tagId } = c.req.valid('param');
    return c.json(await removeTagFromContact(depsOf(c), id, tagId), 200);
  },
);

// GET /api/contacts/:id/notes – a contact's notes, newest first
contactRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/contacts/{id}/notes',
    tags: ['Notes'],
    security,
    summary: "List a contact's notes",
    request: { params: IdParamSchema, query: PageQuerySchema },
    responses: { 200: jsonResponse(pageSchema(NoteSchema, 'NotePage'), 'Notes'), ...standardErrors },
  }),
  async (c) => c.json(await listNotes(depsOf(c), c.req.valid('param').id, c.req.valid('query')), 200),
);

// POST /api/contacts/:id/notes – add a note to a contact
contactRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/contacts/{id}/notes',
    tags: ['Notes'],
    security,
    summary: 'Add a note',
    request: { params: IdParamSchema, body: jsonBody(createNoteBodySchema) },
    responses: { 201: jsonResponse(NoteSchema, 'Created'), ...mutationErrors },
  }),
  async (c) => c.json(await createNote(depsOf(c), c.req.valid('param').id, c.req.valid('json').body), 201),
);

interface ActivityRow {
  id: string;
  type: string;
  summary: string;
  occurred_at: number;
  actor_user_id: string | null;
  acting_user_id: string | null;
}

// GET /api/contacts/:id/activities – the contact's activity trail, newest first
contactRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/contacts/{id}/activities',
    tags,
    security,
    summary: 'Contact activity',
    request: { params: IdParamSchema, query: PageQuerySchema },
    responses: { 200: jsonResponse(pageSchema(ActivitySchema, 'ActivityPage'), 'Activity'), ...standardErrors },
  }),
  async (c) => {
    const deps = depsOf(c);
    const { id } = c.req.valid('param');
    const { cursor: raw, limit } = c.req.valid('query');
    await getContactOrThrow(deps, id);
    const cursor = raw ? decodeCursor(raw) : null;
    const { results } = await deps.db
      .prepare(
        `SELECT id, type, summary, occurred_at, actor_user_id, acting_user_id FROM activities
          WHERE account_id = ? AND contact_id = ? ${cursor ? 'AND (occurred_at, id) < (?, ?)' : ''} ORDER BY occurred_at DESC, id DESC LIMIT ?`,
      )
      .bind(deps.auth.accountId, id, ...(cursor ? [cursor.v, cursor.id] : []), limit + 1)
      .all<ActivityRow>();
    return c.json(
      toPage(
        results,
        limit,
        (r) => ({ v: r.occurred_at, id: r.id }),
        (r) => ({ ...r, occurred_at: toIso(r.occurred_at) as string }),
      ),
      200,
    );
  },
);

// POST /api/contacts/:id/ai-summary – a short AI brief on the contact
contactRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/contacts/{id}/ai-summary',
    tags,
    security,
    summary: 'Summarize a contact with AI',
    request: { params: IdParamSchema },
    responses: { 200: jsonResponse(AiSummarySchema, 'The summary'), ...standardErrors, 502: { description: 'The AI provider failed' } },
  }),
  async (c) => c.json(await summarizeContact(depsOf(c), c.req.valid('param').id), 200),
);
