-- Where a report is in words, and how its position was found.
ALTER TABLE reports ADD COLUMN address TEXT;
ALTER TABLE reports ADD COLUMN accuracy_m REAL;
ALTER TABLE reports ADD COLUMN location_source TEXT;

-- Known places (landmarks, public services), synced to every device.
CREATE TABLE places (
    id         TEXT PRIMARY KEY,
    category   TEXT NOT NULL,
    name_vi    TEXT NOT NULL,
    name_en    TEXT NOT NULL,
    address    TEXT NOT NULL,
    latitude   REAL NOT NULL,
    longitude  REAL NOT NULL
) STRICT;
