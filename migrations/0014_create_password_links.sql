-- One-time links to set a password, emailed to the user: "forgot password"
-- (purpose reset, an hour) and an invitation to a team (purpose invite,
-- 7 days). Only the token's SHA-256 is stored; a link works once, and using
-- one closes every other open link of the same user. `claim` marks the one
-- request that used the link, so the password change, the sign-out of every
-- session and the closing of the links apply in one transaction only for it.
-- Users belong to no single account, so neither do their links.
CREATE TABLE password_resets (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id),
  purpose TEXT NOT NULL DEFAULT 'reset' CHECK (purpose IN ('reset', 'invite')),
  token_hash TEXT NOT NULL UNIQUE,
  expires_at INTEGER NOT NULL,
  used_at INTEGER,
  claim TEXT,
  created_at INTEGER NOT NULL
);
CREATE INDEX password_resets_user ON password_resets (user_id) WHERE used_at IS NULL;

-- A person added to a team without a password is invited: they have no
-- password of their own until they use their link (set back to NULL then).
ALTER TABLE users ADD COLUMN invited_at INTEGER;
