-- An agency's client list is read a page at a time in name order (case
-- folded, id breaking ties), so page 40 of a large agency reads one page.
CREATE INDEX accounts_agency_clients ON accounts (agency_id, kind, name COLLATE NOCASE, id);
