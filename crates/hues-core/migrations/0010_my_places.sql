-- The citizen's own places (home, work, family) for "affects me".
CREATE TABLE my_places (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    latitude    REAL NOT NULL,
    longitude   REAL NOT NULL,
    created_at  TEXT NOT NULL
) STRICT;
