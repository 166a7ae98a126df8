-- System notifications already raised on this device, so that each is raised once
-- (`alert:<identifier>`, later `dossier:<code>:<state>`).
CREATE TABLE notified (
    key          TEXT PRIMARY KEY,
    notified_at  TEXT NOT NULL
) STRICT;
