-- Tenancy: accounts are tenants; agencies own sub-accounts; users are global
-- identities that hold a role in each account they belong to.

CREATE TABLE accounts (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('business', 'agency', 'sub_account')),
  status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'past_due', 'paused', 'archived')),
  -- The agency that owns this account, for sub-accounts.
  agency_id TEXT REFERENCES agencies(id),
  timezone TEXT NOT NULL DEFAULT 'UTC',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX accounts_agency ON accounts (agency_id);

CREATE TABLE agencies (
  id TEXT PRIMARY KEY,
  -- The agency's own account (its staff, its wallet, its plan).
  account_id TEXT NOT NULL UNIQUE REFERENCES accounts(id),
  name TEXT NOT NULL,
  custom_domain TEXT UNIQUE,
  branding TEXT NOT NULL DEFAULT '{}',
  settings TEXT NOT NULL DEFAULT '{}',
  created_at INTEGER NOT NULL
);

CREATE TABLE sub_accounts (
  id TEXT PRIMARY KEY,
  agency_id TEXT NOT NULL REFERENCES agencies(id),
  -- The tenant this sub-account is.
  account_id TEXT NOT NULL UNIQUE REFERENCES accounts(id),
  name TEXT NOT NULL,
  twilio_subaccount_sid TEXT,
  settings TEXT NOT NULL DEFAULT '{}',
  created_at INTEGER NOT NULL
);
CREATE INDEX sub_accounts_agency ON sub_accounts (agency_id);

CREATE TABLE users (
  id TEXT PRIMARY KEY,
  email TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

CREATE TABLE memberships (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id),
  user_id TEXT NOT NULL REFERENCES users(id),
  role TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'member')),
  created_at INTEGER NOT NULL,
  UNIQUE (account_id, user_id)
);
CREATE INDEX memberships_user ON memberships (user_id);

-- Refresh sessions; the refresh token itself is only stored hashed.
CREATE TABLE sessions (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id),
  user_id TEXT NOT NULL REFERENCES users(id),
  actor_user_id TEXT REFERENCES users(id),
  token_hash TEXT NOT NULL UNIQUE,
  expires_at INTEGER NOT NULL,
  revoked_at INTEGER,
  created_at INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_keys (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id),
  name TEXT NOT NULL,
  -- First characters of the key, shown in lists so users can tell keys apart.
  prefix TEXT NOT NULL,
  key_hash TEXT NOT NULL UNIQUE,
  role TEXT NOT NULL DEFAULT 'admin' CHECK (role IN ('admin', 'member')),
  created_by_user_id TEXT REFERENCES users(id),
  last_used_at INTEGER,
  revoked_at INTEGER,
  created_at INTEGER NOT NULL
);
CREATE INDEX api_keys_account ON api_keys (account_id, created_at);

-- Failed logins per key (an email or a client address) in a fixed window.
CREATE TABLE login_throttle (
  key TEXT PRIMARY KEY,
  window_started_at INTEGER NOT NULL,
  failures INTEGER NOT NULL
);
