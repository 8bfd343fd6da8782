/**
 * The emulated account's state, in the Durable Object's SQLite: every Stripe
 * object is one JSON row (exactly what the API returns), with a few indexed
 * columns for lookups; beside it the idempotency records, webhook deliveries
 * and injected faults.
 */
import { migrateSchema } from '../../../durable-objects/schema';

export interface StripeObject {
  id: string;
  object: string;
  [key: string]: unknown;
}

/** The schema, versioned; each step runs once, in order. */
const MIGRATIONS: string[] = [
  `CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
   CREATE TABLE objects (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     id TEXT NOT NULL UNIQUE,
     type TEXT NOT NULL,
     customer TEXT,
     parent TEXT,
     clock TEXT,
     due_at INTEGER,
     created INTEGER NOT NULL,
     data TEXT NOT NULL
   );
   CREATE INDEX objects_type ON objects (type, seq);
   CREATE INDEX objects_customer ON objects (customer, type, seq);
   CREATE INDEX objects_parent ON objects (parent, type, seq);
   CREATE INDEX objects_due ON objects (due_at) WHERE due_at IS NOT NULL;
   CREATE TABLE idempotency (
     key TEXT PRIMARY KEY,
     fingerprint TEXT NOT NULL,
     state TEXT NOT NULL CHECK (state IN ('in_progress', 'done')),
     status INTEGER,
     body TEXT,
     request_id TEXT NOT NULL,
     created_at INTEGER NOT NULL
   );
   CREATE TABLE endpoint_secrets (endpoint_id TEXT PRIMARY KEY, secret TEXT NOT NULL);
   CREATE TABLE deliveries (
     id TEXT PRIMARY KEY,
     event_seq INTEGER NOT NULL,
     event_id TEXT NOT NULL,
     endpoint_id TEXT NOT NULL,
     status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
     attempts INTEGER NOT NULL DEFAULT 0,
     last_status INTEGER,
     last_error TEXT,
     lease_until INTEGER NOT NULL DEFAULT 0,
     enqueued_at INTEGER,
     created_at INTEGER NOT NULL,
     delivered_at INTEGER
   );
   CREATE INDEX deliveries_status ON deliveries (status, event_seq);
   CREATE TABLE faults (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     method TEXT,
     path TEXT NOT NULL,
     kind TEXT NOT NULL CHECK (kind IN ('error', 'hang')),
     remaining INTEGER NOT NULL,
     status INTEGER NOT NULL,
     hang_ms INTEGER NOT NULL,
     after_hang TEXT NOT NULL CHECK (after_hang IN ('process', 'error'))
   );`,
  // Connect: which of the platform's endpoints listen to connected accounts; on a connected account,
  // its copy of those endpoints; messages between accounts (application fees, account events).
  `ALTER TABLE endpoint_secrets ADD COLUMN connect INTEGER NOT NULL DEFAULT 0;
   CREATE TABLE connect_endpoints (id TEXT PRIMARY KEY, url TEXT NOT NULL, secret TEXT NOT NULL, enabled_events TEXT NOT NULL, status TEXT NOT NULL);
   CREATE TABLE outbox (id TEXT PRIMARY KEY, target TEXT NOT NULL, kind TEXT NOT NULL, body TEXT NOT NULL, created_at INTEGER NOT NULL, sent_at INTEGER);
   CREATE INDEX outbox_pending ON outbox (created_at) WHERE sent_at IS NULL;
   CREATE TABLE inbox (id TEXT PRIMARY KEY, received_at INTEGER NOT NULL);`,
];

export function migrate(sql: SqlStorage): void {
  migrateSchema(sql, MIGRATIONS);
}

export interface ListPage {
  limit: number;
  startingAfter?: string;
  endingBefore?: string;
}

export interface ListFilter {
  customer?: string;
  parent?: string;
}

export type IdempotencyRecord = {
  key: string;
  fingerprint: string;
  state: 'in_progress' | 'done';
  status: number | null;
  body: string | null;
  request_id: string;
  created_at: number;
};

export type DeliveryRow = {
  id: string;
  event_seq: number;
  event_id: string;
  endpoint_id: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  last_status: number | null;
  last_error: string | null;
  lease_until: number;
  enqueued_at: number | null;
  created_at: number;
  delivered_at: number | null;
};

export type FaultRow = {
  id: number;
  method: string | null;
  path: string;
  kind: 'error' | 'hang';
  remaining: number;
  status: number;
  hang_ms: number;
  after_hang: 'process' | 'error';
};

/** A platform endpoint that receives connected accounts' events, as a connected account holds it. */
export type ConnectEndpointRow = { id: string; url: string; secret: string; enabled_events: string[]; status: 'enabled' | 'disabled' };

