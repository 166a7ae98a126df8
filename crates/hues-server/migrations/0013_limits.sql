-- Limits that no number of devices escapes (see `limits.rs`). Both tables hold a network address
-- (an IPv4 address, or an IPv6 /64) for one hour only: rows older than the window are deleted
-- whenever the table is written. `at` is in Unix milliseconds.

-- Failed dossier look-ups (unknown code or wrong check value), per address and server-wide.
CREATE TABLE lookup_failures (
    addr  TEXT NOT NULL,
    at    INTEGER NOT NULL
) STRICT;
CREATE INDEX lookup_failures_addr ON lookup_failures(addr, at);
CREATE INDEX lookup_failures_at ON lookup_failures(at);

-- Device registrations per address.
CREATE TABLE registrations (
    addr  TEXT NOT NULL,
    at    INTEGER NOT NULL
) STRICT;
CREATE INDEX registrations_addr ON registrations(addr, at);
CREATE INDEX registrations_at ON registrations(at);

-- A photo uploaded with metadata is stored without it, under the clean bytes' SHA-256; the name
-- it was uploaded under stays usable (a report naming it gets the clean name).
CREATE TABLE photo_aliases (
    alias   TEXT PRIMARY KEY,
    sha256  TEXT NOT NULL REFERENCES photos(sha256)
) STRICT;
CREATE INDEX photo_aliases_sha ON photo_aliases(sha256);

-- The quota sums a device's photos; the orphan sweep walks photos by age.
CREATE INDEX photos_uploaded_by ON photos(uploaded_by);
CREATE INDEX photos_at ON photos(at);
