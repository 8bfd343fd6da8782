-- Billing: the plan each account is on (its Stripe subscription mirrored),
-- dunning cases for unpaid invoices with the steps they took, and the
-- account's billing timeline. Stripe stays the source of truth for
-- subscriptions and invoices; these rows are what limits and gates read.

-- One row per account that has left its implicit trial: subscribed, or moved
-- to Free (trial ended, subscription ended, or downgraded by dunning).
-- No row: the account is in its trial (docs/decisions/0004).
CREATE TABLE subscriptions (
  account_id TEXT PRIMARY KEY REFERENCES accounts(id),
  -- What the account is entitled to now: free, starter, professional, agency, enterprise.
  plan TEXT NOT NULL,
  -- The Stripe account billing it: NULL for the platform, acct_... for an agency's connected account.
  stripe_account TEXT,
  stripe_customer_id TEXT,
  stripe_subscription_id TEXT UNIQUE,
  stripe_price_id TEXT,
  -- Stripe's status of that subscription (active, past_due, canceled, ...), as last read from Stripe.
  stripe_status TEXT,
  current_period_start INTEGER,
  current_period_end INTEGER,
  cancel_at_period_end INTEGER NOT NULL DEFAULT 0,
  -- An Enterprise price agreed with sales (integer micro-dollars a month); NULL until set.
  custom_price_micros INTEGER,
  -- Bumped by each change the account asks for (subscribe, change plan, cancel, resume): part of
  -- the Stripe idempotency key, so a retried request replays and a new one does not.
  version INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

-- An unpaid subscription invoice working through the dunning flow.
CREATE TABLE dunning_cases (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id),
  stripe_account TEXT,
  invoice_id TEXT NOT NULL UNIQUE,
  subscription_id TEXT,
  -- The plan to give back when the debt is paid after a downgrade.
  plan_before TEXT NOT NULL,
  amount_due_micros INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('open', 'recovered', 'closed')),
  stage TEXT NOT NULL CHECK (stage IN ('past_due', 'warned', 'paused', 'downgraded', 'archived', 'recovered', 'closed')),
  -- Failed payment attempts the flow has counted (1 to 4).
  failures INTEGER NOT NULL,
  -- Day 0 of the flow: when the invoice first failed, on the billing clock (ms).
  started_at INTEGER NOT NULL,
  next_action TEXT CHECK (next_action IN ('retry', 'archive')),
  next_action_at INTEGER,
  -- Wall-clock lease, so a sweep, a queue message and a webhook never work one case at once.
  lease_until INTEGER,
  last_error TEXT,
  resolved_at INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX dunning_cases_open ON dunning_cases (account_id) WHERE status = 'open';
CREATE INDEX dunning_cases_account ON dunning_cases (account_id, created_at);
CREATE INDEX dunning_cases_due ON dunning_cases (next_action_at) WHERE status = 'open';

-- Each step a case took, once: the dunning engine's idempotency record.
CREATE TABLE dunning_steps (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id),
  case_id TEXT NOT NULL REFERENCES dunning_cases(id),
  step TEXT NOT NULL,
  detail TEXT,
  occurred_at INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  UNIQUE (case_id, step)
);
CREATE INDEX dunning_steps_account ON dunning_steps (account_id, occurred_at);

-- What happened to the account's billing, for people: subscribed, upgraded,
-- invoice paid, payment failed, paused, downgraded, archived, recovered, ...
CREATE TABLE billing_events (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id),
  kind TEXT NOT NULL,
  message TEXT NOT NULL,
  data TEXT NOT NULL DEFAULT '{}',
  -- Makes recording a transition idempotent (e.g. "dunning:<case>:paused").
  dedupe_key TEXT UNIQUE,
  -- On the billing clock (ms), so the timeline agrees with Stripe's dates.
  occurred_at INTEGER NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX billing_events_account ON billing_events (account_id, occurred_at, id);
