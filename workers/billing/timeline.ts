import { queryAll, statement, toIso, type SqlValue } from '../platform/db';
import { createId } from '../platform/ids';
import { decodeCursor, encodeCursor, type Page } from '../platform/pagination';

/**
 * The account's billing timeline: every subscription change, invoice,
 * failed payment and dunning step, in words a person reads. Entries carry a
 * dedupe key where the same transition could be recorded twice (a webhook
 * delivered again, a sweep retried), so recording is idempotent.
 */

export type BillingEventKind =
  | 'subscribed'
  | 'plan_changed'
  | 'cancel_scheduled'
  | 'cancel_reverted'
  | 'subscription_ended'
  | 'invoice_paid'
  | 'payment_failed'
  | 'retry_scheduled'
  | 'warning_email_queued'
  | 'account_paused'
  | 'downgraded_to_free'
  | 'account_archived'
  | 'payment_recovered'
  | 'plan_restored'
  | 'trial_ended'
  | 'payment_method_updated'
  | 'custom_price_set';

export interface BillingEventRow {
  id: string;
  account_id: string;
  kind: BillingEventKind;
  message: string;
  data: string;
  occurred_at: number;
  created_at: number;
}

export interface BillingEventInput {
  accountId: string;
  kind: BillingEventKind;
  message: string;
  data?: Record<string, unknown>;
  dedupeKey?: string;
  /** On the billing clock (ms). */
  occurredAt: number;
}

/** A condition a statement applies under, evaluated inside the same batch (e.g. "the case is still open"). */
export interface Guard {
  sql: string;
  binds: SqlValue[];
}

/**
 * The statement that records one timeline entry: nothing when its dedupe key
 * was recorded already, or when `onlyIf` does not hold at that point of the batch.
 */
export function billingEventStatement(db: D1Database, input: BillingEventInput, onlyIf?: Guard): D1PreparedStatement {
  return statement(
    db,
    `INSERT INTO billing_events (id, account_id, kind, message, data, dedupe_key, occurred_at, created_at)
     SELECT ?, ?, ?, ?, ?, ?, ?, ? WHERE ${onlyIf ? onlyIf.sql : '1'} ON CONFLICT (dedupe_key) DO NOTHING`,
    createId('billingEvent'),
    input.accountId,
    input.kind,
    input.message,
    JSON.stringify(input.data ?? {}),
    input.dedupeKey ?? null,
    input.occurredAt,
    Date.now(),
    ...(onlyIf?.binds ?? []),
  );
}

export async function recordBillingEvent(db: D1Database, input: BillingEventInput): Promise<void> {
  await billingEventStatement(db, input).run();
}

export function serializeBillingEvent(row: BillingEventRow) {
  return {
    id: row.id,
    kind: row.kind,
    message: row.message,
    data: JSON.parse(row.data) as Record<string, unknown>,
    occurred_at: toIso(row.occurred_at) as string,
  };
}

/** Newest first, keyset-paged by (occurred_at, id). */
export async function listBillingEvents(
  db: D1Database,
  accountId: string,
  options: { cursor?: string; limit: number },
): Promise<Page<ReturnType<typeof serializeBillingEvent>>> {
  const cursor = options.cursor ? decodeCursor(options.cursor) : null;
  const rows = cursor
    ? await queryAll<BillingEventRow>(
        db,
        'SELECT * FROM billing_events WHERE account_id = ? AND (occurred_at, id) < (?, ?) ORDER BY occurred_at DESC, id DESC LIMIT ?',
        accountId,
        Number(cursor.v),
        cursor.id,
        options.limit + 1,
      )
    : await queryAll<BillingEventRow>(
        db,
        'SELECT * FROM billing_events WHERE account_id = ? ORDER BY occurred_at DESC, id DESC LIMIT ?',
        accountId,
        options.limit + 1,
      );
  const page = rows.slice(0, options.limit);
  const last = page[page.length - 1];
  return {
    data: page.map(serializeBillingEvent),
    next_cursor: rows.length > options.limit && last ? encodeCursor({ v: last.occurred_at, id: last.id }) : null,
  };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** A date for timeline sentences, in UTC: "5 Mar 2026". */
export function formatDay(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
}
