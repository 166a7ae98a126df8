-- Publication: what the public may see (see `publication.rs`).
-- A category's reports are public by default unless it says otherwise (security).
ALTER TABLE categories ADD COLUMN public INTEGER NOT NULL DEFAULT 1;
-- Staff may publish (1) or withdraw (0) one report; NULL = the category's rule.
ALTER TABLE reports ADD COLUMN published INTEGER;
-- A step the citizen made (a reopening): its note is theirs, never shown to the public.
ALTER TABLE report_events ADD COLUMN by_citizen INTEGER NOT NULL DEFAULT 0;
UPDATE report_events SET by_citizen = 1
 WHERE status = 'received'
   AND id > (SELECT min(e.id) FROM report_events e WHERE e.report_id = report_events.report_id);
-- A photo is public only when a published report holds it: looked up by hash.
CREATE INDEX report_photos_sha ON report_photos(sha256);
-- Open311 lists and the operator's pages walk reports by time.
CREATE INDEX reports_received ON reports(received_at, id);
