-- hues client cache, schema v1. Append-only: add a new file for any change.
CREATE TABLE kv (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
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

-- delivery: 'saved' (in the outbox), 'sending', 'delivered' (acknowledged), 'refused' (4xx).
CREATE TABLE reports (
    id            TEXT PRIMARY KEY,
    category      TEXT NOT NULL,
    description   TEXT NOT NULL,
    latitude      REAL NOT NULL,
    longitude     REAL NOT NULL,
    created_at    TEXT NOT NULL,
    delivery      TEXT NOT NULL,
    refused_code  TEXT,
    status        TEXT
) STRICT;

CREATE TABLE report_history (
    report_id  TEXT NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
    seq        INTEGER NOT NULL,
    status     TEXT NOT NULL,
    note       TEXT NOT NULL,
    at         TEXT NOT NULL,
    PRIMARY KEY (report_id, seq)
) STRICT;

-- What waits to be sent. A row leaves only when the server acknowledged it; a row the server
-- refused stays, with failed_code set, so nothing is dropped silently.
CREATE TABLE outbox (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    kind             TEXT NOT NULL,
    entity_id        TEXT NOT NULL,
    payload          TEXT NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TEXT NOT NULL,
    last_error       TEXT,
    failed_code      TEXT,
    created_at       TEXT NOT NULL
) STRICT;
CREATE INDEX outbox_due ON outbox(failed_code, next_attempt_at);
