-- Warnings (CAP 1.2): the document as hues writes it back, and its state. Identifiers are the
-- alerts' own (unique per sender; hues refuses the same identifier from another sender).
CREATE TABLE alerts (
    identifier   TEXT PRIMARY KEY,
    sender       TEXT NOT NULL,
    sent         TEXT NOT NULL,
    msg_type     TEXT NOT NULL,
    xml          TEXT NOT NULL,
    state        TEXT NOT NULL DEFAULT 'active',
    received_at  TEXT NOT NULL
) STRICT;
CREATE INDEX alerts_received ON alerts(received_at);
