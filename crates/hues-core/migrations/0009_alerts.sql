-- Warnings from the server (CAP 1.2, as `AlertRecord` JSON), kept for reading offline.
CREATE TABLE alerts (
    identifier  TEXT PRIMARY KEY,
    record      TEXT NOT NULL,
    state       TEXT NOT NULL
) STRICT;
