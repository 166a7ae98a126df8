-- Damage reported from a warning's page: the warning's CAP identifier (issue 16), so that the
-- city sees the damage reports of one flood together.
ALTER TABLE reports ADD COLUMN alert TEXT;
CREATE INDEX reports_alert ON reports(alert) WHERE alert IS NOT NULL;
