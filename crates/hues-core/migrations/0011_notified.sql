-- System notifications already raised on this device, so that each is raised once
-- (`alert:<identifier>`; `dossier:<code>:<steps>:<apology time>`, see `notices.rs`).
CREATE TABLE notified (
    key          TEXT PRIMARY KEY,
    notified_at  TEXT NOT NULL
) STRICT;
