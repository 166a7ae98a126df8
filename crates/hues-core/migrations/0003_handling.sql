-- Handling details from the server: assigned unit, duplicate target, the citizen's rating (JSON).
ALTER TABLE report_history ADD COLUMN unit TEXT;
ALTER TABLE report_history ADD COLUMN duplicate_of TEXT;
ALTER TABLE reports ADD COLUMN rating TEXT;
