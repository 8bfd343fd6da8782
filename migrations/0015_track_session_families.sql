-- A refresh session rotates into a new one on every use; all the sessions
-- descending from one sign-in form a family. Presenting a refresh token that
-- was already rotated means it was copied: the whole family is revoked, so the
-- thief's and the owner's tokens die together. `rotated_at` marks a session
-- whose refresh token was used (its access tokens stay valid until they
-- expire, unless the family is revoked); `revoked_at` ends it for good, access
-- tokens included (they are checked against their session on each request).
ALTER TABLE sessions ADD COLUMN family_id TEXT;
ALTER TABLE sessions ADD COLUMN rotated_at INTEGER;
UPDATE sessions SET family_id = id WHERE family_id IS NULL;
CREATE INDEX sessions_family ON sessions (family_id);
