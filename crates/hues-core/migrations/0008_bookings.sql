-- The citizen's bookings (hotel rooms, tours, tickets); delivery as for reports:
-- 'saved' (in the outbox), 'sending', 'delivered', 'refused'.
CREATE TABLE bookings (
    id                  TEXT PRIMARY KEY,
    request             TEXT NOT NULL,
    delivery            TEXT NOT NULL,
    refused_code        TEXT,
    status              TEXT,
    note_from_operator  TEXT NOT NULL DEFAULT '',
    created_at          TEXT NOT NULL
) STRICT;
