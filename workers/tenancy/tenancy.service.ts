import type { Role } from '../platform/context';
import { AppError } from '../platform/errors';
import { queryAll, queryFirst, type SqlValue } from '../platform/db';
import { decodeCursor, toPage } from '../platform/pagination';

export type AccountKind = 'business' | 'agency' | 'sub_account';
export type AccountStatus = 'active' | 'past_due' | 'paused' | 'archived';

export interface AccountRow {
  id: string;
  name: string;
  kind: AccountKind;
  status: AccountStatus;
  agency_id: string | null;
  timezone: string;
  created_at: number;
  updated_at: number;
}

export interface AccountAccess {
  role: Role;
  /** Set when the user reaches the account through its agency, not a membership. */
  viaAgency: { agencyAccountId: string } | null;
}

export async function getAccountOrThrow(db: D1Database, accountId: string): Promise<AccountRow> {
  const row = await queryFirst<AccountRow>(db, 'SELECT * FROM accounts WHERE id = ?', accountId);
  if (!row) throw new AppError('not_found', `Account ${accountId} was not found.`);
  return row;
}

/**
 * How a user may enter an account: by their own membership, or as owner/admin
 * of the agency that owns it (impersonation). Null when neither holds.
 */
export async function resolveAccountAccess(db: D1Database, userId: string, accountId: string): Promise<AccountAccess | null> {
  const membership = await queryFirst<{ role: Role }>(db, 'SELECT role FROM memberships WHERE account_id = ? AND user_id = ?', accountId, userId);
  if (membership) return { role: membership.role, viaAgency: null };
  const agencyStaff = await queryFirst<{ agency_account_id: string }>(
    db,
    `SELECT ag.account_id AS agency_account_id
       FROM accounts a
       JOIN agencies ag ON ag.id = a.agency_id
       JOIN memberships m ON m.account_id = ag.account_id AND m.user_id = ?
      WHERE a.id = ? AND a.kind = 'sub_account' AND m.role IN ('owner', 'admin')`,
    userId,
    accountId,
  );
  if (agencyStaff) return { role: 'admin', viaAgency: { agencyAccountId: agencyStaff.agency_account_id } };
  return null;
}

export interface AccessibleAccount {
  id: string;
  name: string;
  kind: AccountKind;
  status: AccountStatus;
  role: Role;
}

/** How accounts are ordered wherever a user picks one: agencies first, then businesses, then client accounts. */
export const accountKindRank = (kindColumn: string) => `CASE ${kindColumn} WHEN 'agency' THEN 0 WHEN 'business' THEN 1 ELSE 2 END`;

export interface AccessibleAccountQuery {
  /** Part of the name, any case. */
  q?: string;
  cursor?: string;
  limit: number;
}

/**
 * Accounts a user can switch into, a page at a time: their memberships plus
 * their agencies' sub-accounts, agencies first, then businesses, then client
 * accounts, each in name order (case folded).
 */
export async function listAccessibleAccounts(db: D1Database, userId: string, query: AccessibleAccountQuery) {
  const where: string[] = [];
  const binds: SqlValue[] = [userId];
  const needle = query.q?.trim().toLowerCase();
  if (needle) {
    where.push('instr(lower(name), ?) > 0');
    binds.push(needle);
  }
  if (query.cursor) {
    const after = decodeAccountCursor(query.cursor);
    where.push('(rank, name COLLATE NOCASE, id) > (?, ?, ?)');
    binds.push(after.rank, after.name, after.id);
  }
  const rows = await queryAll<AccessibleAccount & { rank: number }>(
    db,
    `SELECT * FROM (
       SELECT *, ${accountKindRank('kind')} AS rank FROM (
         SELECT a.id, a.name, a.kind, a.status, m.role
           FROM memberships m JOIN accounts a ON a.id = m.account_id
          WHERE m.user_id = ?1
         UNION
         SELECT s.id, s.name, s.kind, s.status, 'admin' AS role
           FROM memberships m
           JOIN agencies ag ON ag.account_id = m.account_id
           JOIN accounts s ON s.agency_id = ag.id AND s.kind = 'sub_account'
          WHERE m.user_id = ?1 AND m.role IN ('owner', 'admin')
            AND NOT EXISTS (SELECT 1 FROM memberships own WHERE own.account_id = s.id AND own.user_id = ?1)
       )
     ) ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY rank, name COLLATE NOCASE, id LIMIT ?`,
    ...binds,
    query.limit + 1,
  );
  return toPage(
    rows,
    query.limit,
    (row) => ({ v: `${row.rank}:${row.name}`, id: row.id }),
    (row): AccessibleAccount => ({ id: row.id, name: row.name, kind: row.kind, status: row.status, role: row.role }),
  );
}

function decodeAccountCursor(raw: string): { rank: number; name: string; id: string } {
  const cursor = decodeCursor(raw);
  const match = typeof cursor.v === 'string' ? /^([0-2]):(.*)$/s.exec(cursor.v) : null;
  if (!match) throw new AppError('validation_failed', 'The cursor is not one this API issued.', { errors: [{ field: 'cursor', message: 'Invalid cursor.' }] });
  return { rank: Number(match[1]), name: match[2] as string, id: cursor.id };
}

export async function getAgencyForAccount(db: D1Database, accountId: string): Promise<{ id: string; name: string } | null> {
  return queryFirst<{ id: string; name: string }>(db, 'SELECT id, name FROM agencies WHERE account_id = ?', accountId);
}
