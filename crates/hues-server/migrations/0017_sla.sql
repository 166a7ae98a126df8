-- The clock (issue 13): per category, working hours to acknowledge and working days to resolve.
-- A category without a row has the defaults of `hues_wire::sla::DEFAULT_TARGETS`.
CREATE TABLE sla_targets (
    category      TEXT PRIMARY KEY REFERENCES categories(code),
    ack_hours     INTEGER NOT NULL,
    resolve_days  INTEGER NOT NULL
) STRICT;
