-- Insight (issue 14): what the city learns from its cases.

-- One row per case, the facts the dashboard counts, kept up to date from the sync feed's
-- `changes` (a case's row is redone when its report changes; `received` never changes). Times
-- are Unix seconds (UTC), days are days since 0001-01-01 (CE) in Huế's calendar.
CREATE TABLE case_facts (
    received         INTEGER NOT NULL,
    report_id        TEXT NOT NULL REFERENCES reports(id),
    unit_id          TEXT,
    category         TEXT NOT NULL,
    ward_code        TEXT,
    channel          TEXT NOT NULL,
    status           TEXT NOT NULL,
    status_since     INTEGER NOT NULL,
    finished         INTEGER NOT NULL,      -- resolved, rejected or a duplicate
    ack_at           INTEGER,
    done_at          INTEGER,               -- when resolved (resolved cases only)
    done_on_time     INTEGER,               -- resolved by its day (resolved cases only)
    ack_due          INTEGER NOT NULL,
    resolve_due      INTEGER NOT NULL,      -- a day
    bounces          INTEGER NOT NULL,      -- re-routes before anyone took it in hand
    reopened         INTEGER NOT NULL,      -- back to open after being resolved
    rating           TEXT,
    wait_received    INTEGER NOT NULL,      -- seconds spent in each status, finished stays
    wait_assigned    INTEGER NOT NULL,
    wait_in_progress INTEGER NOT NULL,
    -- The numbers the dashboard counts, packed (`insight::facts::Packed`): one value to read
    -- per case instead of fourteen.
    packed           BLOB NOT NULL,
    -- In the order the dashboard reads a period: a range of `received` is one run of pages.
    PRIMARY KEY (received, report_id)
) STRICT, WITHOUT ROWID;

-- Watermarks of the refreshers (e.g. the last `changes.seq` folded into `case_facts`).
CREATE TABLE insight_marks (
    name   TEXT PRIMARY KEY,
    value  INTEGER NOT NULL
) STRICT;

-- The hot-issue early warning: each run, and the alerts it raised or continued.
CREATE TABLE hot_runs (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    day       TEXT NOT NULL,        -- the local day analysed (its last day)
    at        TEXT NOT NULL,
    cases     INTEGER NOT NULL,
    scans     INTEGER NOT NULL,
    clusters  INTEGER NOT NULL,
    millis    INTEGER NOT NULL,
    trigger   TEXT NOT NULL         -- daily | staff id
) STRICT;

CREATE TABLE hot_alerts (
    id           TEXT PRIMARY KEY,   -- UUIDv7
    category     TEXT,               -- NULL: all categories together
    kind         TEXT NOT NULL,      -- cluster | surge (the CUSUM)
    state        TEXT NOT NULL,      -- new | ongoing | closed
    tier         TEXT NOT NULL,      -- watch | warning | hot
    cells        TEXT NOT NULL,      -- JSON [[col,row],…] of the grid
    centre_lat   REAL,
    centre_lon   REAL,
    radius_m     REAL NOT NULL,
    window_days  INTEGER NOT NULL,
    observed     INTEGER NOT NULL,
    expected     REAL NOT NULL,
    recurrence   REAL NOT NULL,      -- days
    first_day    TEXT NOT NULL,
    last_day     TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    incident_id  TEXT
) STRICT;
CREATE INDEX hot_alerts_state ON hot_alerts(state, updated_at);

CREATE TABLE hot_alert_reports (
    alert_id   TEXT NOT NULL REFERENCES hot_alerts(id),
    report_id  TEXT NOT NULL REFERENCES reports(id),
    PRIMARY KEY (alert_id, report_id)
) STRICT;

-- A hot alert told once to each supervisor of a responsible unit.
CREATE TABLE hot_notices (
    staff_id  TEXT NOT NULL REFERENCES staff(id),
    alert_id  TEXT NOT NULL REFERENCES hot_alerts(id),
    at        TEXT NOT NULL,
    read      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (staff_id, alert_id)
) STRICT;

-- An incident: reports that are one problem, answered once.
CREATE TABLE incidents (
    id          TEXT PRIMARY KEY,    -- UUIDv7
    title       TEXT NOT NULL,
    alert_id    TEXT REFERENCES hot_alerts(id),
    created_by  TEXT NOT NULL REFERENCES staff(id),
    created_at  TEXT NOT NULL
) STRICT;

CREATE TABLE incident_reports (
    incident_id  TEXT NOT NULL REFERENCES incidents(id),
    report_id    TEXT NOT NULL REFERENCES reports(id),
    PRIMARY KEY (incident_id, report_id)
) STRICT;
CREATE INDEX incident_reports_report ON incident_reports(report_id);
