import type { ServiceDeps } from '../../platform/deps';
import { AppError } from '../../platform/errors';
import { createId } from '../../platform/ids';
import { isUniqueViolation, queryAll, queryFirst, toIso } from '../../platform/db';
import type { CustomFieldType } from './custom-fields.schemas';

export interface CustomFieldRow {
  id: string;
  account_id: string;
  key: string;
  name: string;
  type: CustomFieldType;
  options: string;
  position: number;
  created_at: number;
}

export function serializeCustomField(row: CustomFieldRow) {
  return {
    id: row.id,
    key: row.key,
    name: row.name,
    type: row.type,
    options: JSON.parse(row.options) as string[],
    position: row.position,
    created_at: toIso(row.created_at) as string,
  };
}

export async function listCustomFields(db: D1Database, accountId: string): Promise<CustomFieldRow[]> {
  return queryAll<CustomFieldRow>(db, 'SELECT * FROM custom_fields WHERE account_id = ? ORDER BY position, created_at, id', accountId);
}

export async function customFieldsByKey(db: D1Database, accountId: string): Promise<Map<string, CustomFieldRow>> {
  return new Map((await listCustomFields(db, accountId)).map((f) => [f.key, f]));
}

export async function getCustomFieldOrThrow(deps: ServiceDeps, id: string): Promise<CustomFieldRow> {
  const row = await queryFirst<CustomFieldRow>(deps.db, 'SELECT * FROM custom_fields WHERE id = ? AND account_id = ?', id, deps.auth.accountId);
  if (!row) throw new AppError('not_found', `Custom field ${id} was not found.`);
  return row;
}

export function keyFromName(name: string): string {
  const key = name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 50);
  return /^[a-z]/.test(key) ? key : `field_${key}`.slice(0, 50);
}

const OPTION_TYPES = new Set<CustomFieldType>(['single_option', 'multi_option']);

function assertOptions(type: CustomFieldType, options: string[] | undefined): string[] {
  if (OPTION_TYPES.has(type)) {
    if (!options || options.length === 0) {
      throw new AppError('validation_failed', 'Option fields need at least one option.', {
        errors: [{ field: 'options', message: 'Add at least one option.' }],
      });
    }
    if (new Set(options).size !== options.length) {
      throw new AppError('validation_failed', 'Options must be unique.', { errors: [{ field: 'options', message: 'Options must be unique.' }] });
    }
    return options;
  }
  if (options && options.length > 0) {
    throw new AppError('validation_failed', `A ${type} field has no options.`, { errors: [{ field: 'options', message: 'Only option fields take options.' }] });
  }
  return [];
}

export async function createCustomField(
  deps: ServiceDeps,
  input: { name: string; key?: string; type: CustomFieldType; options?: string[] },
): Promise<CustomFieldRow> {
  const options = assertOptions(input.type, input.options);
  const position = (await queryFirst<{ n: number }>(deps.db, 'SELECT COUNT(*) AS n FROM custom_fields WHERE account_id = ?', deps.auth.accountId))?.n ?? 0;
  const row: CustomFieldRow = {
    id: createId('customField'),
    account_id: deps.auth.accountId,
    key: input.key ?? keyFromName(input.name),
    name: input.name,
    type: input.type,
    options: JSON.stringify(options),
    position,
    created_at: Date.now(),
  };
  try {
    await deps.db
      .prepare('INSERT INTO custom_fields (id, account_id, key, name, type, options, position, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .bind(row.id, row.account_id, row.key, row.name, row.type, row.options, row.position, row.created_at)
      .run();
  } catch (err) {
    if (isUniqueViolation(err)) {
      throw new AppError('conflict', `A custom field with key "${row.key}" already exists.`, { errors: [{ field: 'key', message: 'Key already in use.' }] });
    }
    throw err;
  }
  return row;
}

/**
 * Renames a field, reorders it or changes its options. Removing an option that
 * contacts still hold is refused, so no stored value becomes invalid.
 */
export async function updateCustomField(
  deps: ServiceDeps,
  id: string,
  input: { name?: string; options?: string[]; position?: number },
): Promise<CustomFieldRow> {
  const field = await getCustomFieldOrThrow(deps, id);
  let options = field.options;
  if (input.options !== undefined) {
    const next = assertOptions(field.type, input.options);
    const removed = (JSON.parse(field.options) as string[]).filter((o) => !next.includes(o));
    for (const option of removed) {
      const inUse = await queryFirst<{ n: number }>(
        deps.db,
        // json_each reads a single option ("Gold") and a multi-option list (["Gold"]) alike.
        `SELECT COUNT(*) AS n FROM custom_field_values v WHERE v.account_id = ? AND v.field_id = ?
           AND EXISTS (SELECT 1 FROM json_each(v.value) WHERE json_each.value = ?)`,
        deps.auth.accountId,
        id,
        option,
      );
      if (inUse && inUse.n > 0) {
        throw new AppError('conflict', `Option "${option}" is still set on ${inUse.n} contact(s); change them first.`, {
          errors: [{ field: 'options', message: `"${option}" is in use.` }],
        });
      }
    }
    options = JSON.stringify(next);
  }
  const updated = { ...field, name: input.name ?? field.name, options, position: input.position ?? field.position };
  await deps.db
    .prepare('UPDATE custom_fields SET name = ?, options = ?, position = ? WHERE id = ? AND account_id = ?')
    .bind(updated.name, updated.options, updated.position, id, deps.auth.accountId)
    .run();
  return updated;
}

export async function deleteCustomField(deps: ServiceDeps, id: string): Promise<void> {
  await getCustomFieldOrThrow(deps, id);
  await deps.db.batch([
    deps.db.prepare('DELETE FROM custom_field_values WHERE account_id = ? AND field_id = ?').bind(deps.auth.accountId, id),
    deps.db.prepare('DELETE FROM custom_fields WHERE id = ? AND account_id = ?').bind(id, deps.auth.accountId),
  ]);
}
