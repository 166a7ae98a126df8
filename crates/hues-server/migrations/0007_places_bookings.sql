-- Everything a place card shows.
ALTER TABLE places ADD COLUMN description_vi TEXT NOT NULL DEFAULT '';
ALTER TABLE places ADD COLUMN description_en TEXT NOT NULL DEFAULT '';
ALTER TABLE places ADD COLUMN phone TEXT NOT NULL DEFAULT '';
ALTER TABLE places ADD COLUMN website TEXT NOT NULL DEFAULT '';
ALTER TABLE places ADD COLUMN opening_hours TEXT NOT NULL DEFAULT '';
ALTER TABLE places ADD COLUMN photos TEXT NOT NULL DEFAULT '[]';
ALTER TABLE places ADD COLUMN tickets TEXT NOT NULL DEFAULT '[]';
ALTER TABLE places ADD COLUMN sight INTEGER NOT NULL DEFAULT 0;

-- Bookings: the request as sent (JSON, for idempotent retries), its status and the answer.
CREATE TABLE bookings (
    id                  TEXT PRIMARY KEY,
    device_id           TEXT NOT NULL REFERENCES devices(id),
    place_id            TEXT NOT NULL REFERENCES places(id),
    request             TEXT NOT NULL,
    status              TEXT NOT NULL,
    note_from_operator  TEXT NOT NULL DEFAULT '',
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL
) STRICT;
CREATE INDEX bookings_status ON bookings(status, created_at);
