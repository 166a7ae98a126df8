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
-- lower case); rowid = places.rowid. Names and address apart, so name matches come first.
CREATE VIRTUAL TABLE places_fts USING fts5(name, address, tokenize = 'unicode61 remove_diacritics 0',
    detail = 'column', columnsize = 0);
-- Merge index segments less often (SQLite's default, 4, spent a fifth of a first sync merging).
INSERT INTO places_fts (places_fts, rank) VALUES ('automerge', 16);
-- Where each place is, for nearest-first: a grid of 0.01° cells (about 1.1 km) on a plain index.
-- (An R*Tree answered as fast but cost 13 µs per inserted place, half of a first sync.)
ALTER TABLE places ADD COLUMN cell_y INTEGER NOT NULL DEFAULT 0;
ALTER TABLE places ADD COLUMN cell_x INTEGER NOT NULL DEFAULT 0;
CREATE INDEX places_cell ON places(cell_y, cell_x);
-- The grid replaces the latitude/longitude index of 0006 (one index less to keep on every sync).
DROP INDEX places_position;

-- Places synced before this migration are fetched again, to be indexed (folding is done in Rust):
-- forget them and the sync cursors, so the next sync pulls everything (applying is idempotent).
DELETE FROM places;
DELETE FROM kv WHERE key LIKE 'cursor:%';
