-- Handling details: the unit a report is assigned to, the report it duplicates, the citizen's rating.
ALTER TABLE report_events ADD COLUMN unit TEXT;
ALTER TABLE report_events ADD COLUMN duplicate_of TEXT;
ALTER TABLE reports ADD COLUMN rating TEXT;
ALTER TABLE reports ADD COLUMN rating_comment TEXT;
ALTER TABLE reports ADD COLUMN rated_at TEXT;
