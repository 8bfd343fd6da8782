-- Wallets: the balance itself lives in one Durable Object per wallet (the
-- source of truth); D1 keeps the registry, a projection of the ledger for
-- reporting, the two-leg usage charges, top-ups and pricing.

CREATE TABLE wallets (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL UNIQUE REFERENCES accounts(id),
  currency TEXT NOT NULL DEFAULT 'USD',
  -- When the projection was last checked against the wallet itself.
  reconciled_at INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL
);

-- Projection of every wallet's ledger, caught up from the wallet Queue.
CREATE TABLE wallet_transactions (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id),
  wallet_id TEXT NOT NULL REFERENCES wallets(id),
  seq INTEGER NOT NULL,
  type TEXT NOT NULL,
  amount_micros INTEGER NOT NULL,
  balance_after_micros INTEGER NOT NULL,
  resource_type TEXT,
  resource_id TEXT,
  quantity INTEGER,
  reason TEXT,
  description TEXT,
  created_at INTEGER NOT NULL,
  UNIQUE (wallet_id, seq)
);
CREATE INDEX wallet_transactions_usage ON wallet_transactions (account_id, created_at, resource_type);

-- One row per billable usage event: the saga that charges the customer leg
-- (the account's own wallet) and, for agency sub-accounts, the platform leg
-- (the agency's wallet), each exactly once.
CREATE TABLE usage_charges (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id),
  agency_account_id TEXT REFERENCES accounts(id),
  resource_type TEXT NOT NULL,
  resource_id TEXT NOT NULL,
  quantity INTEGER NOT NULL,
  customer_amount_micros INTEGER NOT NULL,
  platform_amount_micros INTEGER NOT NULL,
  attempt INTEGER NOT NULL DEFAULT 1,
  status TEXT NOT NULL CHECK (status IN ('pending', 'charged', 'refused')),
  customer_transaction_id TEXT,
  platform_transaction_id TEXT,
  failure TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  UNIQUE (account_id, resource_type, resource_id)
);
CREATE INDEX usage_charges_pending ON usage_charges (status, updated_at) WHERE status = 'pending';
CREATE INDEX usage_charges_agency ON usage_charges (agency_account_id, created_at) WHERE agency_account_id IS NOT NULL;

-- Usage multipliers set by an agency (for all its sub-accounts) or for one account.
CREATE TABLE usage_price_overrides (
  account_id TEXT NOT NULL REFERENCES accounts(id),
  resource_type TEXT NOT NULL,
  multiplier TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (account_id, resource_type)
);

-- The account's Stripe customer and saved card, shared by billing and the wallet.
CREATE TABLE billing_profiles (
  account_id TEXT PRIMARY KEY REFERENCES accounts(id),
  stripe_customer_id TEXT NOT NULL UNIQUE,
  default_payment_method_id TEXT,
  card_brand TEXT,
  card_last4 TEXT,
  updated_at INTEGER NOT NULL
);

-- Money added to a wallet by card: manual top-ups and auto-recharges.
CREATE TABLE wallet_top_ups (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id),
  kind TEXT NOT NULL CHECK (kind IN ('manual', 'auto_recharge')),
  amount_micros INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed', 'requires_action')),
  recharge_id TEXT UNIQUE,
  idempotency_key TEXT NOT NULL UNIQUE,
  payment_intent_id TEXT UNIQUE,
  failure TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX wallet_top_ups_account ON wallet_top_ups (account_id, created_at);

-- Notices for an account's owners (low balance, failed recharge, ...).
CREATE TABLE notifications (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id),
  kind TEXT NOT NULL,
  message TEXT NOT NULL,
  dedupe_key TEXT UNIQUE,
  created_at INTEGER NOT NULL,
  read_at INTEGER
);
CREATE INDEX notifications_account ON notifications (account_id, created_at);
