import { DurableObject } from 'cloudflare:workers';
import {
  cnameConflict,
  resolveDns,
  validateDnsRecord,
  type DnsRecordInput,
  type DnsRecordType,
  type DnsResolution,
  type SandboxDnsRecord,
} from './sandbox-dns';
import { migrateSchema } from '../../../durable-objects/schema';

const MIGRATIONS: string[] = [
  `CREATE TABLE records (
     id TEXT PRIMARY KEY,
     name TEXT NOT NULL,
     type TEXT NOT NULL,
     content TEXT NOT NULL,
     ttl INTEGER NOT NULL,
     created_at INTEGER NOT NULL,
     UNIQUE (name, type, content)
   );
   CREATE INDEX records_name ON records (name, type);`,
];

type RecordRow = {
  id: string;
  name: string;
  type: DnsRecordType;
  content: string;
  ttl: number;
  created_at: number;
};

function toRecord(row: RecordRow): SandboxDnsRecord {
  return { id: row.id, name: row.name, type: row.type, content: row.content, ttl: row.ttl, created_at: new Date(row.created_at).toISOString() };
}

export type PutDnsRecordResult = { ok: true; record: SandboxDnsRecord; replaced: SandboxDnsRecord | null } | { ok: false; error: string };

/**
 * The sandbox's stand-in for the public DNS: one instance (SANDBOX_DNS_INSTANCE)
 * holds every record a test or sandbox user has set. The Cloudflare emulator
 * resolves through it when it validates a custom hostname, and the product's
 * DNS-over-HTTPS client reads it through /sandbox/cloudflare/dns-query.
 */
export class SandboxDns extends DurableObject<Env> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    ctx.blockConcurrencyWhile(async () => {
      migrateSchema(this.sql, MIGRATIONS);
    });
  }

  private at(name: string): RecordRow[] {
    return this.sql.exec<RecordRow>('SELECT * FROM records WHERE name = ? ORDER BY created_at, id', name).toArray();
  }

  /**
   * Adds a record. A CNAME replaces the name's previous CNAME (a name has at
   * most one); other types add beside records of their type, and the same
   * record twice is kept once.
   */
  put(input: DnsRecordInput): PutDnsRecordResult {
    const checked = validateDnsRecord(input);
    if (!checked.ok) return checked;
    const { name, type, content, ttl } = checked.record;
    const existing = this.at(name);
    const conflict = cnameConflict(existing, type);
    if (conflict) return { ok: false, error: conflict };
    const previous = type === 'CNAME' ? (existing.find((r) => r.type === 'CNAME') ?? null) : null;
    const same = existing.find((r) => r.type === type && r.content === content);
    if (same && same.ttl === ttl) return { ok: true, record: toRecord(same), replaced: null };
    const row: RecordRow = { id: same?.id ?? crypto.randomUUID().replaceAll('-', ''), name, type, content, ttl, created_at: same?.created_at ?? Date.now() };
    this.ctx.storage.transactionSync(() => {
      if (previous) this.sql.exec('DELETE FROM records WHERE id = ?', previous.id);
      this.sql.exec(
        'INSERT OR REPLACE INTO records (id, name, type, content, ttl, created_at) VALUES (?, ?, ?, ?, ?, ?)',
        row.id,
        row.name,
        row.type,
        row.content,
        row.ttl,
        row.created_at,
      );
    });
    return { ok: true, record: toRecord(row), replaced: previous && previous.content !== content ? toRecord(previous) : null };
  }

  /** Removes the records at `name` (of one type, or one exact record); answers how many went. */
  remove(filter: { name: string; type?: string; content?: string }): number {
    const name = filter.name.trim().toLowerCase().replace(/\.$/, '');
    const type = filter.type?.toUpperCase() ?? null;
    const cursor = this.sql.exec(
      'DELETE FROM records WHERE name = ?1 AND (?2 IS NULL OR type = ?2) AND (?3 IS NULL OR content = ?3)',
      name,
      type,
      filter.content ?? null,
    );
    return cursor.rowsWritten;
  }

  /** Every record (or those at one name), ordered by name. */
  list(name?: string): SandboxDnsRecord[] {
    const rows = name
      ? this.at(name.trim().toLowerCase().replace(/\.$/, ''))
      : this.sql.exec<RecordRow>('SELECT * FROM records ORDER BY name, type, created_at').toArray();
    return rows.map(toRecord);
  }

  /** Answers one query the way a recursive resolver would. */
  resolve(name: string, type: DnsRecordType): DnsResolution {
    return resolveDns(
      {
        at: (n) => this.at(n),
        exists: (n) => this.sql.exec("SELECT 1 FROM records WHERE name = ?1 OR substr(name, -length(?1) - 1) = '.' || ?1 LIMIT 1", n).toArray().length > 0,
      },
      name,
      type,
    );
  }
}
