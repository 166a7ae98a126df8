-- A photo of a case with regions (faces, plates) pixelated by staff before it is shown: the
-- case now shows `redacted`; `original` stays on disk for staff only.
CREATE TABLE photo_redactions (
    report_id  TEXT NOT NULL REFERENCES reports(id),
    original   TEXT NOT NULL REFERENCES photos(sha256),
    redacted   TEXT NOT NULL REFERENCES photos(sha256),
    staff_id   TEXT NOT NULL REFERENCES staff(id),
    regions    TEXT NOT NULL,
    at         TEXT NOT NULL,
    PRIMARY KEY (report_id, original)
) STRICT;
CREATE INDEX photo_redactions_redacted ON photo_redactions (report_id, redacted);
