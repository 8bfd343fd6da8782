import { DurableObject } from 'cloudflare:workers';
import { migrateSchema } from '../../../durable-objects/schema';

const MIGRATIONS: string[] = [
  `CREATE TABLE emails (
     id TEXT PRIMARY KEY,
     idempotency_key TEXT UNIQUE,
     -- SHA-256 of the request body, so a key reused with another body is refused.
     body_hash TEXT NOT NULL,
     email TEXT NOT NULL,
     created_at INTEGER NOT NULL
   );
   CREATE INDEX emails_created ON emails (created_at);
   CREATE TABLE faults (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     status INTEGER NOT NULL,
     name TEXT NOT NULL,
     message TEXT NOT NULL
   );`,
];

/** A sent email as GET /emails/{id} answers it. */
export interface SandboxEmail {
  object: 'email';
  id: string;
  message_id: string;
  to: string[];
  from: string;
  created_at: string;
  subject: string;
  html: string | null;
  text: string | null;
  bcc: string[];
  cc: string[];
  reply_to: string[];
  last_event: 'delivered';
  tags: Array<{ name: string; value: string }>;
  headers: Record<string, string>;
}

export type ResendFault = {
  status: number;
  name: string;
  message: string;
};

export type AcceptResult = { ok: true; email: SandboxEmail; replayed: boolean } | { ok: false; fault: ResendFault };

/**
 * The sandbox ESP's mailbox: one instance (RESEND_SANDBOX_INSTANCE) keeps
 * every email the product "sent", answers a repeated Idempotency-Key with
 * the first email, and can be told to fail the next requests.
 */
export class ResendEmulator extends DurableObject<Env> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    ctx.blockConcurrencyWhile(async () => migrateSchema(this.sql, MIGRATIONS));
  }

  /** Stores one email, or answers the one already sent under the same key. */
  accept(
    email: Omit<SandboxEmail, 'id' | 'message_id' | 'created_at' | 'object' | 'last_event'>,
    bodyHash: string,
    idempotencyKey: string | null,
  ): AcceptResult {
    const fault = this.sql.exec<ResendFault & { id: number }>('SELECT * FROM faults ORDER BY id LIMIT 1').toArray()[0];
    if (fault) {
      this.sql.exec('DELETE FROM faults WHERE id = ?', fault.id);
      return { ok: false, fault: { status: fault.status, name: fault.name, message: fault.message } };
    }
    if (idempotencyKey) {
      const previous = this.sql
        .exec<{ body_hash: string; email: string }>('SELECT body_hash, email FROM emails WHERE idempotency_key = ?', idempotencyKey)
        .toArray()[0];
      if (previous) {
        if (previous.body_hash !== bodyHash) {
          return {
            ok: false,
            fault: {
              status: 409,
              name: 'invalid_idempotent_request',
              message: 'Same idempotency key used with a different request payload. Change your idempotency key or payload.',
            },
          };
        }
        return { ok: true, email: JSON.parse(previous.email) as SandboxEmail, replayed: true };
      }
    }
    const now = Date.now();
    const id = crypto.randomUUID();
    const stored: SandboxEmail = {
      object: 'email',
      id,
      message_id: `<${now}.${id.slice(0, 8)}@sandbox.resend.dev>`,
      created_at: new Date(now).toISOString(),
      last_event: 'delivered',
      ...email,
    };
    this.sql.exec(
      'INSERT INTO emails (id, idempotency_key, body_hash, email, created_at) VALUES (?, ?, ?, ?, ?)',
      stored.id,
      idempotencyKey,
      bodyHash,
      JSON.stringify(stored),
      now,
    );
    return { ok: true, email: stored, replayed: false };
  }

  get(id: string): SandboxEmail | null {
    const row = this.sql.exec<{ email: string }>('SELECT email FROM emails WHERE id = ?', id).toArray()[0];
    return row ? (JSON.parse(row.email) as SandboxEmail) : null;
  }

  /** Newest first; only those to one address when `to` is given. */
  list(filter: { to?: string; limit?: number } = {}): SandboxEmail[] {
    const limit = Math.min(Math.max(filter.limit ?? 50, 1), 500);
    const rows = filter.to
      ? this.sql.exec<{ email: string }>(
          "SELECT email FROM emails WHERE EXISTS (SELECT 1 FROM json_each(email, '$.to') WHERE lower(value) = lower(?)) ORDER BY created_at DESC, rowid DESC LIMIT ?",
          filter.to,
          limit,
        )
      : this.sql.exec<{ email: string }>('SELECT email FROM emails ORDER BY created_at DESC, rowid DESC LIMIT ?', limit);
    return rows.toArray().map((r) => JSON.parse(r.email) as SandboxEmail);
  }

  /** The next `count` send requests fail with this error (a 500 outage, a 429, ...). */
  failNext(fault: ResendFault, count = 1): void {
    for (let i = 0; i < count; i++) this.sql.exec('INSERT INTO faults (status, name, message) VALUES (?, ?, ?)', fault.status, fault.name, fault.message);
  }
}
