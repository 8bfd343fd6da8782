import { queryAll } from '../platform/db';
import { formatUsd } from '../platform/money';

const DAY_MS = 86_400_000;

/**
 * Net spend per resource per day (debits less refunds) from the ledger
 * projection, every day present even when nothing was spent.
 */
export async function usageReport(db: D1Database, accountId: string, days: number, now = Date.now()) {
  const end = Math.floor(now / DAY_MS) * DAY_MS + DAY_MS;
  const start = end - days * DAY_MS;
  const rows = await queryAll<{ day: string; resource_type: string; spent: number }>(
    db,
    `SELECT date(created_at / 1000, 'unixepoch') AS day, resource_type, -SUM(amount_micros) AS spent
       FROM wallet_transactions
      WHERE account_id = ? AND created_at >= ? AND created_at < ? AND resource_type IS NOT NULL
      GROUP BY day, resource_type`,
    accountId,
    start,
    end,
  );
  const totals = new Map<string, number>();
  const byDay = new Map<string, Map<string, number>>();
  for (const row of rows) {
    if (!byDay.has(row.day)) byDay.set(row.day, new Map());
    byDay.get(row.day)?.set(row.resource_type, row.spent);
    totals.set(row.resource_type, (totals.get(row.resource_type) ?? 0) + row.spent);
  }
  const daysOut = [];
  for (let t = start; t < end; t += DAY_MS) {
    const date = new Date(t).toISOString().slice(0, 10);
    const resources = byDay.get(date) ?? new Map<string, number>();
    let total = 0;
    for (const v of resources.values()) total += v;
    daysOut.push({ date, resources: Object.fromEntries([...resources].map(([k, v]) => [k, formatUsd(v)])), total: formatUsd(total) });
  }
  return {
    from: new Date(start).toISOString(),
    to: new Date(end).toISOString(),
    days: daysOut,
    totals: Object.fromEntries([...totals].map(([k, v]) => [k, formatUsd(v)])),
  };
}

/** What each sub-account was charged, what the agency paid the platform for it, and the difference. */
export async function marginReport(db: D1Database, agencyAccountId: string, fromMs: number, toMs: number) {
  const rows = await queryAll<{ account_id: string; name: string; resource_type: string; quantity: number; charged: number; cost: number }>(
    db,
    `SELECT u.account_id, a.name, u.resource_type, SUM(u.quantity) AS quantity, SUM(u.customer_amount_micros) AS charged, SUM(u.platform_amount_micros) AS cost
       FROM usage_charges u JOIN accounts a ON a.id = u.account_id
      WHERE u.agency_account_id = ? AND u.status = 'charged' AND u.created_at >= ? AND u.created_at < ?
      GROUP BY u.account_id, u.resource_type ORDER BY a.name, u.resource_type`,
    agencyAccountId,
    fromMs,
    toMs,
  );
  const accounts = new Map<
    string,
    {
      account_id: string;
      name: string;
      resources: Array<{ resource_type: string; quantity: number; charged: string; cost: string; margin: string }>;
      charged: number;
      cost: number;
    }
  >();
  // Every client account appears, the quiet ones at zero.
  const subAccounts = await queryAll<{ id: string; name: string }>(
    db,
    "SELECT a.id, a.name FROM accounts a JOIN agencies ag ON ag.id = a.agency_id WHERE ag.account_id = ? AND a.kind = 'sub_account' ORDER BY a.name, a.id",
    agencyAccountId,
  );
  for (const sub of subAccounts) accounts.set(sub.id, { account_id: sub.id, name: sub.name, resources: [], charged: 0, cost: 0 });
  let charged = 0;
  let cost = 0;
  for (const row of rows) {
    const entry = accounts.get(row.account_id) ?? { account_id: row.account_id, name: row.name, resources: [], charged: 0, cost: 0 };
    entry.resources.push({
      resource_type: row.resource_type,
      quantity: row.quantity,
      charged: formatUsd(row.charged),
      cost: formatUsd(row.cost),
      margin: formatUsd(row.charged - row.cost),
    });
    entry.charged += row.charged;
    entry.cost += row.cost;
    accounts.set(row.account_id, entry);
    charged += row.charged;
    cost += row.cost;
  }
  return {
    from: new Date(fromMs).toISOString(),
    to: new Date(toMs).toISOString(),
    sub_accounts: [...accounts.values()].map((a) => ({ ...a, charged: formatUsd(a.charged), cost: formatUsd(a.cost), margin: formatUsd(a.charged - a.cost) })),
    totals: { charged: formatUsd(charged), cost: formatUsd(cost), margin: formatUsd(charged - cost) },
  };
}
