import { createRoute, z } from '@hono/zod-openapi';
import { queryAll, statement, toIso } from '../platform/db';
import { decodeCursor, encodeCursor } from '../platform/pagination';
import { createRouter, jsonBody, jsonResponse, mutationErrors, PageQuerySchema, pageSchema, standardErrors } from '../platform/router';

/**
 * The account's notices: low wallet balance, a failed auto-recharge, a
 * failed payment warning. Other capabilities write them (with a dedupe key,
 * once per occurrence); people read them here and mark them read. Some
 * also go out by email (workers/email); `email` says how that went.
 */
export const notificationRoutes = createRouter();
const security = [{ bearer: [] }];
const tags = ['Notifications'];

interface NotificationRow {
  id: string;
  kind: string;
  message: string;
  created_at: number;
  read_at: number | null;
  email_status: string | null;
  email_to: string | null;
  email_error: string | null;
}

const NotificationSchema = z
  .object({
    id: z.string(),
    kind: z.string().openapi({ example: 'billing.payment_warning' }),
    message: z.string(),
    created_at: z.string(),
    read_at: z.string().nullable(),
    email: z
      .object({
        status: z.enum(['pending', 'sent', 'no_recipient', 'failed']),
        to: z.array(z.string()),
        error: z.string().nullable(),
      })
      .nullable()
      .openapi({ description: "The email of this notice to the account's owners and admins; null when it is in-app only" }),
  })
  .openapi('Notification');

const serialize = (row: NotificationRow) => ({
  id: row.id,
  kind: row.kind,
  message: row.message,
  created_at: toIso(row.created_at) as string,
  read_at: toIso(row.read_at),
  email: row.email_status ? { status: row.email_status as 'pending', to: row.email_to ? row.email_to.split(', ') : [], error: row.email_error } : null,
});

// GET /api/notifications – newest first; unread=true for the unread ones only
notificationRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/notifications',
    tags,
    security,
    summary: 'Notifications',
    request: { query: PageQuerySchema.extend({ unread: z.enum(['true', 'false']).optional() }) },
    responses: { 200: jsonResponse(pageSchema(NotificationSchema, 'NotificationPage'), 'Newest first'), ...standardErrors },
  }),
  async (c) => {
    const query = c.req.valid('query');
    const cursor = query.cursor ? decodeCursor(query.cursor) : null;
    const rows = await queryAll<NotificationRow>(
      c.env.DB,
      `SELECT id, kind, message, created_at, read_at, email_status, email_to, email_error FROM notifications
        WHERE account_id = ? ${query.unread === 'true' ? 'AND read_at IS NULL' : ''} ${cursor ? 'AND (created_at, id) < (?, ?)' : ''}
        ORDER BY created_at DESC, id DESC LIMIT ?`,
      c.var.auth.accountId,
      ...(cursor ? [Number(cursor.v), cursor.id] : []),
      query.limit + 1,
    );
    const page = rows.slice(0, query.limit);
    const last = page[page.length - 1];
    return c.json(
      { data: page.map(serialize), next_cursor: rows.length > query.limit && last ? encodeCursor({ v: last.created_at, id: last.id }) : null },
      200,
    );
  },
);

// POST /api/notifications/read – mark the given notices (or all) read
notificationRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/notifications/read',
    tags,
    security,
    summary: 'Mark notifications read',
    request: {
      body: jsonBody(
        z
          .object({ ids: z.array(z.string().min(1).max(64)).max(200).optional().openapi({ description: 'Omit to mark every notice read' }) })
          .strict()
          .openapi('MarkNotificationsReadBody'),
      ),
    },
    responses: { 200: jsonResponse(z.object({ marked: z.number().int() }), 'How many changed'), ...mutationErrors },
  }),
  async (c) => {
    const { ids } = c.req.valid('json');
    const now = Date.now();
    const result = ids
      ? await statement(
          c.env.DB,
          'UPDATE notifications SET read_at = ? WHERE account_id = ? AND read_at IS NULL AND id IN (SELECT value FROM json_each(?))',
          now,
          c.var.auth.accountId,
          JSON.stringify(ids),
        ).run()
      : await statement(c.env.DB, 'UPDATE notifications SET read_at = ? WHERE account_id = ? AND read_at IS NULL', now, c.var.auth.accountId).run();
    return c.json({ marked: result.meta.changes }, 200);
  },
);
