-- Sign-up is confirmed by email before anything is created: the answer to
-- POST /api/auth/signup is the same whether or not the email already has a
-- login (the owner of a registered email is told by email instead), so the
-- sign-up form cannot be used to learn who is registered. A request holds
-- what the form sent (the password only hashed) until the emailed link
-- (24 hours, once) creates the account; only the link token's SHA-256 is kept.
-- Requests belong to no account yet.
CREATE TABLE signup_requests (
  id TEXT PRIMARY KEY,
  email TEXT NOT NULL,
  name TEXT NOT NULL,
  account_name TEXT,
  agency INTEGER NOT NULL DEFAULT 0,
  -- The agency whose domain the sign-up came through (a client sub-account of it), or NULL.
  agency_id TEXT REFERENCES agencies(id),
  password_hash TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  expires_at INTEGER NOT NULL,
  used_at INTEGER,
  created_at INTEGER NOT NULL
);
