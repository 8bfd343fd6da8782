import type { ServiceDeps } from '../platform/deps';
import { AppError } from '../platform/errors';
import { createId } from '../platform/ids';
import { queryAll, queryFirst, toIso } from '../platform/db';
import { API_KEY_PREFIX, randomToken, sha256Hex } from '../auth/secrets';

export interface ApiKeyRow {
  id: string;
  name: string;
  prefix: string;
  role: 'admin' | 'member';
  created_at: number;
  last_used_at: number | null;
}

export function serializeApiKey(row: ApiKeyRow) {
  return { id: row.id, name: row.name, prefix: row.prefix, role: row.role, created_at: toIso(row.created_at) as string, last_used_at: toIso(row.last_used_at) };
}

export async function listApiKeys(deps: ServiceDeps): Promise<ApiKeyRow[]> {
  return queryAll<ApiKeyRow>(
    deps.db,
    'SELECT id, name, prefix, role, created_at, last_used_at FROM api_keys WHERE account_id = ? AND revoked_at IS NULL ORDER BY created_at DESC, id DESC',
    deps.auth.accountId,
  );
}

/** Creates a key; the secret is returned here once and only its hash is kept. */
export async function createApiKey(deps: ServiceDeps, input: { name: string; role: 'admin' | 'member' }): Promise<{ row: ApiKeyRow; key: string }> {
  const key = `${API_KEY_PREFIX}${randomToken(32)}`;
  const row: ApiKeyRow = {
    id: createId('apiKey'),
    name: input.name,
    prefix: key.slice(0, API_KEY_PREFIX.length + 6),
    role: input.role,
    created_at: Date.now(),
    last_used_at: null,
  };
  await deps.db
    .prepare('INSERT INTO api_keys (id, account_id, name, prefix, key_hash, role, created_by_user_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
    .bind(row.id, deps.auth.accountId, row.name, row.prefix, await sha256Hex(key), row.role, deps.auth.userId, row.created_at)
    .run();
  return { row, key };
}

export async function revokeApiKey(deps: ServiceDeps, id: string): Promise<void> {
  const row = await queryFirst<{ id: string }>(
    deps.db,
    'SELECT id FROM api_keys WHERE id = ? AND account_id = ? AND revoked_at IS NULL',
    id,
    deps.auth.accountId,
  );
  if (!row) throw new AppError('not_found', `API key ${id} was not found.`);
  await deps.db.prepare('UPDATE api_keys SET revoked_at = ? WHERE id = ? AND account_id = ?').bind(Date.now(), id, deps.auth.accountId).run();
}
