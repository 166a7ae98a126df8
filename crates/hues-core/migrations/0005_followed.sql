-- Reports this device follows ("me too") rather than made: shown, never rated or reopened here.
ALTER TABLE reports ADD COLUMN followed INTEGER NOT NULL DEFAULT 0;
