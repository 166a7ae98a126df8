-- Everything a place card shows, and the indexes for search and "near me".
ALTER TABLE places ADD COLUMN description_vi TEXT NOT NULL DEFAULT '';
ALTER TABLE places ADD COLUMN description_en TEXT NOT NULL DEFAULT '';
ALTER TABLE places ADD COLUMN phone TEXT NOT NULL DEFAULT '';
ALTER TABLE places ADD COLUMN website TEXT NOT NULL DEFAULT '';
ALTER TABLE places ADD COLUMN opening_hours TEXT NOT NULL DEFAULT '';
ALTER TABLE places ADD COLUMN photos TEXT NOT NULL DEFAULT '[]';
ALTER TABLE places ADD COLUMN tickets TEXT NOT NULL DEFAULT '[]';
ALTER TABLE places ADD COLUMN sight INTEGER NOT NULL DEFAULT 0;
CREATE INDEX places_category ON places(category);

-- Names and address folded for Vietnamese-aware search (hues_wire::fold: no marks, đ → d,
-- lower case); rowid = places.rowid.
CREATE VIRTUAL TABLE places_fts USING fts5(folded, tokenize = 'unicode61 remove_diacritics 0');
-- Where each place is, for nearest-first; id = places.rowid.
CREATE VIRTUAL TABLE places_rtree USING rtree(id, min_lat, max_lat, min_lon, max_lon);

-- Places synced before this migration are fetched again, to be indexed (folding is done in Rust):
-- forget them and the sync cursors, so the next sync pulls everything (applying is idempotent).
DELETE FROM places;
DELETE FROM kv WHERE key LIKE 'cursor:%';
