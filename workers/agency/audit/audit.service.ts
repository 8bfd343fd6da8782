import { queryAll, statement, toIso } from '../../platform/db';
import { createId } from '../../platform/ids';
import { decodeCursor, encodeCursor, type Page } from '../../platform/pagination';

/**
 * The agency's audit log of impersonation: who opened which client account,
 * and every change they made there (method, path, outcome). The rows belong
 * to the agency's account, so only the agency reads them; the client account
 * sees the same entries in its own activity trail.
 */

export interface AuditEntryInput {
  agencyAccountId: string;
  subAccountId: string;
  actorUserId: string;
  action: 'impersonation_started' | 'request';
  method?: string;
  path?: string;
  status?: number;
  requestId?: string;
}

export function auditStatement(db: D1Database, input: AuditEntryInput, now = Date.now()): D1PreparedStatement {
  return statement(
    db,
    `INSERT INTO agency_audit_log (id, account_id, sub_account_id, actor_user_id, action, method, path, status, request_id, occurred_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    createId('auditEntry'),
    input.agencyAccountId,
    input.subAccountId,
    input.actorUserId,
    input.action,
    input.method ?? null,
    input.path ?? null,
    input.status ?? null,
    input.requestId ?? null,
    now,
  );
}

interface AuditRow {
  id: string;
  sub_account_id: string;
  sub_account_name: string;
  actor_user_id: string;
  actor_name: string;
  actor_email: string;
  action: AuditEntryInput['action'];
  method: string | null;
  path: string | null;
  status: number | null;
  request_id: string | null;
  occurred_at: number;
}

function serialize(row: AuditRow) {
  return {
    id: row.id,
    action: row.action,
    sub_account: { id: row.sub_account_id, name: row.sub_account_name },
    actor: { id: row.actor_user_id, name: row.actor_name, email: row.actor_email },
    method: row.method,
    path: row.path,
    status: row.status,
    request_id: row.request_id,
    occurred_at: toIso(row.occurred_at) as string,
  };
}

export type AuditEntry = ReturnType<typeof serialize>;

/** Newest first, keyset-paged; optionally one sub-account's entries. */
export async function listAuditLog(
  db: D1Database,
  agencyAccountId: string,
  options: { subAccountId?: string; cursor?: string; limit: number },
): Promise<Page<AuditEntry>> {
  const cursor = options.cursor ? decodeCursor(options.cursor) : null;
  const rows = await queryAll<AuditRow>(
    db,
    `SELECT l.id, l.sub_account_id, a.name AS sub_account_name, l.actor_user_id, u.name AS actor_name, u.email AS actor_email,
            l.action, l.method, l.path, l.status, l.request_id, l.occurred_at
       FROM agency_audit_log l
       JOIN accounts a ON a.id = l.sub_account_id
       JOIN users u ON u.id = l.actor_user_id
      WHERE l.account_id = ? ${options.subAccountId ? 'AND l.sub_account_id = ?' : ''} ${cursor ? 'AND (l.occurred_at, l.id) < (?, ?)' : ''}
      ORDER BY l.occurred_at DESC, l.id DESC LIMIT ?`,
    agencyAccountId,
    ...(options.subAccountId ? [options.subAccountId] : []),
    ...(cursor ? [Number(cursor.v), cursor.id] : []),
    options.limit + 1,
  );
  const page = rows.slice(0, options.limit);
  const last = page[page.length - 1];
  return { data: page.map(serialize), next_cursor: rows.length > options.limit && last ? encodeCursor({ v: last.occurred_at, id: last.id }) : null };
}
