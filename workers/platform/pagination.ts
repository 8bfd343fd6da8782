import { AppError } from './errors';

/**
 * Keyset cursors: the last row's sort value and id, opaque to clients. Lists
 * never use OFFSET, so page 500 costs what page 1 costs.
 */
export interface Cursor {
  /** Sort key of the last row returned (string or number), null sorts first. */
  v: string | number | null;
  /** Id of the last row returned; breaks ties. */
  id: string;
}

// The JSON goes through UTF-8: btoa alone takes Latin-1 only and threw on a
// page ending at a contact named 山田 or with an emoji.
export function encodeCursor(cursor: Cursor): string {
  const bytes = new TextEncoder().encode(JSON.stringify(cursor));
  return btoa(String.fromCharCode(...bytes))
    .replaceAll('+', '-')
    .replaceAll('/', '_')
    .replace(/=+$/, '');
}

/** UTF-8 JSON; cursors issued before that were Latin-1, and are still read. */
function cursorJson(binary: string): string {
  const bytes = Uint8Array.from(binary, (ch) => ch.charCodeAt(0));
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return binary;
  }
}

export function decodeCursor(raw: string): Cursor {
  try {
    const json = cursorJson(atob(raw.replaceAll('-', '+').replaceAll('_', '/')));
    const parsed: unknown = JSON.parse(json);
    if (
      parsed &&
      typeof parsed === 'object' &&
      'id' in parsed &&
      typeof parsed.id === 'string' &&
      'v' in parsed &&
      (parsed.v === null || typeof parsed.v === 'string' || typeof parsed.v === 'number')
    ) {
      return { v: parsed.v, id: parsed.id };
    }
  } catch {
    // fall through to the error below
  }
  throw new AppError('validation_failed', 'The cursor is not one this API issued.', {
    errors: [{ field: 'cursor', message: 'Invalid cursor.' }],
  });
}

export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}

/**
 * Builds a page from rows fetched with `limit + 1`: the extra row only tells
 * whether another page exists.
 */
export function toPage<Row, Out>(rows: Row[], limit: number, keyOf: (row: Row) => Cursor, serialize: (row: Row) => Out): Page<Out> {
  const hasMore = rows.length > limit;
  const pageRows = hasMore ? rows.slice(0, limit) : rows;
  const last = pageRows[pageRows.length - 1];
  return {
    data: pageRows.map(serialize),
    next_cursor: hasMore && last ? encodeCursor(keyOf(last)) : null,
  };
}
