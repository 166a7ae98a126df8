-- Zalo and Facebook Messenger as channels (issue 14): who wrote (kept apart, confidential),
-- conversations, each message taken once, and what goes back through the platform.

-- A citizen on a platform. Staff see the pseudonym (`id`'s first characters), never the
-- platform's user id, which only the sender reads to address replies.
CREATE TABLE channel_identities (
    id             TEXT PRIMARY KEY,   -- UUIDv7
    channel        TEXT NOT NULL,      -- zalo | messenger
    platform_user  TEXT NOT NULL,
    UNIQUE (channel, platform_user)
) STRICT;

CREATE TABLE conversations (
    id            TEXT PRIMARY KEY,   -- UUIDv7
    identity_id   TEXT NOT NULL REFERENCES channel_identities(id),
    channel       TEXT NOT NULL,
    report_id     TEXT REFERENCES reports(id),
    started_at    TEXT NOT NULL,
    last_inbound  TEXT NOT NULL,      -- the citizen's latest message (the platform's time)
    -- The last report event already sent back on the channel (later public replies follow).
    delivered_event  INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX conversations_report ON conversations(report_id);
CREATE INDEX conversations_identity ON conversations(identity_id);

-- Each message once: a platform's retries and duplicates carry the same message id.
CREATE TABLE channel_messages (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id  TEXT NOT NULL REFERENCES conversations(id),
    channel          TEXT NOT NULL,
    platform_id      TEXT NOT NULL,
    direction        TEXT NOT NULL,    -- in | out
    kind             TEXT NOT NULL,    -- text | photo | location
    text             TEXT,
    url              TEXT,
    latitude         REAL,
    longitude        REAL,
    sent_at          TEXT NOT NULL,    -- the platform's time (messages can arrive out of order)
    received_at      TEXT NOT NULL,
    UNIQUE (channel, platform_id)
) STRICT;
CREATE INDEX channel_messages_conversation ON channel_messages(conversation_id, sent_at);

-- What goes back: an agent's reply or a case's later public reply, sent or why not.
CREATE TABLE channel_outbox (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id  TEXT NOT NULL REFERENCES conversations(id),
    text             TEXT NOT NULL,
    state            TEXT NOT NULL,    -- pending | sent | outside_window | failed
    staff_id         TEXT,
    created_at       TEXT NOT NULL,
    sent_at          TEXT,
    error            TEXT
) STRICT;
CREATE INDEX channel_outbox_state ON channel_outbox(state, id);
