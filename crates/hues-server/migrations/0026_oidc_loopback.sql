-- Signing in through an identity provider as a native app does (RFC 8252): the provider sends
-- the browser back to the app's own loopback address, kept with the sign-in it belongs to.
ALTER TABLE oidc_logins ADD COLUMN redirect_uri TEXT NOT NULL DEFAULT '';
