-- Administrative procedures (the catalogue) and dossiers.
CREATE TABLE procedures (
    id        TEXT PRIMARY KEY,
    position  INTEGER NOT NULL,
    record    TEXT NOT NULL
) STRICT;

-- A dossier; `record` is what its filer sees (JSON). The filer's phone number is not kept: only
-- a hash of the code and its last 4 digits, the check value asked at look-up.
CREATE TABLE dossiers (
    code         TEXT PRIMARY KEY,
    check_hash   TEXT NOT NULL,
    unit_vi      TEXT NOT NULL,
    state        TEXT NOT NULL,
    appointment  TEXT NOT NULL,
    record       TEXT NOT NULL
) STRICT;
CREATE INDEX dossiers_unit ON dossiers(unit_vi, state);

-- Devices that track a dossier get its changes in their sync feed.
CREATE TABLE dossier_trackers (
    device_id  TEXT NOT NULL REFERENCES devices(id),
    code       TEXT NOT NULL REFERENCES dossiers(code),
    PRIMARY KEY (device_id, code)
) STRICT;

-- Look-ups per device, for the rate limit.
CREATE TABLE dossier_lookups (
    device_id  TEXT NOT NULL,
    at         TEXT NOT NULL
) STRICT;
CREATE INDEX dossier_lookups_device ON dossier_lookups(device_id, at);
