-- Citizens' accounts (issue 15): a phone number, the devices signed in to it, and the one-time
-- codes that prove the number (kept hashed with a salt of their own; one use, a few tries).
CREATE TABLE accounts (
    id          TEXT PRIMARY KEY,     -- UUIDv7
    phone       TEXT NOT NULL UNIQUE, -- E.164
    created_at  TEXT NOT NULL
) STRICT;

CREATE TABLE account_devices (
    device_id   TEXT PRIMARY KEY REFERENCES devices(id),
    account_id  TEXT NOT NULL REFERENCES accounts(id),
    linked_at   TEXT NOT NULL
) STRICT;
CREATE INDEX account_devices_account ON account_devices(account_id);

CREATE TABLE otp_codes (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    phone       TEXT NOT NULL,
    device_id   TEXT NOT NULL REFERENCES devices(id),
    salt        TEXT NOT NULL,
    code_hash   TEXT NOT NULL,        -- hex SHA-256 of salt + code
    created_at  INTEGER NOT NULL,     -- Unix seconds
    expires_at  INTEGER NOT NULL,
    tries       INTEGER NOT NULL DEFAULT 0,
    used        INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX otp_codes_phone ON otp_codes(phone, created_at);
CREATE INDEX otp_codes_device ON otp_codes(device_id, created_at);
