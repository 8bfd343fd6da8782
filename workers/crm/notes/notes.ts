import { z } from '@hono/zod-openapi';
import { text } from '../../platform/text';
import type { ServiceDeps } from '../../platform/deps';
import { AppError } from '../../platform/errors';
import { createId } from '../../platform/ids';
import { queryFirst, statement, toIso } from '../../platform/db';
import { decodeCursor, toPage } from '../../platform/pagination';
import { commitWithEvents, newEvent } from '../../events/events.outbox';
import { getContactOrThrow } from '../contacts/contacts.service';

export const createNoteBodySchema = z
  .object({ body: text({ multiline: true }).trim().min(1, 'A note cannot be empty.').max(20_000) })
  .strict()
  .openapi('CreateNoteBody');
export const updateNoteBodySchema = createNoteBodySchema.openapi('UpdateNoteBody');
export const NoteSchema = z
  .object({ id: z.string(), contact_id: z.string(), body: z.string(), author_user_id: z.string().nullable(), created_at: z.string(), updated_at: z.string() })
  .openapi('Note');

interface NoteRow {
  id: string;
  account_id: string;
  contact_id: string;
  body: string;
  author_user_id: string | null;
  created_at: number;
  updated_at: number;
}

export function serializeNote(row: NoteRow) {
  return {
    id: row.id,
    contact_id: row.contact_id,
    body: row.body,
    author_user_id: row.author_user_id,
    created_at: toIso(row.created_at) as string,
    updated_at: toIso(row.updated_at) as string,
  };
}

async function getNoteOrThrow(deps: ServiceDeps, id: string): Promise<NoteRow> {
  const row = await queryFirst<NoteRow>(deps.db, 'SELECT * FROM notes WHERE id = ? AND account_id = ?', id, deps.auth.accountId);
  if (!row) throw new AppError('not_found', `Note ${id} was not found.`);
  return row;
}

/** Newest first. */
export async function listNotes(deps: ServiceDeps, contactId: string, page: { cursor?: string; limit: number }) {
  await getContactOrThrow(deps, contactId);
  const cursor = page.cursor ? decodeCursor(page.cursor) : null;
  const { results } = await deps.db
    .prepare(
      `SELECT * FROM notes WHERE account_id = ? AND contact_id = ? ${cursor ? 'AND (created_at, id) < (?, ?)' : ''}
       ORDER BY created_at DESC, id DESC LIMIT ?`,
    )
    .bind(deps.auth.accountId, contactId, ...(cursor ? [cursor.v, cursor.id] : []), page.limit + 1)
    .all<NoteRow>();
  return toPage(results, page.limit, (r) => ({ v: r.created_at, id: r.id }), serializeNote);
}

export async function createNote(deps: ServiceDeps, contactId: string, body: string) {
  await getContactOrThrow(deps, contactId);
  const now = Date.now();
  const row: NoteRow = {
    id: createId('note'),
    account_id: deps.auth.accountId,
    contact_id: contactId,
    body,
    author_user_id: deps.auth.actorUserId ?? deps.auth.userId,
    created_at: now,
    updated_at: now,
  };
  const event = newEvent(deps.auth, 'note.created', row.id, { contact_id: contactId, note_id: row.id });
  await commitWithEvents(
    deps,
    [
      statement(
        deps.db,
        'INSERT INTO notes (id, account_id, contact_id, body, author_user_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
        row.id,
        row.account_id,
        row.contact_id,
        row.body,
        row.author_user_id,
        now,
        now,
      ),
    ],
    [event],
  );
  return serializeNote(row);
}

export async function updateNote(deps: ServiceDeps, id: string, body: string) {
  const row = await getNoteOrThrow(deps, id);
  const updated = { ...row, body, updated_at: Date.now() };
  await deps.db
    .prepare('UPDATE notes SET body = ?, updated_at = ? WHERE id = ? AND account_id = ?')
    .bind(body, updated.updated_at, id, deps.auth.accountId)
    .run();
  return serializeNote(updated);
}

export async function deleteNote(deps: ServiceDeps, id: string): Promise<void> {
  await getNoteOrThrow(deps, id);
  await deps.db.prepare('DELETE FROM notes WHERE id = ? AND account_id = ?').bind(id, deps.auth.accountId).run();
}
