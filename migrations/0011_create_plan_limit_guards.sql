-- Plan limits hold under concurrency. A create that a limit applies to ends
-- its own batch by rewriting its account's row here with "is the count, this
-- insert included, still within the limit"; when it is not, the CHECK fails
-- and the whole batch rolls back, so two requests racing for the last place
-- cannot both take it.
CREATE TABLE plan_limit_guards (
  account_id TEXT NOT NULL REFERENCES accounts(id),
  resource TEXT NOT NULL,
  within_limit INTEGER NOT NULL CONSTRAINT plan_limit_exceeded CHECK (within_limit = 1),
  PRIMARY KEY (account_id, resource)
);
