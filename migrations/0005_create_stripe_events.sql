-- Every Stripe webhook event seen, so each is processed exactly once however
-- often Stripe delivers it. Not tenant data: events are routed to accounts by
-- the objects they name.
CREATE TABLE stripe_events (
  id TEXT PRIMARY KEY,
  type TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  processed_at INTEGER
);
