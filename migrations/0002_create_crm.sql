-- Core CRM: contacts, tags, custom fields, notes, tasks, pipelines and
-- opportunities. Every table carries account_id and every index leads with it.

CREATE TABLE contacts (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id),
  first_name TEXT,
  last_name TEXT,
  -- Lower-cased "first last" and "last", for prefix search and name sort.
  name_key TEXT NOT NULL DEFAULT '',
  last_name_key TEXT NOT NULL DEFAULT '',
  email TEXT,
  phone TEXT,
  company TEXT,
  address_line1 TEXT,
  address_line2 TEXT,
  city TEXT,
  region TEXT,
  postal_code TEXT,
  country TEXT,
  source TEXT,
  assigned_user_id TEXT REFERENCES users(id),
  dnd_sms INTEGER NOT NULL DEFAULT 0,
  dnd_email INTEGER NOT NULL DEFAULT 0,
  dnd_calls INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX contacts_email ON contacts (account_id, email) WHERE email IS NOT NULL;
CREATE UNIQUE INDEX contacts_phone ON contacts (account_id, phone) WHERE phone IS NOT NULL;
CREATE INDEX contacts_created ON contacts (account_id, created_at, id);
CREATE INDEX contacts_updated ON contacts (account_id, updated_at, id);
CREATE INDEX contacts_name ON contacts (account_id, name_key, id);
CREATE INDEX contacts_last_name ON contacts (account_id, last_name_key, id);

CREATE TABLE tags (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id),
  name TEXT NOT NULL,
  name_key TEXT NOT NULL,
  color TEXT NOT NULL DEFAULT '#64748b',
  created_at INTEGER NOT NULL,
  UNIQUE (account_id, name_key)
);

CREATE TABLE contact_tags (
  account_id TEXT NOT NULL REFERENCES accounts(id),
  contact_id TEXT NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
  tag_id TEXT NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
  -- The contact's creation time, copied so a tag filter pages by index.
  contact_created_at INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (contact_id, tag_id)
);
CREATE INDEX contact_tags_tag ON contact_tags (account_id, tag_id, contact_created_at, contact_id);

CREATE TABLE custom_fields (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id),
  key TEXT NOT NULL,
  name TEXT NOT NULL,
  type TEXT NOT NULL CHECK (type IN ('text', 'number', 'date', 'single_option', 'multi_option', 'checkbox', 'phone', 'email', 'monetary')),
  options TEXT NOT NULL DEFAULT '[]',
  position INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  UNIQUE (account_id, key)
);

-- One row per contact and field. `value` is the canonical JSON value; `value_key`
-- is the scalar used for equality filters (multi-option values use json_each).
CREATE TABLE custom_field_values (
  account_id TEXT NOT NULL REFERENCES accounts(id),
  contact_id TEXT NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
  field_id TEXT NOT NULL REFERENCES custom_fields(id) ON DELETE CASCADE,
  value TEXT NOT NULL,
  value_key TEXT,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (contact_id, field_id)
);
CREATE INDEX custom_field_values_filter ON custom_field_values (account_id, field_id, value_key);

CREATE TABLE notes (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id),
  contact_id TEXT NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
  body TEXT NOT NULL,
  author_user_id TEXT REFERENCES users(id),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX notes_contact ON notes (account_id, contact_id, created_at, id);

CREATE TABLE tasks (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id),
  contact_id TEXT REFERENCES contacts(id) ON DELETE CASCADE,
  title TEXT NOT NULL,
  body TEXT,
  due_at INTEGER,
  assignee_user_id TEXT REFERENCES users(id),
  completed_at INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX tasks_contact ON tasks (account_id, contact_id, created_at, id);
CREATE INDEX tasks_account ON tasks (account_id, created_at, id);

CREATE TABLE pipelines (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id),
  name TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX pipelines_account ON pipelines (account_id, created_at, id);

CREATE TABLE pipeline_stages (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id),
  pipeline_id TEXT NOT NULL REFERENCES pipelines(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  position INTEGER NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX pipeline_stages_pipeline ON pipeline_stages (account_id, pipeline_id, position);

CREATE TABLE opportunities (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id),
  pipeline_id TEXT NOT NULL REFERENCES pipelines(id),
  stage_id TEXT NOT NULL REFERENCES pipeline_stages(id),
  contact_id TEXT REFERENCES contacts(id) ON DELETE SET NULL,
  name TEXT NOT NULL,
  value_micros INTEGER NOT NULL DEFAULT 0,
  status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'won', 'lost', 'abandoned')),
  assignee_user_id TEXT REFERENCES users(id),
  closed_at INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX opportunities_pipeline ON opportunities (account_id, pipeline_id, created_at, id);
CREATE INDEX opportunities_stage ON opportunities (account_id, stage_id);
CREATE INDEX opportunities_contact ON opportunities (account_id, contact_id);
-- Sorting by email pages through this expression index (emails are optional).
CREATE INDEX contacts_email_sort ON contacts (account_id, IFNULL(email, ''), id);
