-- The contact centre (issue 13): a case can come by the app, the hotline, a walk-in or email;
-- a caller's phone and name are kept for staff (and for linking the case to the caller's app
-- account later), never shown to the public or in the feed.
ALTER TABLE reports ADD COLUMN channel TEXT NOT NULL DEFAULT 'app';
CREATE TABLE case_contacts (
    report_id  TEXT PRIMARY KEY REFERENCES reports(id),
    phone      TEXT NOT NULL,
    name       TEXT NOT NULL,
    staff_id   TEXT NOT NULL REFERENCES staff(id)
) STRICT;
CREATE INDEX case_contacts_phone ON case_contacts(phone);
