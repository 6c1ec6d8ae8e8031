-- The team's own claims on ports, on a shared PostgreSQL server: the same invariants as
-- Migrations/0002_assignments.sql for SQLite. Every text column is COLLATE "C" (byte order,
-- as SQLite's BINARY) so that the server's locale cannot change an export's order; the
-- service name is compared as SQLite's NOCASE does, through lower(), which folds ASCII only
-- under "C".

CREATE TABLE assignment (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    service    text COLLATE "C" NOT NULL CHECK (length(service) BETWEEN 1 AND 63),
    port_low   integer NOT NULL CHECK (port_low BETWEEN 1 AND 65535),
    port_high  integer NOT NULL CHECK (port_high BETWEEN 1 AND 65535),
    protocol   text COLLATE "C" NOT NULL DEFAULT 'tcp' CHECK (protocol IN ('tcp', 'udp', 'sctp', 'dccp')),
    host       text COLLATE "C" NOT NULL DEFAULT '*' CHECK (length(host) > 0),   -- '*': every host
    bind       text COLLATE "C" NOT NULL DEFAULT '*' CHECK (length(bind) > 0),   -- '*': every address
    owner      text COLLATE "C" NOT NULL DEFAULT '',
    note       text COLLATE "C" NOT NULL DEFAULT '',
    created_at text COLLATE "C" NOT NULL
        CHECK (created_at ~ '^[0-9]{4}-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z$'),
    expires_at text COLLATE "C"
        CHECK (expires_at IS NULL OR expires_at ~ '^[0-9]{4}-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z$'),
    CHECK (port_low <= port_high)
);

-- One claim per socket and service (the service case-insensitively). Ordered by port, it
-- is also the export order (no sort) and the upsert key, as on SQLite.
CREATE UNIQUE INDEX assignment_claim ON assignment (port_low, port_high, protocol, host, lower(service), bind);

-- Blocks (port_high > port_low) in a GiST index on their range, for overlap queries ("who
-- holds anything in 9000-9009"); single ports are found through assignment_claim, as on
-- SQLite (its R*Tree holds blocks only). A GiST entry for every row made a 100,000-row
-- import 4x slower; see docs/DECISIONS.md ("PostgreSQL").
CREATE INDEX assignment_span ON assignment USING gist (int4range(port_low, port_high, '[]')) WHERE port_high > port_low;
