-- Agency oversight of its client accounts: suspension, and an audit log of
-- what agency staff did inside each sub-account while impersonating.

-- A suspended sub-account's own users cannot sign in or call the API; its
-- agency can still enter it, and reactivate it. Nothing is deleted.
ALTER TABLE accounts ADD COLUMN suspended_at INTEGER;

-- One row per impersonation start and per change made while impersonating.
-- account_id is the agency's account: the tenant that reads the log.
CREATE TABLE agency_audit_log (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id),
  sub_account_id TEXT NOT NULL REFERENCES accounts(id),
  actor_user_id TEXT NOT NULL REFERENCES users(id),
  action TEXT NOT NULL CHECK (action IN ('impersonation_started', 'request')),
  method TEXT,
  path TEXT,
  status INTEGER,
  request_id TEXT,
  occurred_at INTEGER NOT NULL
);
CREATE INDEX agency_audit_log_account ON agency_audit_log (account_id, occurred_at, id);
CREATE INDEX agency_audit_log_sub_account ON agency_audit_log (account_id, sub_account_id, occurred_at, id);
