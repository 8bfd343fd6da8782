-- Agencies selling their own plans to their sub-accounts through Stripe
-- Connect (PRD addendum 2.4, docs/decisions/0005): the agency's connected
-- Stripe account, the tiers it sells, and each sub-account's customer on
-- that account. A sub-account on a tier keeps its `subscriptions` row like
-- any subscriber (stripe_account = the agency's acct_..., plan = the tier's
-- key), so billing, dunning and limits treat it the same way.

-- One per agency: its connected account, as Stripe last described it.
CREATE TABLE agency_billing (
  -- The agency's own account.
  account_id TEXT PRIMARY KEY REFERENCES accounts(id),
  agency_id TEXT NOT NULL UNIQUE REFERENCES agencies(id),
  stripe_account_id TEXT NOT NULL UNIQUE,
  account_type TEXT NOT NULL CHECK (account_type IN ('standard', 'express')),
  -- Onboarding is complete when Stripe enables charges (account.updated, or a status read).
  charges_enabled INTEGER NOT NULL DEFAULT 0,
  payouts_enabled INTEGER NOT NULL DEFAULT 0,
  details_submitted INTEGER NOT NULL DEFAULT 0,
  onboarded_at INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

-- The tiers an agency sells. Changing a tier's price never reprices its
-- subscribers: the price is part of the Stripe price's lookup key, so a new
-- amount is a new Stripe price and existing subscriptions keep theirs.
CREATE TABLE agency_tiers (
  id TEXT PRIMARY KEY,
  -- The agency's own account.
  account_id TEXT NOT NULL REFERENCES accounts(id),
  -- The name in lower case, punctuation as '-': what subscriptions.plan holds for its subscribers.
  key TEXT NOT NULL,
  name TEXT NOT NULL,
  price_micros INTEGER NOT NULL CHECK (price_micros >= 1000000),
  contacts INTEGER NOT NULL CHECK (contacts > 0),
  -- NULL: as many users as the agency's own plan allows.
  users INTEGER CHECK (users IS NULL OR users > 0),
  position INTEGER NOT NULL,
  -- 0: off sale. Its subscribers keep it, with its limits, until they change tier.
  active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  UNIQUE (account_id, key)
);

-- A sub-account as a customer of its agency's connected account (the
-- platform's customers are in billing_profiles).
CREATE TABLE agency_billing_customers (
  -- The sub-account.
  account_id TEXT NOT NULL REFERENCES accounts(id),
  agency_account_id TEXT NOT NULL REFERENCES accounts(id),
  stripe_account_id TEXT NOT NULL,
  stripe_customer_id TEXT NOT NULL,
  default_payment_method_id TEXT,
  card_brand TEXT,
  card_last4 TEXT,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (account_id, stripe_account_id),
  UNIQUE (stripe_account_id, stripe_customer_id)
);
CREATE INDEX agency_billing_customers_agency ON agency_billing_customers (agency_account_id);
