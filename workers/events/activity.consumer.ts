import { createId } from '../platform/ids';
import { createLogger } from '../platform/logger';
import type { DomainEvent, DomainEventType } from './events.types';

/**
 * The first subscriber to domain events: a per-account activity trail that
 * the contact page shows. Each event is recorded once, however often the
 * Queue delivers it (the event id is unique in `activities`).
 */
export function summarize(event: DomainEvent): { summary: string; contactId: string | null } {
  const e = event as { [K in DomainEventType]: DomainEvent<K> }[DomainEventType];
  switch (e.type) {
    case 'contact.created':
      return { summary: `Contact ${e.data.name} created${e.data.source ? ` (source: ${e.data.source})` : ''}`, contactId: e.data.contact_id };
    case 'contact.updated':
      return { summary: `Updated ${e.data.changed.join(', ')}`, contactId: e.data.contact_id };
    case 'contact.deleted':
      return { summary: `Contact ${e.data.name} deleted`, contactId: e.data.contact_id };
    case 'contact.tag_added':
      return { summary: `Tag "${e.data.tag_name}" added`, contactId: e.data.contact_id };
    case 'contact.tag_removed':
      return { summary: `Tag "${e.data.tag_name}" removed`, contactId: e.data.contact_id };
    case 'note.created':
      return { summary: 'Note added', contactId: e.data.contact_id };
    case 'task.created':
      return { summary: `Task "${e.data.title}" created`, contactId: e.data.contact_id };
    case 'task.completed':
      return { summary: `Task "${e.data.title}" completed`, contactId: e.data.contact_id };
    case 'opportunity.created':
      return { summary: `Opportunity "${e.data.name}" created in ${e.data.stage_name}`, contactId: e.data.contact_id };
    case 'opportunity.stage_changed':
      return { summary: `Opportunity "${e.data.name}" moved from ${e.data.from_stage_name} to ${e.data.to_stage_name}`, contactId: e.data.contact_id };
    case 'opportunity.status_changed':
      return { summary: `Opportunity "${e.data.name}" marked ${e.data.to}`, contactId: e.data.contact_id };
    case 'account.impersonation_started':
      return { summary: `${e.data.user_name} of the agency opened this account`, contactId: null };
  }
}

export async function handleDomainEvents(batch: MessageBatch<DomainEvent>, env: Env): Promise<void> {
  const log = createLogger({ consumer: 'activity' });
  for (const message of batch.messages) {
    const event = message.body;
    try {
      const { summary, contactId } = summarize(event);
      await env.DB.prepare(
        `INSERT INTO activities (id, account_id, event_id, type, subject_id, contact_id, summary, actor_user_id, acting_user_id, occurred_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (event_id) DO NOTHING`,
      )
        .bind(
          createId('activity'),
          event.account_id,
          event.id,
          event.type,
          event.subject_id,
          contactId,
          summary,
          event.actor_user_id,
          event.acting_user_id,
          event.occurred_at,
        )
        .run();
      message.ack();
    } catch (err) {
      log.error('activity projection failed', { event_id: event.id, error: err instanceof Error ? err.message : String(err) });
      message.retry({ delaySeconds: 5 });
    }
  }
}