/** A message for another emulated account, sent after the transaction that wrote it commits. */
export type OutboxRow = { id: string; target: string; kind: string; body: string; created_at: number; sent_at: number | null };

type ObjectRow = { seq: number; data: string };

export class StripeStore {
  constructor(private readonly sql: SqlStorage) {}

  // ------------------------------------------------------------ objects

  get<T extends StripeObject = StripeObject>(id: string): T | null {
    const row = this.sql.exec<ObjectRow>('SELECT seq, data FROM objects WHERE id = ?', id).toArray()[0];
    return row ? (JSON.parse(row.data) as T) : null;
  }

  /** Inserts or replaces an object; `parent` and `dueAt` keep their stored value unless given. */
  save(object: StripeObject, index: { parent?: string | null; dueAt?: number | null } = {}): void {
    const customer = typeof object.customer === 'string' ? object.customer : null;
    const clock = typeof object.test_clock === 'string' ? object.test_clock : null;
    const created = typeof object.created === 'number' ? object.created : 0;
    const data = JSON.stringify(object);
    const existing = this.sql.exec<{ seq: number }>('SELECT seq FROM objects WHERE id = ?', object.id).toArray()[0];
    if (!existing) {
      this.sql.exec(
        'INSERT INTO objects (id, type, customer, parent, clock, due_at, created, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        object.id,
        object.object,
        customer,
        index.parent ?? null,
        clock,
        index.dueAt ?? null,
        created,
        data,
      );
      return;
    }
    this.sql.exec('UPDATE objects SET customer = ?, clock = ?, data = ? WHERE id = ?', customer, clock, data, object.id);
    if (index.parent !== undefined) this.sql.exec('UPDATE objects SET parent = ? WHERE id = ?', index.parent, object.id);
    if (index.dueAt !== undefined) this.sql.exec('UPDATE objects SET due_at = ? WHERE id = ?', index.dueAt, object.id);
  }

  seqOf(id: string): number | null {
    return this.sql.exec<{ seq: number }>('SELECT seq FROM objects WHERE id = ?', id).toArray()[0]?.seq ?? null;
  }

  /** Every object of a type matching the filter, newest first. */
  all<T extends StripeObject = StripeObject>(type: string, filter: ListFilter = {}): T[] {
    const { where, args } = filterSql(type, filter);
    return this.sql
      .exec<ObjectRow>(`SELECT seq, data FROM objects WHERE ${where} ORDER BY seq DESC`, ...args)
      .toArray()
      .map((r) => JSON.parse(r.data) as T);
  }

  /**
   * One page of a Stripe list, newest first, with `starting_after` /
   * `ending_before` cursors; `keep` filters on fields without a column.
   */
  page<T extends StripeObject = StripeObject>(
    type: string,
    filter: ListFilter,
    paging: ListPage,
    keep: (o: T) => boolean = () => true,
  ): { data: T[]; has_more: boolean } {
    const { where, args } = filterSql(type, filter);
    let cursorClause = '';
    const cursorArgs: unknown[] = [];
    const ascending = paging.endingBefore !== undefined && paging.startingAfter === undefined;
    const cursorId = paging.startingAfter ?? paging.endingBefore;
    if (cursorId !== undefined) {
      const seq = this.seqOf(cursorId);
      if (seq === null) return { data: [], has_more: false };
      cursorClause = ascending ? ' AND seq > ?' : ' AND seq < ?';
      cursorArgs.push(seq);
    }
    const rows = this.sql.exec<ObjectRow>(
      `SELECT seq, data FROM objects WHERE ${where}${cursorClause} ORDER BY seq ${ascending ? 'ASC' : 'DESC'}`,
      ...args,
      ...cursorArgs,
    );
    const data: T[] = [];
    let hasMore = false;
    for (const row of rows) {
      const o = JSON.parse(row.data) as T;
      if (!keep(o)) continue;
      if (data.length === paging.limit) {
        hasMore = true;
        break;
      }
      data.push(o);
    }
    if (ascending) data.reverse();
    return { data, has_more: hasMore };
  }

  /** Ids of objects of a type whose `due_at` has come, on one clock (null = the account's own). */
  dueIds(type: string, until: number, clock: string | null): string[] {
    const clockClause = clock === null ? 'clock IS NULL' : 'clock = ?';
    const args: unknown[] = [type, until];
    if (clock !== null) args.push(clock);
    return this.sql
      .exec<{ id: string }>(`SELECT id FROM objects WHERE due_at IS NOT NULL AND type = ? AND due_at <= ? AND ${clockClause} ORDER BY due_at, seq`, ...args)
      .toArray()
      .map((r) => r.id);
  }

