import { assertPlanFeature } from '../billing/entitlements';
import type { ServiceDeps } from '../platform/deps';
import { AppError } from '../platform/errors';
import { createId } from '../platform/ids';
import { queryAll, queryFirst, statement, toIso, transaction, type SqlValue } from '../platform/db';
import { decodeCursor, toPage } from '../platform/pagination';
import { forgetSuspension } from './suspension';
import { forgetSessionAccess } from '../auth/session-access';
import { getAgencyForAccount } from './tenancy.service';

export interface SubAccountRow {
  id: string;
  name: string;
  status: string;
  suspended_at: number | null;
  created_at: number;
}

export function serializeSubAccount(row: SubAccountRow) {
  return {
    id: row.id,
    name: row.name,
    status: row.status,
    suspended: row.suspended_at !== null,
    suspended_at: toIso(row.suspended_at),
    created_at: toIso(row.created_at) as string,
  };
}

async function requireAgency(deps: ServiceDeps) {
  const agency = await getAgencyForAccount(deps.db, deps.auth.accountId);
  if (!agency) throw new AppError('forbidden', 'Only an agency account has sub-accounts.');
  return agency;
}

export interface SubAccountFilter {
  /** Part of the name, any case. */
  q?: string;
  /** Only suspended clients (true) or only open ones (false). */
  suspended?: boolean;
  cursor?: string;
  limit: number;
}

const CLIENT_COLUMNS = 'id, name, status, suspended_at, created_at';

/**
 * One page of the agency's client accounts in name order (case folded, id
 * breaking ties), with how many it has in all and how many are suspended.
 */
export async function listSubAccounts(deps: ServiceDeps, filter: SubAccountFilter) {
  const agency = await requireAgency(deps);
  const where = ['agency_id = ?', "kind = 'sub_account'"];
  const binds: SqlValue[] = [agency.id];
  const needle = filter.q?.trim().toLowerCase();
  if (needle) {
    where.push('instr(lower(name), ?) > 0');
    binds.push(needle);
  }
  if (filter.suspended !== undefined) where.push(filter.suspended ? 'suspended_at IS NOT NULL' : 'suspended_at IS NULL');
  if (filter.cursor) {
    const after = decodeCursor(filter.cursor);
    where.push('(name COLLATE NOCASE > ? OR (name COLLATE NOCASE = ? AND id > ?))');
    binds.push(String(after.v), String(after.v), after.id);
  }
  const [rows, counts] = await Promise.all([
    queryAll<SubAccountRow>(
      deps.db,
      `SELECT ${CLIENT_COLUMNS} FROM accounts WHERE ${where.join(' AND ')} ORDER BY name COLLATE NOCASE, id LIMIT ?`,
      ...binds,
      filter.limit + 1,
    ),
    queryFirst<{ total: number; suspended: number }>(
      deps.db,
      "SELECT count(*) AS total, count(suspended_at) AS suspended FROM accounts WHERE agency_id = ? AND kind = 'sub_account'",
      agency.id,
    ),
  ]);
  return {
    ...toPage(rows, filter.limit, (row) => ({ v: row.name, id: row.id }), serializeSubAccount),
    counts: { total: counts?.total ?? 0, suspended: counts?.suspended ?? 0 },
  };
}

/** Creates a sub-account: a full tenant of its own, owned by the caller's agency. */
export async function createSubAccount(deps: ServiceDeps, name: string): Promise<SubAccountRow> {
  const agency = await requireAgency(deps);
  await assertPlanFeature(deps.db, deps.auth.accountId, 'sub_accounts');
  const now = Date.now();
  const accountId = createId('account');
  await transaction(deps.db, [
    statement(
      deps.db,
      "INSERT INTO accounts (id, name, kind, status, agency_id, created_at, updated_at) VALUES (?, ?, 'sub_account', 'active', ?, ?, ?)",
      accountId,
      name,
      agency.id,
      now,
      now,
    ),
    statement(
      deps.db,
      'INSERT INTO sub_accounts (id, agency_id, account_id, name, created_at) VALUES (?, ?, ?, ?, ?)',
      createId('subAccount'),
      agency.id,
      accountId,
      name,
      now,
    ),
  ]);
  return { id: accountId, name, status: 'active', suspended_at: null, created_at: now };
}

/** One of the caller agency's sub-accounts; another agency's (or any other account) is simply not found. */
export async function getSubAccountOrThrow(deps: ServiceDeps, id: string): Promise<SubAccountRow> {
  const agency = await requireAgency(deps);
  const row = await queryFirst<SubAccountRow>(
    deps.db,
    "SELECT id, name, status, suspended_at, created_at FROM accounts WHERE id = ? AND agency_id = ? AND kind = 'sub_account'",
    id,
    agency.id,
  );
  if (!row) throw new AppError('not_found', `Sub-account ${id} was not found.`);
  return row;
}

/**
 * Renames a client account, or suspends / reactivates it. Suspension closes
 * it to its own users and API keys (their open sessions are revoked); the
 * agency can still enter it. Nothing is deleted.
 */
export async function updateSubAccount(deps: ServiceDeps, id: string, input: { name?: string; suspended?: boolean }): Promise<SubAccountRow> {
  const row = await getSubAccountOrThrow(deps, id);
  const now = Date.now();
  const statements: D1PreparedStatement[] = [];
  if (input.name !== undefined && input.name !== row.name) {
    statements.push(
      statement(deps.db, 'UPDATE accounts SET name = ?, updated_at = ? WHERE id = ?', input.name, now, id),
      statement(deps.db, 'UPDATE sub_accounts SET name = ? WHERE account_id = ?', input.name, id),
    );
  }
  if (input.suspended === true && row.suspended_at === null) {
    statements.push(
      statement(deps.db, 'UPDATE accounts SET suspended_at = ?, updated_at = ? WHERE id = ?', now, now, id),
      statement(deps.db, 'UPDATE sessions SET revoked_at = ? WHERE account_id = ? AND actor_user_id IS NULL AND revoked_at IS NULL', now, id),
    );
  } else if (input.suspended === false && row.suspended_at !== null) {
    statements.push(statement(deps.db, 'UPDATE accounts SET suspended_at = NULL, updated_at = ? WHERE id = ?', now, id));
  }
  if (statements.length > 0) await transaction(deps.db, statements);
  forgetSuspension(id);
  forgetSessionAccess();
  return getSubAccountOrThrow(deps, id);
}
