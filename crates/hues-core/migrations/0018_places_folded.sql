-- Search ranks exactly (name matches, then address matches; each nearest first) and walks the
-- grid testing the folded words of each place, so the folded text moves into `places`, and the
-- FTS5 index becomes an external-content index over it (no second copy of the text).
ALTER TABLE places ADD COLUMN folded_name TEXT NOT NULL DEFAULT '';
ALTER TABLE places ADD COLUMN folded_address TEXT NOT NULL DEFAULT '';
UPDATE places SET (folded_name, folded_address) =
    (SELECT f.name, f.address FROM places_fts f WHERE f.rowid = places.rowid);
DROP TABLE places_fts;
CREATE VIRTUAL TABLE places_fts USING fts5(folded_name, folded_address,
    content = 'places', content_rowid = 'rowid',
    tokenize = 'unicode61 remove_diacritics 0', detail = 'column', columnsize = 0);
INSERT INTO places_fts (places_fts, rank) VALUES ('automerge', 16);
INSERT INTO places_fts (places_fts) VALUES ('rebuild');
-- Grid cells of 0.002° (about 220 m) instead of 0.01°: a walk reads little more than the circle
-- it needs in a dense city. floor() by hand (the math functions may not be compiled in).
UPDATE places SET
    cell_y = CAST(latitude * 500 AS INTEGER)
        - (latitude * 500 < CAST(latitude * 500 AS INTEGER)),
    cell_x = CAST(longitude * 500 AS INTEGER)
        - (longitude * 500 < CAST(longitude * 500 AS INTEGER));
-- The walk reads this index alone (grid order, everything it tests), instead of a table row per
-- place.
DROP INDEX places_cell;
CREATE INDEX places_walk ON places(cell_y, cell_x, category, latitude, longitude, folded_name,
    folded_address);
-- How many places hold each folded word, in their names (col 0) or address (col 1): search
-- asks the FTS5 index only for rare words and walks the grid for common ones.
CREATE TABLE place_words (
    col INTEGER NOT NULL,
    word TEXT NOT NULL,
    places INTEGER NOT NULL,
    PRIMARY KEY (col, word)
) WITHOUT ROWID;
CREATE VIRTUAL TABLE temp_place_vocab USING fts5vocab(places_fts, 'col');
INSERT INTO place_words (col, word, places)
    SELECT CASE col WHEN 'folded_name' THEN 0 ELSE 1 END, term, doc FROM temp_place_vocab;
DROP TABLE temp_place_vocab;
