import { z } from '@hono/zod-openapi';
import { idRef } from '../../platform/router';
import { text } from '../../platform/text';
import type { ServiceDeps } from '../../platform/deps';
import { AppError } from '../../platform/errors';
import { createId } from '../../platform/ids';
import { queryFirst, statement, toIso, type SqlValue } from '../../platform/db';
import { decodeCursor, toPage } from '../../platform/pagination';
import { commitWithEvents, newEvent } from '../../events/events.outbox';
import type { DomainEvent } from '../../events/events.types';
import { assertMember } from '../../tenancy/team.service';
import { getContactOrThrow } from '../contacts/contacts.service';

const isoDateTime = z.string().datetime({ offset: true, message: 'Use an ISO 8601 date-time, e.g. 2026-12-01T09:00:00Z.' });

export const createTaskBodySchema = z
  .object({
    title: text().min(1, 'A task needs a title.').max(300),
    body: text({ multiline: true }).max(10_000).nullable().optional(),
    due_at: isoDateTime.nullable().optional(),
    assignee_user_id: idRef().nullable().optional(),
    contact_id: idRef().nullable().optional(),
  })
  .strict()
  .openapi('CreateTaskBody');

export const updateTaskBodySchema = z
  .object({
    title: text().min(1).max(300).optional(),
    body: text({ multiline: true }).max(10_000).nullable().optional(),
    due_at: isoDateTime.nullable().optional(),
    assignee_user_id: idRef().nullable().optional(),
    completed: z.boolean().optional(),
  })
  .strict()
  .openapi('UpdateTaskBody');

export const listTasksQuerySchema = z.object({
  contact_id: z.string().max(64).optional(),
  assignee_user_id: z.string().max(64).optional(),
  completed: z.enum(['true', 'false']).optional(),
  cursor: z.string().max(500).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const TaskSchema = z
  .object({
    id: z.string(),
    contact_id: z.string().nullable(),
    title: z.string(),
    body: z.string().nullable(),
    due_at: z.string().nullable(),
    assignee_user_id: z.string().nullable(),
    completed: z.boolean(),
    completed_at: z.string().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('Task');

interface TaskRow {
  id: string;
  account_id: string;
  contact_id: string | null;
  title: string;
  body: string | null;
  due_at: number | null;
  assignee_user_id: string | null;
  completed_at: number | null;
  created_at: number;
  updated_at: number;
}

export function serializeTask(row: TaskRow) {
  return {
    id: row.id,
    contact_id: row.contact_id,
    title: row.title,
    body: row.body,
    due_at: toIso(row.due_at),
    assignee_user_id: row.assignee_user_id,
    completed: row.completed_at !== null,
    completed_at: toIso(row.completed_at),
    created_at: toIso(row.created_at) as string,
    updated_at: toIso(row.updated_at) as string,
  };
}

async function getTaskOrThrow(deps: ServiceDeps, id: string): Promise<TaskRow> {
  const row = await queryFirst<TaskRow>(deps.db, 'SELECT * FROM tasks WHERE id = ? AND account_id = ?', id, deps.auth.accountId);
  if (!row) throw new AppError('not_found', `Task ${id} was not found.`);
  return row;
}

const parseTime = (iso: string | null | undefined) => (iso ? Date.parse(iso) : iso === null ? null : undefined);

/** Open tasks first by due date, then completed ones; cursor on creation order keeps it simple and stable. */
export async function listTasks(deps: ServiceDeps, query: z.infer<typeof listTasksQuerySchema>) {
  if (query.contact_id) await getContactOrThrow(deps, query.contact_id);
  const cursor = query.cursor ? decodeCursor(query.cursor) : null;
  const where = ['account_id = ?'];
  const binds: SqlValue[] = [deps.auth.accountId];
  if (query.contact_id) {
    where.push('contact_id = ?');
    binds.push(query.contact_id);
  }
  if (query.assignee_user_id) {
    where.push('assignee_user_id = ?');
    binds.push(query.assignee_user_id);
  }
  if (query.completed) where.push(query.completed === 'true' ? 'completed_at IS NOT NULL' : 'completed_at IS NULL');
  if (cursor) {
    where.push('(created_at, id) < (?, ?)');
    binds.push(cursor.v, cursor.id);
  }
  const { results } = await deps.db
    .prepare(`SELECT * FROM tasks WHERE ${where.join(' AND ')} ORDER BY created_at DESC, id DESC LIMIT ?`)
    .bind(...binds, query.limit + 1)
    .all<TaskRow>();
  return toPage(results, query.limit, (r) => ({ v: r.created_at, id: r.id }), serializeTask);
}

export async function createTask(deps: ServiceDeps, input: z.infer<typeof createTaskBodySchema>) {
  if (input.contact_id) await getContactOrThrow(deps, input.contact_id);
  await assertMember(deps, input.assignee_user_id, 'assignee_user_id');
  const now = Date.now();
  const row: TaskRow = {
    id: createId('task'),
    account_id: deps.auth.accountId,
    contact_id: input.contact_id ?? null,
    title: input.title,
    body: input.body ?? null,
    due_at: parseTime(input.due_at) ?? null,
    assignee_user_id: input.assignee_user_id ?? null,
    completed_at: null,
    created_at: now,
    updated_at: now,
  };
  const event = newEvent(deps.auth, 'task.created', row.id, { contact_id: row.contact_id, task_id: row.id, title: row.title });
  await commitWithEvents(
    deps,
    [
      statement(
        deps.db,
        'INSERT INTO tasks (id, account_id, contact_id, title, body, due_at, assignee_user_id, completed_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
        row.id,
        row.account_id,
        row.contact_id,
        row.title,
        row.body,
        row.due_at,
        row.assignee_user_id,
        null,
        now,
        now,
      ),
    ],
    [event],
  );
  return serializeTask(row);
}

export async function updateTask(deps: ServiceDeps, id: string, input: z.infer<typeof updateTaskBodySchema>) {
  const row = await getTaskOrThrow(deps, id);
  if (input.assignee_user_id !== undefined) await assertMember(deps, input.assignee_user_id, 'assignee_user_id');
  const now = Date.now();
  const updated: TaskRow = {
    ...row,
    title: input.title ?? row.title,
    body: input.body !== undefined ? input.body : row.body,
    due_at: input.due_at !== undefined ? (parseTime(input.due_at) ?? null) : row.due_at,
    assignee_user_id: input.assignee_user_id !== undefined ? input.assignee_user_id : row.assignee_user_id,
    completed_at: input.completed === undefined ? row.completed_at : input.completed ? (row.completed_at ?? now) : null,
    updated_at: now,
  };
  const events: DomainEvent[] =
    row.completed_at === null && updated.completed_at !== null
      ? [newEvent(deps.auth, 'task.completed', id, { contact_id: row.contact_id, task_id: id, title: updated.title })]
      : [];
  await commitWithEvents(
    deps,
    [
      statement(
        deps.db,
        'UPDATE tasks SET title = ?, body = ?, due_at = ?, assignee_user_id = ?, completed_at = ?, updated_at = ? WHERE id = ? AND account_id = ?',
        updated.title,
        updated.body,
        updated.due_at,
        updated.assignee_user_id,
        updated.completed_at,
        now,
        id,
        deps.auth.accountId,
      ),
    ],
    events,
  );
  return serializeTask(updated);
}

export async function deleteTask(deps: ServiceDeps, id: string): Promise<void> {
  await getTaskOrThrow(deps, id);
  await deps.db.prepare('DELETE FROM tasks WHERE id = ? AND account_id = ?').bind(id, deps.auth.accountId).run();
}
