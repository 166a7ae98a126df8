-- Look-ups also count per dossier code (across devices): a new device per try must not get
-- around the limit. The code is recorded as typed (normalised), whether or not it exists.
ALTER TABLE dossier_lookups ADD COLUMN code TEXT NOT NULL DEFAULT '';
CREATE INDEX dossier_lookups_code ON dossier_lookups(code, at);
