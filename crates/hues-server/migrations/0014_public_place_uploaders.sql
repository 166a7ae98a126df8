-- Who has shown they hold a photo's bytes (uploaded them): only they may name it in a report.
-- A hash seen in public is not enough to attach someone's photo to one's own report.
CREATE TABLE photo_uploaders (
    sha256     TEXT NOT NULL REFERENCES photos(sha256),
    device_id  TEXT NOT NULL,
    PRIMARY KEY (sha256, device_id)
) STRICT;
INSERT OR IGNORE INTO photo_uploaders (sha256, device_id) SELECT sha256, uploaded_by FROM photos;
INSERT OR IGNORE INTO photo_uploaders (sha256, device_id)
    SELECT rp.sha256, r.device_id FROM report_photos rp JOIN reports r ON r.id = rp.report_id
     WHERE rp.event_id IS NULL;
