/**
 * Thin helpers over D1 prepared statements. SQL lives beside the capability
 * that owns it; these only remove boilerplate.
 */
export type SqlValue = string | number | null;

export async function queryFirst<T>(db: D1Database, sql: string, ...binds: SqlValue[]): Promise<T | null> {
  return db
    .prepare(sql)
    .bind(...binds)
    .first<T>();
}

export async function queryAll<T>(db: D1Database, sql: string, ...binds: SqlValue[]): Promise<T[]> {
  const { results } = await db
    .prepare(sql)
    .bind(...binds)
    .all<T>();
  return results;
}

export function statement(db: D1Database, sql: string, ...binds: SqlValue[]): D1PreparedStatement {
  return db.prepare(sql).bind(...binds);
}

/** Runs statements in one D1 transaction: all of them apply or none does. */
export async function transaction(db: D1Database, statements: D1PreparedStatement[]): Promise<D1Result[]> {
  if (statements.length === 0) return [];
  return db.batch(statements);
}

/** True when a D1 error is a UNIQUE constraint failure (optionally on a given index or column). */
export function isUniqueViolation(err: unknown, hint?: string): boolean {
  const message = err instanceof Error ? `${err.message} ${String((err as { cause?: unknown }).cause ?? '')}` : String(err);
  return /UNIQUE constraint failed/i.test(message) && (!hint || message.includes(hint));
}

export function toIso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

export function boolFromInt(value: number): boolean {
  return value === 1;
}

/**
 * Refreshes SQLite's query-planner statistics (cron). Without them the planner
 * can prefer an account-wide index over a tighter one on large accounts.
 */
export async function optimizeQueryPlanner(db: D1Database): Promise<void> {
  await db.exec('PRAGMA optimize');
}
