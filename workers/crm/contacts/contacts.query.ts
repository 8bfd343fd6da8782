import type { ServiceDeps } from '../../platform/deps';
import { AppError, type FieldError } from '../../platform/errors';
import type { SqlValue } from '../../platform/db';
import { decodeCursor, toPage, type Cursor, type Page } from '../../platform/pagination';
import { customFieldsByKey } from '../custom-fields/custom-fields.service';
import { filterKey } from '../custom-fields/custom-field-values';
import { loadContactDetails, serializeContact, type ContactRow, type ContactView } from './contacts.service';
import { phoneSearchPrefixes } from './phone';
import type { CONTACT_SORTS } from './contacts.schemas';

export interface ListContactsInput {
  q?: string;
  tag?: string;
  sort: (typeof CONTACT_SORTS)[number];
  order: 'asc' | 'desc';
  cursor?: string;
  limit: number;
  /** `cf.<key>` query parameters: custom field key -> value. */
  customFieldFilters: Record<string, string>;
}

/** Sort key columns; each matches an index that leads with account_id and ends with id. */
const SORT_COLUMNS: Record<ListContactsInput['sort'], string> = {
  created_at: 'created_at',
  updated_at: 'updated_at',
  name: 'name_key',
  email: "IFNULL(email, '')",
};

const sortExpression = (sort: ListContactsInput['sort']) => (sort === 'email' ? "IFNULL(c.email, '')" : `c.${SORT_COLUMNS[sort]}`);

function sortValue(row: ContactRow, sort: ListContactsInput['sort']): string | number {
  if (sort === 'email') return row.email ?? '';
  if (sort === 'name') return row.name_key;
  return row[sort];
}

/** The smallest string greater than every string starting with `prefix`. */
export function prefixUpperBound(prefix: string): string {
  const last = prefix.charCodeAt(prefix.length - 1);
  return prefix.slice(0, -1) + String.fromCharCode(last + 1);
}

/**
 * What the search box matches: an email prefix when it holds "@" or looks
 * like an address, a phone prefix when it is mostly digits, otherwise a
 * prefix of the full name, the last name or the email.
 */
function searchRanges(q: string): Array<[column: string, prefix: string]> {
  const query = q.trim().toLowerCase();
  if (!query) return [];
  const digits = query.replace(/[^\d]/g, '');
  if (/^[+\d\s().-]+$/.test(query) && digits.length >= 3) return phoneSearchPrefixes(query).map((prefix) => ['phone', prefix]);
  if (query.includes('@') || /^[^\s]+\.[a-z]{2,}$/.test(query)) return [['email', query]];
  return [
    ['name_key', query],
    ['last_name_key', query],
    ['email', query],
  ];
}

type SearchRanges = Array<[column: string, prefix: string]>;

interface Sql {
  sql: string;
  binds: SqlValue[];
}

/**
 * Above this many matches a search is "broad": walking the account in sort
 * order finds a page of matches within a few thousand rows. Below it, reading
 * the matches through their own indexes and sorting them is cheaper.
 */
export const BROAD_SEARCH_MATCHES = 1_000;

const rangeBinds = (ranges: SearchRanges, accountId: string) => ranges.flatMap(([, prefix]) => [accountId, prefix, prefixUpperBound(prefix)]);

/** Counts matches up to the threshold; UNION ALL with LIMIT stops reading early. */
function countMatchesUpToThreshold(ranges: SearchRanges, accountId: string): Sql {
  const selects = ranges.map(([column]) => `SELECT 1 FROM contacts WHERE account_id = ? AND ${column} >= ? AND ${column} < ?`);
  return { sql: `SELECT COUNT(*) AS n FROM (${selects.join(' UNION ALL ')} LIMIT ${BROAD_SEARCH_MATCHES})`, binds: rangeBinds(ranges, accountId) };
}

/** Search ranges tested on each row while walking the account in sort order (a broad search). */
function searchFilter(ranges: SearchRanges): Sql {
  // `+` keeps each range a filter: an index on it would fetch every match and sort them all.
  return {
    sql: `(${ranges.map(([column]) => `(+c.${column} >= ? AND +c.${column} < ?)`).join(' OR ')})`,
    binds: ranges.flatMap(([, prefix]) => [prefix, prefixUpperBound(prefix)]),
  };
}

/**
 * A narrow search's matches as a table of (id, sort_key): one index range per
 * searched column, UNION dropping a contact matched twice. The ranges'
 * indexes carry created_at, so the default sort reads no table rows here.
 */
function searchMatches(ranges: SearchRanges, accountId: string, sortColumn: string): Sql {
  const selects = ranges.map(([column]) => `SELECT id, ${sortColumn} AS sort_key FROM contacts WHERE account_id = ? AND ${column} >= ? AND ${column} < ?`);
  return { sql: selects.join(' UNION '), binds: rangeBinds(ranges, accountId) };
}

/** How a list query finds its rows. */
type ListPlan =
  /** The account's contacts in sort order, filters (and a broad search) tested on each. */
  | 'walk'
  /** A tag's contacts in creation order, from the contact_tags index. */
  | 'tag_index'
  /** A narrow search's matches from their own indexes, filtered and sorted before the page's rows are read. */
  | 'search_matches';

interface ListRequest {
  input: ListContactsInput;
  accountId: string;
  ranges: SearchRanges;
  cursor: Cursor | null;
  /** Custom field conditions on `c.id`, validated once for every plan. */
  fieldFilters: Sql[];
}

