-- The procedure catalogue (for offline reading and search) and the dossiers the citizen tracks.
CREATE TABLE procedures (
    id      TEXT PRIMARY KEY,
    topic   TEXT NOT NULL,
    -- Folded (no diacritics, lower case) names and agency, for search.
    folded  TEXT NOT NULL,
    record  TEXT NOT NULL
) STRICT;

CREATE TABLE dossiers (
    code        TEXT PRIMARY KEY,
    record      TEXT NOT NULL,
    tracked_at  TEXT NOT NULL
) STRICT;
