/**
 * Domain events other capabilities subscribe to (workflows, imports, audit).
 * Each type names the shape of its `data`.
 */
export interface DomainEventData {
  'contact.created': { contact_id: string; name: string; source: string | null };
  'contact.updated': { contact_id: string; name: string; changed: string[] };
  'contact.deleted': { contact_id: string; name: string };
  'contact.tag_added': { contact_id: string; tag_id: string; tag_name: string };
  'contact.tag_removed': { contact_id: string; tag_id: string; tag_name: string };
  'note.created': { contact_id: string; note_id: string };
  'task.created': { contact_id: string | null; task_id: string; title: string };
  'task.completed': { contact_id: string | null; task_id: string; title: string };
  'opportunity.created': { opportunity_id: string; contact_id: string | null; name: string; stage_id: string; stage_name: string };
  'opportunity.stage_changed': {
    opportunity_id: string;
    contact_id: string | null;
    name: string;
    from_stage_id: string;
    from_stage_name: string;
    to_stage_id: string;
    to_stage_name: string;
  };
  'opportunity.status_changed': { opportunity_id: string; contact_id: string | null; name: string; from: string; to: string };
  'account.impersonation_started': { agency_account_id: string; user_id: string; user_name: string };
}

export type DomainEventType = keyof DomainEventData;

export interface DomainEvent<T extends DomainEventType = DomainEventType> {
  id: string;
  type: T;
  account_id: string;
  subject_id: string;
  /** The user (or null for API keys) on whose authority the change happened. */
  actor_user_id: string | null;
  /** The agency user acting inside the account, when impersonating. */
  acting_user_id: string | null;
  occurred_at: number;
  data: DomainEventData[T];
}