  // ------------------------------------------------------------ meta

  getMeta(key: string): string | null {
    return this.sql.exec<{ value: string }>('SELECT value FROM meta WHERE key = ?', key).toArray()[0]?.value ?? null;
  }

  setMeta(key: string, value: string): void {
    this.sql.exec('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value', key, value);
  }

  // ------------------------------------------------------------ idempotency

  idempotency(key: string): IdempotencyRecord | null {
    return this.sql.exec<IdempotencyRecord>('SELECT * FROM idempotency WHERE key = ?', key).toArray()[0] ?? null;
  }

  lockIdempotency(key: string, fingerprint: string, requestId: string, nowMs: number): void {
    this.sql.exec(
      `INSERT INTO idempotency (key, fingerprint, state, request_id, created_at) VALUES (?, ?, 'in_progress', ?, ?)
       ON CONFLICT (key) DO UPDATE SET fingerprint = excluded.fingerprint, state = 'in_progress', status = NULL, body = NULL, request_id = excluded.request_id, created_at = excluded.created_at`,
      key,
      fingerprint,
      requestId,
      nowMs,
    );
  }

  completeIdempotency(key: string, status: number, body: string): void {
    this.sql.exec("UPDATE idempotency SET state = 'done', status = ?, body = ? WHERE key = ?", status, body, key);
  }

  releaseIdempotency(key: string): void {
    this.sql.exec("DELETE FROM idempotency WHERE key = ? AND state = 'in_progress'", key);
  }

  pruneIdempotency(olderThanMs: number): void {
    this.sql.exec('DELETE FROM idempotency WHERE created_at < ?', olderThanMs);
  }

  // ------------------------------------------------------------ webhook endpoints and deliveries

  setEndpointSecret(endpointId: string, secret: string, connect = false): void {
    this.sql.exec(
      'INSERT INTO endpoint_secrets (endpoint_id, secret, connect) VALUES (?, ?, ?) ON CONFLICT (endpoint_id) DO UPDATE SET secret = excluded.secret, connect = excluded.connect',
      endpointId,
      secret,
      connect ? 1 : 0,
    );
  }

  /** The platform's endpoints created with `connect=true`: they hear connected accounts, not the platform itself. */
  connectEndpointIds(): Set<string> {
    return new Set(
      this.sql
        .exec<{ endpoint_id: string }>('SELECT endpoint_id FROM endpoint_secrets WHERE connect = 1')
        .toArray()
        .map((r) => r.endpoint_id),
    );
  }

  /** On a connected account: replaces its copy of the platform's Connect endpoints. */
  replaceConnectEndpoints(rows: ConnectEndpointRow[]): void {
    this.sql.exec('DELETE FROM connect_endpoints');
    for (const r of rows) {
      this.sql.exec(
        'INSERT INTO connect_endpoints (id, url, secret, enabled_events, status) VALUES (?, ?, ?, ?, ?)',
        r.id,
        r.url,
        r.secret,
        JSON.stringify(r.enabled_events),
        r.status,
      );
    }
  }

  connectEndpoints(): ConnectEndpointRow[] {
    return this.sql
      .exec<{ id: string; url: string; secret: string; enabled_events: string; status: ConnectEndpointRow['status'] }>(
        'SELECT * FROM connect_endpoints ORDER BY id',
      )
      .toArray()
      .map((r) => ({ ...r, enabled_events: JSON.parse(r.enabled_events) as string[] }));
  }

  endpointSecret(endpointId: string): string | null {
    return this.sql.exec<{ secret: string }>('SELECT secret FROM endpoint_secrets WHERE endpoint_id = ?', endpointId).toArray()[0]?.secret ?? null;
  }

  addDelivery(eventId: string, endpointId: string, nowMs: number): void {
    const eventSeq = this.seqOf(eventId) ?? 0;
    this.sql.exec(
      `INSERT INTO deliveries (id, event_seq, event_id, endpoint_id, status, created_at) VALUES (?, ?, ?, ?, 'pending', ?) ON CONFLICT (id) DO NOTHING`,
      `${eventId}:${endpointId}`,
      eventSeq,
      eventId,
      endpointId,
      nowMs,
    );
  }

  delivery(id: string): DeliveryRow | null {
    return this.sql.exec<DeliveryRow>('SELECT * FROM deliveries WHERE id = ?', id).toArray()[0] ?? null;
  }

  deliveries(status?: DeliveryRow['status']): DeliveryRow[] {
    if (status) return this.sql.exec<DeliveryRow>('SELECT * FROM deliveries WHERE status = ? ORDER BY event_seq, id', status).toArray();
    return this.sql.exec<DeliveryRow>('SELECT * FROM deliveries ORDER BY event_seq, id').toArray();
  }

