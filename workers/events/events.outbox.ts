import type { AuthContext } from '../platform/context';
import { createId } from '../platform/ids';
import { queryAll, transaction } from '../platform/db';
import type { DomainEvent, DomainEventData, DomainEventType } from './events.types';

/** Builds an event for the caller's account; write it with `outboxStatement` in the same batch as the change. */
export function newEvent<T extends DomainEventType>(
  auth: Pick<AuthContext, 'accountId' | 'userId' | 'actorUserId'>,
  type: T,
  subjectId: string,
  data: DomainEventData[T],
  occurredAt = Date.now(),
): DomainEvent<T> {
  return {
    id: createId('event'),
    type,
    account_id: auth.accountId,
    subject_id: subjectId,
    actor_user_id: auth.userId,
    acting_user_id: auth.actorUserId,
    occurred_at: occurredAt,
    data,
  };
}

/** The outbox row: committed with the change, so an event exists exactly when its change does. */
export function outboxStatement(db: D1Database, event: DomainEvent): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO domain_events (id, account_id, type, subject_id, actor_user_id, acting_user_id, data, occurred_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .bind(event.id, event.account_id, event.type, event.subject_id, event.actor_user_id, event.acting_user_id, JSON.stringify(event.data), event.occurred_at);
}

const QUEUE_BATCH_LIMIT = 100;

/** Sends committed events to the Queue and marks them published. Safe to repeat: consumers dedupe by event id. */
export async function publishEvents(env: Env, events: DomainEvent[]): Promise<void> {
  for (let i = 0; i < events.length; i += QUEUE_BATCH_LIMIT) {
    const chunk = events.slice(i, i + QUEUE_BATCH_LIMIT);
    await env.EVENTS.sendBatch(chunk.map((body) => ({ body, contentType: 'json' as const })));
    await env.DB.prepare('UPDATE domain_events SET published_at = ? WHERE id IN (SELECT value FROM json_each(?))')
      .bind(Date.now(), JSON.stringify(chunk.map((e) => e.id)))
      .run();
  }
}

interface OutboxRow {
  id: string;
  account_id: string;
  type: DomainEventType;
  subject_id: string;
  actor_user_id: string | null;
  acting_user_id: string | null;
  data: string;
  occurred_at: number;
}

/** Events older than this with no publish are assumed lost in flight and sent again. */
export const REPUBLISH_AFTER_MS = 60_000;

/** Cron sweep: republishes events whose publish after commit did not go through. */
export async function republishStaleEvents(env: Env, now = Date.now()): Promise<number> {
  const rows = await queryAll<OutboxRow>(
    env.DB,
    'SELECT * FROM domain_events WHERE published_at IS NULL AND occurred_at < ? ORDER BY occurred_at LIMIT 500',
    now - REPUBLISH_AFTER_MS,
  );
  const events: DomainEvent[] = rows.map((r) => ({ ...r, data: JSON.parse(r.data) }));
  await publishEvents(env, events);
  return events.length;
}

/**
 * Commits a change and its events in one D1 transaction, then publishes the
 * events after the reply. This is how every capability emits events.
 */
export async function commitWithEvents(
  deps: { db: D1Database; env: Env; waitUntil: (p: Promise<unknown>) => void },
  statements: D1PreparedStatement[],
  events: DomainEvent[],
): Promise<void> {
  // Nothing to write (a tag the contact already has) is a no-op, not an empty D1 batch, which D1 refuses.
  await transaction(deps.db, [...statements, ...events.map((e) => outboxStatement(deps.db, e))]);
  if (events.length > 0) deps.waitUntil(publishEvents(deps.env, events));
}
