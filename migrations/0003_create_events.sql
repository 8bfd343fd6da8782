-- Domain events: written in the same batch as the change that caused them
-- (an outbox), published to the Queue after commit, republished by cron if
-- the first publish failed.
CREATE TABLE domain_events (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id),
  type TEXT NOT NULL,
  subject_id TEXT NOT NULL,
  actor_user_id TEXT,
  acting_user_id TEXT,
  data TEXT NOT NULL,
  occurred_at INTEGER NOT NULL,
  published_at INTEGER
);
CREATE INDEX domain_events_unpublished ON domain_events (published_at, occurred_at) WHERE published_at IS NULL;

-- The first subscriber: a per-account activity trail, one row per event.
CREATE TABLE activities (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id),
  event_id TEXT NOT NULL UNIQUE,
  type TEXT NOT NULL,
  subject_id TEXT NOT NULL,
  contact_id TEXT,
  summary TEXT NOT NULL,
  actor_user_id TEXT,
  acting_user_id TEXT,
  occurred_at INTEGER NOT NULL
);
CREATE INDEX activities_account ON activities (account_id, occurred_at, id);
CREATE INDEX activities_contact ON activities (account_id, contact_id, occurred_at, id);
