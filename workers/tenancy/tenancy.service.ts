import type { Role } from '../platform/context';
import { AppError } from '../platform/errors';
import { queryAll, queryFirst } from '../platform/db';

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
  const membership = await queryFirst<{ role: Role }>(
    db,
    'SELECT role FROM memberships WHERE account_id = ? AND user_id = ?',
    accountId,
    userId,
  );
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

/** Accounts a user can switch into: their memberships plus their agencies' sub-accounts. */
export async function listAccessibleAccounts(db: D1Database, userId: string): Promise<AccessibleAccount[]> {
  return queryAll<AccessibleAccount>(
    db,
    `SELECT * FROM (
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
     ) ORDER BY CASE kind WHEN 'agency' THEN 0 WHEN 'business' THEN 1 ELSE 2 END, name`,
    userId,
  );
}

export async function getAgencyForAccount(db: D1Database, accountId: string): Promise<{ id: string; name: string } | null> {
  return queryFirst<{ id: string; name: string }>(db, 'SELECT id, name FROM agencies WHERE account_id = ?', accountId);
}
