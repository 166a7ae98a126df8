-- The console's desk (issue 13): who holds a case, when it was acknowledged, its edit lock,
-- merged cases, reply templates, supervisors' notices, and the categories whose resolution
-- needs a photo of the work done.
ALTER TABLE reports ADD COLUMN assignee_id TEXT REFERENCES staff(id);
CREATE INDEX reports_assignee ON reports(assignee_id, status);
ALTER TABLE reports ADD COLUMN acknowledged_at TEXT;

-- One person edits a case at a time; a lock ends by itself at `until` (Unix seconds).
CREATE TABLE case_locks (
    report_id  TEXT PRIMARY KEY REFERENCES reports(id),
    staff_id   TEXT NOT NULL REFERENCES staff(id),
    until      INTEGER NOT NULL
) STRICT;

-- category NULL: for every category. Fields in the text: {address}, {category}, {unit},
-- {date} (today), {id} (the case's short number).
CREATE TABLE reply_templates (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    category  TEXT REFERENCES categories(code),
    status    TEXT NOT NULL,
    name_vi   TEXT NOT NULL,
    name_en   TEXT NOT NULL,
    text_vi   TEXT NOT NULL,
    text_en   TEXT NOT NULL
) STRICT;

-- The bell: a case overdue or escalated, told once to each supervisor of its unit.
CREATE TABLE staff_notices (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    staff_id   TEXT NOT NULL REFERENCES staff(id),
    report_id  TEXT NOT NULL REFERENCES reports(id),
    kind       TEXT NOT NULL,   -- overdue | escalated
    at         TEXT NOT NULL,
    read       INTEGER NOT NULL DEFAULT 0,
    UNIQUE (staff_id, report_id, kind)
) STRICT;
CREATE INDEX staff_notices_unread ON staff_notices(staff_id, read);

CREATE TABLE resolve_rules (
    category          TEXT PRIMARY KEY REFERENCES categories(code),
    photo_required    INTEGER NOT NULL
) STRICT;
