-- Citizens' accounts (issue 15), second part: what an account holds beyond its devices, the
-- consents it gave, signing in through an identity provider, and the requests about its data.

-- A device signed out (by its owner, or revoked from the console): its token opens nothing. Its
-- reports stay the account's.
ALTER TABLE devices ADD COLUMN revoked_at TEXT;

-- Cases the contact centre filed for the account's number (hotline, walk-in), linked when the
-- citizen signs in with it: they show in the citizen's app like their own reports.
CREATE TABLE account_cases (
    report_id   TEXT PRIMARY KEY REFERENCES reports(id),
    account_id  TEXT NOT NULL REFERENCES accounts(id)
) STRICT;
CREATE INDEX account_cases_account ON account_cases(account_id);

-- "My places" of a signed-in device (an anonymous device keeps them to itself).
CREATE TABLE my_places (
    id          TEXT PRIMARY KEY,
    device_id   TEXT NOT NULL REFERENCES devices(id),
    name        TEXT NOT NULL,
    latitude    REAL NOT NULL,
    longitude   REAL NOT NULL,
    updated_at  TEXT NOT NULL
) STRICT;
CREATE INDEX my_places_device ON my_places(device_id);

-- Every answer a device recorded to a consent question (the newest per purpose holds).
CREATE TABLE consents (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    device_id    TEXT NOT NULL REFERENCES devices(id),
    purpose      TEXT NOT NULL,
    version      INTEGER NOT NULL,
    granted      INTEGER NOT NULL,
    decided_at   TEXT NOT NULL,
    recorded_at  TEXT NOT NULL
) STRICT;
CREATE INDEX consents_device ON consents(device_id, purpose, id);

-- An identity at an OpenID Connect provider (issuer, subject) and the account it signs in to.
CREATE TABLE account_identities (
    issuer      TEXT NOT NULL,
    subject     TEXT NOT NULL,
    account_id  TEXT NOT NULL REFERENCES accounts(id),
    linked_at   TEXT NOT NULL,
    PRIMARY KEY (issuer, subject)
) STRICT;

-- A sign-in through the provider under way: the PKCE verifier and nonce stay here, the
-- browser carries only `state`. Gone once used or ten minutes old.
CREATE TABLE oidc_logins (
    state       TEXT PRIMARY KEY,
    device_id   TEXT NOT NULL REFERENCES devices(id),
    verifier    TEXT NOT NULL,
    nonce       TEXT NOT NULL,
    created_at  INTEGER NOT NULL
) STRICT;

-- A deletion asked: the account is erased after `erase_after` unless cancelled first. Only its
-- id stays once done (the proof that it was done, and when), no personal field.
CREATE TABLE account_deletions (
    account_id   TEXT PRIMARY KEY,
    asked_at     TEXT NOT NULL,
    asked_by     TEXT,                  -- a staff id when asked at the contact centre
    erase_after  TEXT NOT NULL,
    erased_at    TEXT
) STRICT;
