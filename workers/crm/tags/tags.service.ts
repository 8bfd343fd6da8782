import type { ServiceDeps } from '../../platform/deps';
import { AppError } from '../../platform/errors';
import { createId } from '../../platform/ids';
import { isUniqueViolation, queryAll, queryFirst, statement, toIso } from '../../platform/db';

export interface TagRow {
  id: string;
  account_id: string;
  name: string;
  name_key: string;
  color: string;
  created_at: number;
  contact_count?: number;
}

export function serializeTag(row: TagRow) {
  return {
    id: row.id,
    name: row.name,
    color: row.color,
    ...(row.contact_count !== undefined ? { contact_count: row.contact_count } : {}),
    created_at: toIso(row.created_at) as string,
  };
}

/** Tags match case-insensitively: "VIP" and "vip" are one tag. */
export function tagKey(name: string): string {
  return name.trim().toLowerCase();
}

const PALETTE = ['#2563eb', '#16a34a', '#d97706', '#dc2626', '#7c3aed', '#0891b2', '#db2777', '#4d7c0f'];

function defaultColor(name: string): string {
  let hash = 0;
  for (const ch of tagKey(name)) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  return PALETTE[hash % PALETTE.length];
}

export async function listTags(deps: ServiceDeps): Promise<TagRow[]> {
  return queryAll<TagRow>(
    deps.db,
    `SELECT t.*, (SELECT COUNT(*) FROM contact_tags ct WHERE ct.account_id = t.account_id AND ct.tag_id = t.id) AS contact_count
       FROM tags t WHERE t.account_id = ? ORDER BY t.name_key, t.id`,
    deps.auth.accountId,
  );
}

export async function getTagOrThrow(deps: ServiceDeps, id: string): Promise<TagRow> {
  const row = await queryFirst<TagRow>(deps.db, 'SELECT * FROM tags WHERE id = ? AND account_id = ?', id, deps.auth.accountId);
  if (!row) throw new AppError('not_found', `Tag ${id} was not found.`);
  return row;
}

function duplicateTag(name: string): AppError {
  return new AppError('conflict', `A tag named "${name}" already exists.`, { errors: [{ field: 'name', message: 'Tag names are unique (ignoring case).' }] });
}

export async function createTag(deps: ServiceDeps, input: { name: string; color?: string }): Promise<TagRow> {
  const row: TagRow = {
    id: createId('tag'),
    account_id: deps.auth.accountId,
    name: input.name,
    name_key: tagKey(input.name),
    color: input.color ?? defaultColor(input.name),
    created_at: Date.now(),
  };
  try {
    await insertTagStatement(deps.db, row).run();
  } catch (err) {
    if (isUniqueViolation(err)) throw duplicateTag(input.name);
    throw err;
  }
  return { ...row, contact_count: 0 };
}

export function insertTagStatement(db: D1Database, row: TagRow): D1PreparedStatement {
  return statement(
    db,
    'INSERT INTO tags (id, account_id, name, name_key, color, created_at) VALUES (?, ?, ?, ?, ?, ?)',
    row.id,
    row.account_id,
    row.name,
    row.name_key,
    row.color,
    row.created_at,
  );
}

export async function updateTag(deps: ServiceDeps, id: string, input: { name?: string; color?: string }): Promise<TagRow> {
  const tag = await getTagOrThrow(deps, id);
  const updated = { ...tag, name: input.name ?? tag.name, name_key: tagKey(input.name ?? tag.name), color: input.color ?? tag.color };
  try {
    await deps.db
      .prepare('UPDATE tags SET name = ?, name_key = ?, color = ? WHERE id = ? AND account_id = ?')
      .bind(updated.name, updated.name_key, updated.color, id, deps.auth.accountId)
      .run();
  } catch (err) {
    if (isUniqueViolation(err)) throw duplicateTag(updated.name);
    throw err;
  }
  return updated;
}

export async function deleteTag(deps: ServiceDeps, id: string): Promise<void> {
  await getTagOrThrow(deps, id);
  await deps.db.batch([
    deps.db.prepare('DELETE FROM contact_tags WHERE account_id = ? AND tag_id = ?').bind(deps.auth.accountId, id),
    deps.db.prepare('DELETE FROM tags WHERE id = ? AND account_id = ?').bind(id, deps.auth.accountId),
  ]);
}

/**
 * Finds tags by name, planning rows for names that do not exist yet. The caller
 * writes `created` in the same batch as whatever uses them.
 */
export async function resolveTagNames(deps: ServiceDeps, names: string[]): Promise<{ tags: TagRow[]; created: TagRow[] }> {
  const byKey = new Map<string, string>();
  for (const name of names) if (!byKey.has(tagKey(name))) byKey.set(tagKey(name), name.trim());
  if (byKey.size === 0) return { tags: [], created: [] };
  const keys = [...byKey.keys()];
  const existing = await queryAll<TagRow>(
    deps.db,
    'SELECT * FROM tags WHERE account_id = ? AND name_key IN (SELECT value FROM json_each(?))',
    deps.auth.accountId,
    JSON.stringify(keys),
  );
  const found = new Set(existing.map((t) => t.name_key));
  const now = Date.now();
  const created = keys
    .filter((k) => !found.has(k))
    .map((k) => {
      const name = byKey.get(k) as string;
      return { id: createId('tag'), account_id: deps.auth.accountId, name, name_key: k, color: defaultColor(name), created_at: now };
    });
  return { tags: [...existing, ...created], created };
}
