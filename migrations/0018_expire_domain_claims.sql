-- Custom domains cannot be squatted. A claim nobody has proven (status
-- pending, never verified by Cloudflare, no ownership TXT of its own) holds
-- its hostname for 72 hours at most: `expires_at` says until when, and the
-- scheduled refresh releases it then. NULL once the claim is proven.
-- Existing unproven claims get 72 hours from this migration, not from their
-- creation, so nobody loses a domain to the upgrade without warning.
ALTER TABLE custom_domains ADD COLUMN expires_at INTEGER;
UPDATE custom_domains SET expires_at = CAST(strftime('%s', 'now') AS INTEGER) * 1000 + 259200000 WHERE status = 'pending' AND activated_at IS NULL;
CREATE INDEX custom_domains_expiring ON custom_domains (expires_at) WHERE expires_at IS NOT NULL;

-- An agency that wants a hostname another agency holds unproven gets a
-- token of its own to put in DNS (TXT _edge-crm-claim.<hostname>); when the
-- DNS shows it, the unproven claim is released and the prover's claim is
-- made. One token per agency and hostname, so each claim proves only itself.
CREATE TABLE custom_domain_challenges (
  agency_id TEXT NOT NULL REFERENCES agencies(id),
  account_id TEXT NOT NULL REFERENCES accounts(id),
  hostname TEXT NOT NULL,
  token TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (agency_id, hostname)
);

-- The last claim an agency lost, so its domain status can say why (expired
-- unproven, or another account proved it controls the DNS). Cleared when the
-- agency adds a domain again.
CREATE TABLE custom_domain_releases (
  agency_id TEXT PRIMARY KEY REFERENCES agencies(id),
  account_id TEXT NOT NULL REFERENCES accounts(id),
  hostname TEXT NOT NULL,
  reason TEXT NOT NULL CHECK (reason IN ('expired', 'proven_elsewhere')),
  released_at INTEGER NOT NULL
);
