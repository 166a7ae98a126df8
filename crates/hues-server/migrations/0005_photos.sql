-- Photos, content-addressed (SHA-256 of the JPEG bytes); files live under <data-dir>/photos/.
CREATE TABLE photos (
    sha256       TEXT PRIMARY KEY,
    bytes        INTEGER NOT NULL,
    width        INTEGER NOT NULL,
    height       INTEGER NOT NULL,
    uploaded_by  TEXT NOT NULL REFERENCES devices(id),
    at           TEXT NOT NULL
) STRICT;

-- A report's photos, in the citizen's order; resolution photos carry the event they illustrate.
CREATE TABLE report_photos (
    report_id  TEXT NOT NULL REFERENCES reports(id),
    position   INTEGER NOT NULL,
    sha256     TEXT NOT NULL REFERENCES photos(sha256),
    event_id   INTEGER REFERENCES report_events(id),
    PRIMARY KEY (report_id, position)
) STRICT;
