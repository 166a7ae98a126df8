-- Staff's internal notes on a case (issue 13): never in anything a citizen or the public reads.
CREATE TABLE case_notes (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    report_id  TEXT NOT NULL REFERENCES reports(id),
    staff_id   TEXT NOT NULL REFERENCES staff(id),
    at         TEXT NOT NULL,
    text       TEXT NOT NULL
) STRICT;
CREATE INDEX case_notes_report ON case_notes(report_id, id);
