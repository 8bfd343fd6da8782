import type { ServiceDeps } from '../../platform/deps';
import { AppError, type FieldError } from '../../platform/errors';
import type { SqlValue } from '../../platform/db';
import { decodeCursor, toPage, type Page } from '../../platform/pagination';
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

/** Sort key expressions; each matches an index that leads with account_id and ends with id. */
const SORT_EXPRESSIONS: Record<ListContactsInput['sort'], string> = {
  created_at: 'c.created_at',
  updated_at: 'c.updated_at',
  name: 'c.name_key',
  email: "IFNULL(c.email, '')",
};

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
  return [['name_key', query], ['last_name_key', query], ['email', query]];
}

/**
 * Above this many matches a search is "broad": walking the account in sort
 * order finds a page of matches within a few thousand rows. Below it, reading
 * the matches through their own indexes and sorting them is cheaper.
 */
export const BROAD_SEARCH_MATCHES = 1_000;

/** Counts matches up to the threshold; UNION ALL with LIMIT stops reading early. */
async function isBroadSearch(db: D1Database, accountId: string, ranges: Array<[string, string]>): Promise<boolean> {
  const selects = ranges.map(([column]) => `SELECT 1 FROM contacts WHERE account_id = ? AND ${column} >= ? AND ${column} < ?`);
  const binds = ranges.flatMap(([, prefix]) => [accountId, prefix, prefixUpperBound(prefix)]);
  const row = await db.prepare(`SELECT COUNT(*) AS n FROM (${selects.join(' UNION ALL ')} LIMIT ${BROAD_SEARCH_MATCHES})`).bind(...binds).first<{ n: number }>();
  return (row?.n ?? 0) >= BROAD_SEARCH_MATCHES;
}

/**
 * The search as SQL. Narrow: the matches' ids from their own index ranges
 * (UNION keeps each range on its index), which then drive the query. Broad:
 * the same ranges tested on each row while walking the account in sort order.
 */
function searchCondition(ranges: Array<[string, string]>, accountId: string, drives: boolean): { sql: string; binds: SqlValue[] } {
  const bounds = ranges.flatMap(([, prefix]) => [prefix, prefixUpperBound(prefix)]);
  if (!drives) {
    // `+` keeps each range a filter: an index on it would fetch every match and sort them all.
    return { sql: `(${ranges.map(([column]) => `(+c.${column} >= ? AND +c.${column} < ?)`).join(' OR ')})`, binds: bounds };
  }
  const selects = ranges.map(([column]) => `SELECT id FROM contacts WHERE account_id = ? AND ${column} >= ? AND ${column} < ?`);
  return { sql: `c.id IN (${selects.join(' UNION ')})`, binds: ranges.flatMap(([, prefix]) => [accountId, prefix, prefixUpperBound(prefix)]) };
}

/**
 * Lists contacts with search, tag and custom field filters and keyset
 * pagination. Never uses OFFSET: the cursor carries the last row's sort key.
 */
export async function listContacts(deps: ServiceDeps, input: ListContactsInput): Promise<Page<ContactView>> {
  const accountId = deps.auth.accountId;
  const cursor = input.cursor ? decodeCursor(input.cursor) : null;
  const dir = input.order === 'asc' ? '>' : '<';
  const orderDir = input.order === 'asc' ? 'ASC' : 'DESC';
  const where: string[] = [];
  const binds: SqlValue[] = [];
  // A tag filter sorted by creation pages through the contact_tags index directly.
  const viaTagIndex = Boolean(input.tag) && input.sort === 'created_at';
  const ranges = input.q ? searchRanges(input.q) : [];
  // A narrow search drives the query: its matches come from their own indexes
  // and are sorted. The `+` on the account check and on the sort terms stops
  // SQLite from walking the whole account in sort order instead.
  const searchDrives = ranges.length > 0 && !viaTagIndex && !(await isBroadSearch(deps.db, accountId, ranges));
  let from = 'contacts c';
  let sortExpr = SORT_EXPRESSIONS[input.sort];
  let idExpr = 'c.id';

  if (viaTagIndex) {
    from = 'contact_tags ct JOIN contacts c ON c.id = ct.contact_id';
    where.push('ct.account_id = ?', 'ct.tag_id = ?');
    binds.push(accountId, input.tag as string);
    sortExpr = 'ct.contact_created_at';
    idExpr = 'ct.contact_id';
  } else {
    where.push(searchDrives ? '+c.account_id = ?' : 'c.account_id = ?');
    binds.push(accountId);
    if (input.tag) {
      where.push('EXISTS (SELECT 1 FROM contact_tags ct WHERE ct.contact_id = c.id AND ct.tag_id = ?)');
      binds.push(input.tag);
    }
  }

  if (ranges.length > 0) {
    const search = searchCondition(ranges, accountId, searchDrives);
    where.push(search.sql);
    binds.push(...search.binds);
  }

  const filterEntries = Object.entries(input.customFieldFilters);
  if (filterEntries.length > 0) {
    const definitions = await customFieldsByKey(deps.db, accountId);
    const errors: FieldError[] = [];
    for (const [key, value] of filterEntries) {
      const field = definitions.get(key);
      const keyValue = field ? filterKey(field, value) : null;
      if (!field) errors.push({ field: `cf.${key}`, message: 'No custom field has this key.' });
      else if (keyValue === null) errors.push({ field: `cf.${key}`, message: `Not a valid ${field.type} value.` });
      else if (field.type === 'multi_option') {
        where.push('EXISTS (SELECT 1 FROM custom_field_values v, json_each(v.value) j WHERE v.contact_id = c.id AND v.field_id = ? AND j.value = ?)');
        binds.push(field.id, keyValue);
      } else {
        where.push('EXISTS (SELECT 1 FROM custom_field_values v WHERE v.contact_id = c.id AND v.field_id = ? AND v.value_key = ?)');
        binds.push(field.id, keyValue);
      }
    }
    if (errors.length > 0) throw new AppError('validation_failed', 'Some custom field filters are invalid.', { errors });
  }

  if (cursor) {
    where.push(`(${sortExpr}, ${idExpr}) ${dir} (?, ?)`);
    binds.push(cursor.v, cursor.id);
  }

  const order = searchDrives ? `+${sortExpr} ${orderDir}, +${idExpr} ${orderDir}` : `${sortExpr} ${orderDir}, ${idExpr} ${orderDir}`;
  const sql = `SELECT c.* FROM ${from} WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT ?`;
  const { results: rows } = await deps.db.prepare(sql).bind(...binds, input.limit + 1).all<ContactRow>();
  const pageRows = rows.slice(0, input.limit);
  const details = await loadContactDetails(deps.db, accountId, pageRows.map((r) => r.id));
  return toPage(
    rows,
    input.limit,
    (row) => ({ v: sortValue(row, input.sort), id: row.id }),
    (row) => serializeContact(row, details.get(row.id)),
  );
}
