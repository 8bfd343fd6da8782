/**
 * Brings a Durable Object's SQLite schema up to date: `migrations[v]` takes
 * version v to v + 1, and the version reached is kept in schema_version, so
 * an object created under an older schema catches up on its next start.
 */
export function migrateSchema(sql: SqlStorage, migrations: readonly string[]): void {
  sql.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
  const row = sql.exec<{ version: number }>('SELECT version FROM schema_version').toArray()[0];
  const current = row?.version ?? 0;
  for (let v = current; v < migrations.length; v++) sql.exec(migrations[v] as string);
  if (!row) sql.exec('INSERT INTO schema_version (version) VALUES (?)', migrations.length);
  else if (current < migrations.length) sql.exec('UPDATE schema_version SET version = ?', migrations.length);
}
