-- Where a report is in words, and the citizen's own photos (SHA-256 names, JSON list).
ALTER TABLE reports ADD COLUMN address TEXT;
ALTER TABLE reports ADD COLUMN photos TEXT NOT NULL DEFAULT '[]';

-- Known places from the server (landmarks, public services): address suggestions, the map.
CREATE TABLE places (
    id         TEXT PRIMARY KEY,
    category   TEXT NOT NULL,
    name_vi    TEXT NOT NULL,
    name_en    TEXT NOT NULL,
    address    TEXT NOT NULL,
    latitude   REAL NOT NULL,
    longitude  REAL NOT NULL
) STRICT;
CREATE INDEX places_position ON places(latitude, longitude);
