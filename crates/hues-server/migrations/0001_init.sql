-- hues-server schema v1. Migrations are append-only: never edit a released file, add a new one.
CREATE TABLE devices (
    id          TEXT PRIMARY KEY,
    token_hash  TEXT NOT NULL UNIQUE,
    platform    TEXT,
    locale      TEXT,
    created_at  TEXT NOT NULL
) STRICT;

CREATE TABLE categories (
    code            TEXT PRIMARY KEY,
    grp             TEXT NOT NULL,
    name_vi         TEXT NOT NULL,
    name_en         TEXT NOT NULL,
    description_vi  TEXT NOT NULL,
    description_en  TEXT NOT NULL,
    position        INTEGER NOT NULL
) STRICT;

CREATE TABLE reports (
    id           TEXT PRIMARY KEY,
    device_id    TEXT NOT NULL REFERENCES devices(id),
    category     TEXT NOT NULL REFERENCES categories(code),
    description  TEXT NOT NULL,
    latitude     REAL NOT NULL,
    longitude    REAL NOT NULL,
    created_at   TEXT NOT NULL,
    received_at  TEXT NOT NULL,
    status       TEXT NOT NULL
) STRICT;
CREATE INDEX reports_device ON reports(device_id);

CREATE TABLE report_events (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    report_id  TEXT NOT NULL REFERENCES reports(id),
    status     TEXT NOT NULL,
    note       TEXT NOT NULL,
    at         TEXT NOT NULL
) STRICT;
CREATE INDEX report_events_report ON report_events(report_id, id);

-- The sync feed: one row per entity, re-inserted (with a new seq) whenever it changes.
-- audience NULL = every device; otherwise only that device sees the change.
CREATE TABLE changes (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    kind      TEXT NOT NULL,
    entity    TEXT NOT NULL,
    audience  TEXT,
    UNIQUE (kind, entity)
) STRICT;
CREATE INDEX changes_audience ON changes(audience, seq);
