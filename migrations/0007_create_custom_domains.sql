-- Agency custom domains (white-label, PRD 2.3), served through Cloudflare for
-- SaaS custom hostnames. One row per agency while it has a domain set up;
-- Cloudflare holds the hostname and its certificate, this row mirrors what
-- Cloudflare last said. `agencies.custom_domain` stays what the edge resolves
-- a Host header with: it is set only while the domain is live (hostname and
-- certificate both active) and cleared when it is not.
CREATE TABLE custom_domains (
  -- One custom domain per agency: the agency is the key.
  agency_id TEXT PRIMARY KEY REFERENCES agencies(id),
  -- The agency's own account (the tenant).
  account_id TEXT NOT NULL REFERENCES accounts(id),
  -- Lowercase ASCII hostname; one agency at most may claim a hostname.
  hostname TEXT NOT NULL UNIQUE,
  -- Cloudflare's custom hostname id; NULL until Cloudflare has accepted the hostname.
  cloudflare_hostname_id TEXT UNIQUE,
  -- The product's reading: pending, provisioning (verified, certificate on its way), active (live), moved, blocked, removing.
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'provisioning', 'active', 'moved', 'blocked', 'removing')),
  -- Cloudflare's own hostname status and certificate status, as last read.
  cloudflare_status TEXT,
  ssl_status TEXT,
  -- The ownership TXT record the agency must create (_cf-custom-hostname.<hostname> = value).
  ownership_txt_name TEXT,
  ownership_txt_value TEXT,
  -- JSON array of what stands between the domain and going live, in words for a person.
  verification_errors TEXT NOT NULL DEFAULT '[]',
  checked_at INTEGER,
  activated_at INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX custom_domains_account ON custom_domains (account_id);
-- Domains still on their way to live, for a sweep that refreshes them from Cloudflare.
CREATE INDEX custom_domains_pending ON custom_domains (status, checked_at) WHERE status IN ('pending', 'provisioning', 'moved');
