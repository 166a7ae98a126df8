-- Routing (issue 13): rules of category × area → unit, and every routing of a case.

-- category NULL: any category; ward_code NULL: the whole city. The most specific rule wins.
CREATE TABLE routing_rules (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    category   TEXT REFERENCES categories(code),
    ward_code  TEXT,
    unit_id    TEXT NOT NULL REFERENCES units(id),
    position   INTEGER NOT NULL
) STRICT;

-- Each routing: by a rule (rule_id), by a person (staff_id, with a reason), or to nobody
-- (to_unit NULL: the dispatchers' queue).
CREATE TABLE routing_events (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    report_id  TEXT NOT NULL REFERENCES reports(id),
    at         TEXT NOT NULL,
    from_unit  TEXT,
    to_unit    TEXT,
    rule_id    INTEGER,
    staff_id   TEXT,
    reason     TEXT NOT NULL
) STRICT;
CREATE INDEX routing_events_report ON routing_events(report_id, id);

-- The ward or commune a case lies in (when its boundary is known).
ALTER TABLE reports ADD COLUMN ward_code TEXT;