  /** Pending deliveries never handed to the Queue, or handed over so long ago the message must be lost. */
  deliveriesToEnqueue(staleBeforeMs: number): DeliveryRow[] {
    return this.sql
      .exec<DeliveryRow>(
        "SELECT * FROM deliveries WHERE status = 'pending' AND (enqueued_at IS NULL OR enqueued_at < ?) ORDER BY event_seq LIMIT 100",
        staleBeforeMs,
      )
      .toArray();
  }

  markEnqueued(ids: string[], nowMs: number): void {
    for (const id of ids) this.sql.exec('UPDATE deliveries SET enqueued_at = ? WHERE id = ?', nowMs, id);
  }

  leaseDelivery(id: string, untilMs: number): void {
    this.sql.exec('UPDATE deliveries SET lease_until = ? WHERE id = ?', untilMs, id);
  }

  recordDelivery(id: string, outcome: { status: DeliveryRow['status']; lastStatus: number | null; lastError: string | null; nowMs: number }): void {
    this.sql.exec(
      'UPDATE deliveries SET status = ?, attempts = attempts + 1, last_status = ?, last_error = ?, lease_until = 0, delivered_at = ? WHERE id = ?',
      outcome.status,
      outcome.lastStatus,
      outcome.lastError,
      outcome.status === 'delivered' ? outcome.nowMs : null,
      id,
    );
  }

  pendingCountFor(eventId: string): number {
    return this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM deliveries WHERE event_id = ? AND status = 'pending'", eventId).toArray()[0]?.n ?? 0;
  }

  // ------------------------------------------------------------ messages between accounts

  addOutbox(row: Omit<OutboxRow, 'sent_at'>): void {
    this.sql.exec('INSERT INTO outbox (id, target, kind, body, created_at) VALUES (?, ?, ?, ?, ?)', row.id, row.target, row.kind, row.body, row.created_at);
  }

  pendingOutbox(): OutboxRow[] {
    return this.sql.exec<OutboxRow>('SELECT * FROM outbox WHERE sent_at IS NULL ORDER BY created_at, id LIMIT 100').toArray();
  }

  markOutboxSent(ids: string[], nowMs: number): void {
    for (const id of ids) this.sql.exec('UPDATE outbox SET sent_at = ? WHERE id = ?', nowMs, id);
  }

  /** Records a message id as received; false when it was received before (a resend). */
  receiveOnce(id: string, nowMs: number): boolean {
    const seen = this.sql.exec<{ id: string }>('SELECT id FROM inbox WHERE id = ?', id).toArray()[0];
    if (seen) return false;
    this.sql.exec('INSERT INTO inbox (id, received_at) VALUES (?, ?)', id, nowMs);
    return true;
  }

  // ------------------------------------------------------------ faults

  addFault(fault: Omit<FaultRow, 'id'>): void {
    this.sql.exec(
      'INSERT INTO faults (method, path, kind, remaining, status, hang_ms, after_hang) VALUES (?, ?, ?, ?, ?, ?, ?)',
      fault.method,
      fault.path,
      fault.kind,
      fault.remaining,
      fault.status,
      fault.hang_ms,
      fault.after_hang,
    );
  }

  /** Takes one use of the oldest fault matching the request, if any. */
  takeFault(method: string, path: string): FaultRow | null {
    const faults = this.sql.exec<FaultRow>('SELECT * FROM faults WHERE remaining > 0 ORDER BY id').toArray();
    const fault = faults.find((f) => (f.method === null || f.method === method) && pathMatches(f.path, path));
    if (!fault) return null;
    this.sql.exec('UPDATE faults SET remaining = remaining - 1 WHERE id = ?', fault.id);
    this.sql.exec('DELETE FROM faults WHERE remaining <= 0');
    return fault;
  }

  clearFaults(): void {
    this.sql.exec('DELETE FROM faults');
  }
}

/** `/v1/payment_intents` matches exactly; `/v1/payment_intents*` matches the path and everything under it. */
function pathMatches(pattern: string, path: string): boolean {
  if (pattern.endsWith('*')) return path.startsWith(pattern.slice(0, -1));
  return pattern === path;
}

function filterSql(type: string, filter: ListFilter): { where: string; args: unknown[] } {
  const clauses = ['type = ?'];
  const args: unknown[] = [type];
  if (filter.customer !== undefined) {
    clauses.push('customer = ?');
    args.push(filter.customer);
  }
  if (filter.parent !== undefined) {
    clauses.push('parent = ?');
    args.push(filter.parent);
  }
  return { where: clauses.join(' AND '), args };
}
