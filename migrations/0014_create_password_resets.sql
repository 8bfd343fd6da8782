-- "Forgot password": a one-time link emailed to the user. Only the token's
-- SHA-256 is stored; a token works once, within an hour, and using one
-- closes every other open link of the same user. `claim` marks the one
-- request that used the link, so the password change, the sign-out of every
-- session and the closing of the links apply in one transaction only for it.
-- Users belong to no single account, so neither do their resets.
CREATE TABLE password_resets (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id),
  token_hash TEXT NOT NULL UNIQUE,
  expires_at INTEGER NOT NULL,
  used_at INTEGER,
  claim TEXT,
  created_at INTEGER NOT NULL
);
CREATE INDEX password_resets_user ON password_resets (user_id) WHERE used_at IS NULL;
