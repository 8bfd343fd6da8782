-- A narrow contact search reads its matches' ids and creation times from the
-- searched columns' indexes, sorts those, and reads only the page's rows, so
-- these indexes carry created_at (the default sort) after the searched column.
DROP INDEX contacts_name;
CREATE INDEX contacts_name ON contacts (account_id, name_key, created_at, id);
DROP INDEX contacts_last_name;
CREATE INDEX contacts_last_name ON contacts (account_id, last_name_key, created_at, id);
-- The unique contacts_email index keeps dedupe; this one serves search.
CREATE INDEX contacts_email_search ON contacts (account_id, email, created_at, id) WHERE email IS NOT NULL;
-- A broad search walks the account in creation order testing each contact's
-- name, last name and email; with them in the walk's index, a contact that
-- does not match is skipped without reading its row.
DROP INDEX contacts_created;
CREATE INDEX contacts_created ON contacts (account_id, created_at, id, name_key, last_name_key, email);
