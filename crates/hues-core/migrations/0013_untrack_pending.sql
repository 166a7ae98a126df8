-- Dossiers the citizen stopped tracking while the server could not be told yet.
CREATE TABLE untrack_pending (
    code  TEXT PRIMARY KEY
) STRICT;
