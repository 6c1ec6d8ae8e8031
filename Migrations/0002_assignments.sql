-- The team's own claims on ports.

CREATE TABLE assignment (
    id         INTEGER PRIMARY KEY,
    service    TEXT NOT NULL COLLATE NOCASE CHECK (length(service) BETWEEN 1 AND 63),
    port_low   INTEGER NOT NULL CHECK (port_low BETWEEN 1 AND 65535),
    port_high  INTEGER NOT NULL CHECK (port_high BETWEEN 1 AND 65535),
    protocol   TEXT NOT NULL DEFAULT 'tcp' CHECK (protocol = 'tcp' OR protocol = 'udp' OR protocol = 'sctp' OR protocol = 'dccp'),
    host       TEXT NOT NULL DEFAULT '*' CHECK (length(host) > 0),   -- '*': every host
    bind       TEXT NOT NULL DEFAULT '*' CHECK (length(bind) > 0),   -- '*': every address
    owner      TEXT NOT NULL DEFAULT '',
    note       TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL CHECK (created_at GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z'),
    expires_at TEXT CHECK (expires_at IS NULL OR expires_at GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z'),
    CHECK (port_low <= port_high),
    -- One claim per socket and service. Ordered by port, this one index is also the export
    -- order and the overlap index for single ports, and a port-sorted registry CSV inserts
    -- into it sequentially. There is deliberately no index on service alone: by-name
    -- queries scan (10 ms at 100,000 assignments), while such an index would add 1.7 s to
    -- every million imported rows (random B-tree inserts; see docs/DECISIONS.md).
    UNIQUE (port_low, port_high, protocol, host, service, bind)
) STRICT;


-- Blocks (port_high > port_low) in an R*Tree for overlap queries ("who holds anything in
-- 9000-9009"); single ports are found through assignment_by_port. Kept in step by
-- AssignmentStore (single-row writes) and AssignmentImporter (one bulk statement), not by
-- triggers: a trigger makes every INSERT of a million-row import keep a statement journal.
-- `portreg doctor` checks that it matches the table.
CREATE VIRTUAL TABLE assignment_span USING rtree_i32 (id, low, high);
