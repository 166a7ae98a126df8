-- Photos the city attached to a step of a report's handling (SHA-256 names, JSON list).
ALTER TABLE report_history ADD COLUMN photos TEXT NOT NULL DEFAULT '[]';