/** The list query for one plan, with `limit + 1` rows so the page knows whether another follows. */
function listQuery(plan: ListPlan, req: ListRequest): Sql {
  const { input, accountId, ranges, cursor } = req;
  const orderDir = input.order === 'asc' ? 'ASC' : 'DESC';
  const conditions: Sql[] = [];
  let from = 'contacts c';
  let fromBinds: SqlValue[] = [];
  let sortExpr = sortExpression(input.sort);
  let idExpr = 'c.id';
  if (plan === 'search_matches') {
    const matches = searchMatches(ranges, accountId, SORT_COLUMNS[input.sort]);
    from = `(${matches.sql}) c`;
    fromBinds = matches.binds;
    sortExpr = 'c.sort_key';
  } else if (plan === 'tag_index') {
    from = 'contact_tags ct JOIN contacts c ON c.id = ct.contact_id';
    conditions.push({ sql: 'ct.account_id = ? AND ct.tag_id = ?', binds: [accountId, input.tag as string] });
    sortExpr = 'ct.contact_created_at';
    idExpr = 'ct.contact_id';
  } else {
    conditions.push({ sql: 'c.account_id = ?', binds: [accountId] });
  }
  if (input.tag && plan !== 'tag_index') {
    conditions.push({ sql: 'EXISTS (SELECT 1 FROM contact_tags ct WHERE ct.contact_id = c.id AND ct.tag_id = ?)', binds: [input.tag] });
  }
  if (ranges.length > 0 && plan !== 'search_matches') conditions.push(searchFilter(ranges));
  conditions.push(...req.fieldFilters);
  if (cursor) conditions.push({ sql: `(${sortExpr}, ${idExpr}) ${input.order === 'asc' ? '>' : '<'} (?, ?)`, binds: [cursor.v, cursor.id] });

  const where = conditions.length > 0 ? `WHERE ${conditions.map((c) => c.sql).join(' AND ')}` : '';
  const binds = [...fromBinds, ...conditions.flatMap((c) => c.binds), input.limit + 1];
  if (plan === 'search_matches') {
    return {
      sql: `SELECT c.* FROM (SELECT c.id, c.sort_key FROM ${from} ${where} ORDER BY c.sort_key ${orderDir}, c.id ${orderDir} LIMIT ?) page
        JOIN contacts c ON c.id = page.id ORDER BY page.sort_key ${orderDir}, page.id ${orderDir}`,
      binds,
    };
  }
  return { sql: `SELECT c.* FROM ${from} ${where} ORDER BY ${sortExpr} ${orderDir}, ${idExpr} ${orderDir} LIMIT ?`, binds };
}

/** Custom field filters as conditions on `c.id`; unknown keys and invalid values are field errors. */
async function customFieldFilters(deps: ServiceDeps, filters: Record<string, string>): Promise<Sql[]> {
  const entries = Object.entries(filters);
  if (entries.length === 0) return [];
  const definitions = await customFieldsByKey(deps.db, deps.auth.accountId);
  const errors: FieldError[] = [];
  const conditions: Sql[] = [];
  for (const [key, value] of entries) {
    const field = definitions.get(key);
    const keyValue = field ? filterKey(field, value) : null;
    if (!field) errors.push({ field: `cf.${key}`, message: 'No custom field has this key.' });
    else if (keyValue === null) errors.push({ field: `cf.${key}`, message: `Not a valid ${field.type} value.` });
    else if (field.type === 'multi_option') {
      conditions.push({
        sql: 'EXISTS (SELECT 1 FROM custom_field_values v, json_each(v.value) j WHERE v.contact_id = c.id AND v.field_id = ? AND j.value = ?)',
        binds: [field.id, keyValue],
      });
    } else {
      conditions.push({
        sql: 'EXISTS (SELECT 1 FROM custom_field_values v WHERE v.contact_id = c.id AND v.field_id = ? AND v.value_key = ?)',
        binds: [field.id, keyValue],
      });
    }
  }
  if (errors.length > 0) throw new AppError('validation_failed', 'Some custom field filters are invalid.', { errors });
  return conditions;
}

const run = (db: D1Database, query: Sql) => db.prepare(query.sql).bind(...query.binds);

/**
 * Lists contacts with search, tag and custom field filters and keyset
 * pagination. Never uses OFFSET: the cursor carries the last row's sort key.
 * A search first counts its matches up to the broad threshold: a narrow one
 * reads its matches through their indexes, a broad one walks the account in
 * sort order (a page of matches is then never far).
 */
export async function listContacts(deps: ServiceDeps, input: ListContactsInput): Promise<Page<ContactView>> {
  const req: ListRequest = {
    input,
    accountId: deps.auth.accountId,
    ranges: input.q ? searchRanges(input.q) : [],
    cursor: input.cursor ? decodeCursor(input.cursor) : null,
    fieldFilters: await customFieldFilters(deps, input.customFieldFilters),
  };
  // A tag filter sorted by creation pages through the contact_tags index directly.
  const viaTagIndex = Boolean(input.tag) && input.sort === 'created_at';
  let plan: ListPlan = viaTagIndex ? 'tag_index' : 'walk';
  if (req.ranges.length > 0 && !viaTagIndex) {
    const matches = await run(deps.db, countMatchesUpToThreshold(req.ranges, req.accountId)).first<{ n: number }>();
    if ((matches?.n ?? 0) < BROAD_SEARCH_MATCHES) plan = 'search_matches';
  }
  const { results: rows } = await run(deps.db, listQuery(plan, req)).all<ContactRow>();
  const pageRows = rows.slice(0, input.limit);
  const details = await loadContactDetails(
    deps.db,
    req.accountId,
    pageRows.map((r) => r.id),
  );
  return toPage(
    rows,
    input.limit,
    (row) => ({ v: sortValue(row, input.sort), id: row.id }),
    (row) => serializeContact(row, details.get(row.id)),
  );
}
