-- Whether a category's reports are published (the server's publication rule), so the report
-- form can tell the citizen before they send.
ALTER TABLE categories ADD COLUMN public INTEGER NOT NULL DEFAULT 1;
