import { assertPlanFeature } from '../billing/entitlements';
import type { ServiceDeps } from '../platform/deps';
import { AppError } from '../platform/errors';
import { createId } from '../platform/ids';
import { queryAll, statement, toIso, transaction } from '../platform/db';
import { getAgencyForAccount } from './tenancy.service';

export interface SubAccountRow {
  id: string;
  name: string;
  status: string;
  created_at: number;
}

export function serializeSubAccount(row: SubAccountRow) {
  return { id: row.id, name: row.name, status: row.status, created_at: toIso(row.created_at) as string };
}

async function requireAgency(deps: ServiceDeps) {
  const agency = await getAgencyForAccount(deps.db, deps.auth.accountId);
  if (!agency) throw new AppError('forbidden', 'Only an agency account has sub-accounts.');
  return agency;
}

export async function listSubAccounts(deps: ServiceDeps): Promise<SubAccountRow[]> {
  const agency = await requireAgency(deps);
  return queryAll<SubAccountRow>(
    deps.db,
    "SELECT id, name, status, created_at FROM accounts WHERE agency_id = ? AND kind = 'sub_account' ORDER BY name, id",
    agency.id,
  );
}

/** Creates a sub-account: a full tenant of its own, owned by the caller's agency. */
export async function createSubAccount(deps: ServiceDeps, name: string): Promise<SubAccountRow> {
  const agency = await requireAgency(deps);
  await assertPlanFeature(deps.db, deps.auth.accountId, 'sub_accounts');
  const now = Date.now();
  const accountId = createId('account');
  await transaction(deps.db, [
    statement(deps.db, "INSERT INTO accounts (id, name, kind, status, agency_id, created_at, updated_at) VALUES (?, ?, 'sub_account', 'active', ?, ?, ?)", accountId, name, agency.id, now, now),
    statement(deps.db, 'INSERT INTO sub_accounts (id, agency_id, account_id, name, created_at) VALUES (?, ?, ?, ?, ?)', createId('subAccount'), agency.id, accountId, name, now),
  ]);
  return { id: accountId, name, status: 'active', created_at: now };
}
