-- The city's side (issue 13): units in a tree, staff with roles per unit, server-side sessions,
-- login attempts, per-staff API tokens, and the audit log of every staff action.

-- Units form a tree: the city at the root, departments and wards under it, teams under those.
CREATE TABLE units (
    id         TEXT PRIMARY KEY,
    parent     TEXT REFERENCES units(id),
    kind       TEXT NOT NULL,       -- city | department | ward | team | centre
    name_vi    TEXT NOT NULL,
    name_en    TEXT NOT NULL,
    ward_code  TEXT,                -- a ward's or commune's official code
    position   INTEGER NOT NULL
) STRICT;
CREATE INDEX units_parent ON units(parent);

CREATE TABLE staff (
    id             TEXT PRIMARY KEY,   -- UUIDv7
    username       TEXT NOT NULL UNIQUE,
    display_name   TEXT NOT NULL,
    password_hash  TEXT NOT NULL,      -- Argon2id, PHC string
    totp_secret    TEXT,               -- base32; required for admins and supervisors
    totp_last_step INTEGER,            -- the last time step accepted (a code is spent once)
    active         INTEGER NOT NULL DEFAULT 1,
    created_at     TEXT NOT NULL
) STRICT;

-- A role in a unit covers the unit's whole subtree.
CREATE TABLE staff_roles (
    staff_id  TEXT NOT NULL REFERENCES staff(id),
    unit_id   TEXT NOT NULL REFERENCES units(id),
    role      TEXT NOT NULL,  -- dispatcher | officer | unit_supervisor | city_supervisor | admin
    PRIMARY KEY (staff_id, unit_id, role)
) STRICT;

-- Sessions live here; the cookie holds a random id whose SHA-256 is the key. `stage` is
-- `password` until a required second factor is given, then `full`.
CREATE TABLE staff_sessions (
    id_hash     TEXT PRIMARY KEY,
    staff_id    TEXT NOT NULL REFERENCES staff(id),
    stage       TEXT NOT NULL,
    created_at  INTEGER NOT NULL,  -- Unix seconds
    seen_at     INTEGER NOT NULL
) STRICT;
CREATE INDEX staff_sessions_staff ON staff_sessions(staff_id);

-- Failed logins, per username and per network address, kept for an hour (Unix seconds).
CREATE TABLE login_failures (
    key  TEXT NOT NULL,
    at   INTEGER NOT NULL
) STRICT;
CREATE INDEX login_failures_key ON login_failures(key, at);

-- Machines act as a staff member with a token of theirs (SHA-256 kept).
CREATE TABLE staff_tokens (
    token_hash  TEXT PRIMARY KEY,
    staff_id    TEXT NOT NULL REFERENCES staff(id),
    name        TEXT NOT NULL,
    created_at  TEXT NOT NULL
) STRICT;

-- Who did what, when, with the state before and after (JSON).
CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    at        TEXT NOT NULL,
    staff_id  TEXT,
    action    TEXT NOT NULL,
    target    TEXT NOT NULL,
    before    TEXT,
    after     TEXT
) STRICT;
CREATE INDEX audit_log_staff ON audit_log(staff_id, id);
CREATE INDEX audit_log_action ON audit_log(action, id);

-- The unit that owns a case.
ALTER TABLE reports ADD COLUMN unit_id TEXT REFERENCES units(id);
CREATE INDEX reports_unit ON reports(unit_id, status);
