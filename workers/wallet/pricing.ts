import { queryAll, queryFirst } from '../platform/db';
import { parseMultiplier, priceMicros, platformPriceMicros, USAGE_RESOURCES, type UsageResource } from './price-book';

export interface UsageQuote {
  /** The agency whose wallet pays the platform price, for sub-accounts. */
  agencyAccountId: string | null;
  multiplier: string;
  customerMicros: number;
  platformMicros: number;
}

/**
 * Prices usage for an account: a sub-account pays its agency's price (its own
 * override, else the agency's multiplier, else the platform default) and the
 * agency pays the platform price; anyone else pays the platform price once.
 */
export async function quoteUsage(db: D1Database, accountId: string, resource: UsageResource, quantity: number): Promise<UsageQuote> {
  const account = await queryFirst<{ kind: string; agency_account_id: string | null }>(
    db,
    `SELECT a.kind, ag.account_id AS agency_account_id FROM accounts a LEFT JOIN agencies ag ON ag.id = a.agency_id WHERE a.id = ?`,
    accountId,
  );
  const agencyAccountId = account?.kind === 'sub_account' ? account.agency_account_id : null;
  const overrides = await queryAll<{ account_id: string; multiplier: string }>(
    db,
    'SELECT account_id, multiplier FROM usage_price_overrides WHERE resource_type = ? AND account_id IN (?, ?)',
    resource,
    accountId,
    agencyAccountId ?? accountId,
  );
  const own = overrides.find((o) => o.account_id === accountId)?.multiplier;
  const agency = agencyAccountId ? overrides.find((o) => o.account_id === agencyAccountId)?.multiplier : undefined;
  const multiplier = own ?? agency ?? USAGE_RESOURCES[resource].defaultMultiplier;
  const platformMicros = platformPriceMicros(resource, quantity);
  return {
    agencyAccountId,
    multiplier,
    customerMicros: agencyAccountId || own ? priceMicros(resource, quantity, parseMultiplier(multiplier)) : platformMicros,
    platformMicros,
  };
}
