-- Someone who already has a login is never added to an account outright: they
-- are invited, and become a member only when they accept with the emailed
-- link (7 days, once). Until then they are no member anywhere the product
-- looks (memberships holds only people who joined), and the inviting account
-- sees nothing of them but the email and name it typed. `claim` marks the
-- one request that accepted the link, so the membership is inserted in the
-- same transaction only for it.
CREATE TABLE account_invitations (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id),
  user_id TEXT NOT NULL REFERENCES users(id),
  -- As the inviter typed them; the person's own name is never shown to the inviter.
  email TEXT NOT NULL,
  name TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'member')),
  invited_by_user_id TEXT REFERENCES users(id),
  token_hash TEXT NOT NULL UNIQUE,
  expires_at INTEGER NOT NULL,
  accepted_at INTEGER,
  revoked_at INTEGER,
  claim TEXT,
  created_at INTEGER NOT NULL
);
-- One open invitation per person and account.
CREATE UNIQUE INDEX account_invitations_open ON account_invitations (account_id, user_id) WHERE accepted_at IS NULL AND revoked_at IS NULL;
