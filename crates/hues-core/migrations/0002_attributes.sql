-- Categories' extra fields (Open311 attributes) and reports' answers, as JSON.
ALTER TABLE categories ADD COLUMN attributes TEXT NOT NULL DEFAULT '[]';
ALTER TABLE reports ADD COLUMN attributes TEXT NOT NULL DEFAULT '{}';
