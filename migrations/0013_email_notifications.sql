-- Notices that also go out by email (a failed payment warning, a low wallet,
-- a failed auto-recharge) carry their delivery here. email_status:
-- NULL (in-app only), pending, sent, no_recipient (nobody to write to),
-- failed (the ESP refused it, or it kept failing). Notices written before
-- email existed stay in-app only.
ALTER TABLE notifications ADD COLUMN email_status TEXT CHECK (email_status IN ('pending', 'sent', 'no_recipient', 'failed'));
ALTER TABLE notifications ADD COLUMN email_id TEXT;
ALTER TABLE notifications ADD COLUMN email_to TEXT;
ALTER TABLE notifications ADD COLUMN email_attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE notifications ADD COLUMN email_error TEXT;
ALTER TABLE notifications ADD COLUMN email_next_at INTEGER;
CREATE INDEX notifications_email_pending ON notifications (email_next_at) WHERE email_status = 'pending';
