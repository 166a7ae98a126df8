-- Citizens' accounts (issue 15). Every answer to a consent question, as asked (the newest per
-- purpose holds; `sent`: the server has it too).
CREATE TABLE consent_log (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    purpose     TEXT NOT NULL,
    version     INTEGER NOT NULL,
    granted     INTEGER NOT NULL,
    decided_at  TEXT NOT NULL,
    sent        INTEGER NOT NULL DEFAULT 0
) STRICT;

-- "My places" go to the server once the device is signed in to an account.
ALTER TABLE my_places ADD COLUMN synced INTEGER NOT NULL DEFAULT 0;
CREATE TABLE my_place_removals (
    id  TEXT PRIMARY KEY
) STRICT;
