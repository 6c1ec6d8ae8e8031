-- The port catalog: what the world says a port is for.
-- One row per line of a catalog file (IANA CSV, the built-in seeds, /etc/services).

CREATE TABLE catalog_source (
    name         TEXT PRIMARY KEY CHECK (name = 'iana' OR name = 'common' OR name = 'system'),
    origin       TEXT NOT NULL,                 -- file path, '-' for stdin, or 'built-in'
    row_count    INTEGER NOT NULL CHECK (row_count >= 0),
    release_date TEXT,                          -- latest Modification Date in the file
    imported_at  TEXT NOT NULL,                 -- RFC 3339 UTC
    sha256       TEXT CHECK (sha256 IS NULL OR length(sha256) = 64)
) STRICT;

CREATE TABLE catalog_entry (
    id                INTEGER PRIMARY KEY,      -- file order within a source
    source            TEXT NOT NULL REFERENCES catalog_source (name) ON DELETE CASCADE,
    service           TEXT CHECK (service IS NULL OR length(service) > 0),  -- NULL: Reserved/Unassigned
    port_low          INTEGER CHECK (port_low BETWEEN 0 AND 65535),         -- NULL: name-only registration
    port_high         INTEGER CHECK (port_high BETWEEN 0 AND 65535),
    protocol          TEXT CHECK (protocol = 'tcp' OR protocol = 'udp' OR protocol = 'sctp' OR protocol = 'dccp'), -- NULL: tcp and udp
    description       TEXT NOT NULL DEFAULT '',
    assignee          TEXT NOT NULL DEFAULT '',
    contact           TEXT NOT NULL DEFAULT '',
    registration_date TEXT NOT NULL DEFAULT '',
    modification_date TEXT NOT NULL DEFAULT '',
    reference         TEXT NOT NULL DEFAULT '',
    service_code      TEXT NOT NULL DEFAULT '',
    unauthorized_use  TEXT NOT NULL DEFAULT '',
    notes             TEXT NOT NULL DEFAULT '',
    aliases           TEXT NOT NULL DEFAULT '', -- space-separated other names (/etc/services)
    CHECK ((port_low IS NULL) = (port_high IS NULL)),
    CHECK (port_low <= port_high)
) STRICT;

CREATE INDEX catalog_entry_by_service ON catalog_entry (service COLLATE NOCASE);

-- Every other name a row answers to, indexed, so "lookup www" finds http without a scan.
CREATE TABLE catalog_alias (
    alias    TEXT NOT NULL COLLATE NOCASE CHECK (length(alias) > 0),
    entry_id INTEGER NOT NULL REFERENCES catalog_entry (id) ON DELETE CASCADE,
    PRIMARY KEY (alias, entry_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX catalog_alias_by_entry ON catalog_alias (entry_id);

-- "Which rows cover port 6005": single-port rows (most of them) through this index,
-- multi-port rows (x11 6000-6063, Unassigned stretches: 759 in IANA's file) through an
-- R*Tree, so a lookup is two tree walks and never a scan. Only ranges go in the R*Tree:
-- R*Tree inserts are costly (measured: 120 ms for all 14,499 IANA rows).
CREATE INDEX catalog_entry_by_port ON catalog_entry (port_low) WHERE port_low = port_high;

-- Rebuilt by the importer in the transaction of each import, in one statement: per-row
-- triggers would make every INSERT keep a statement journal (measured: 330 MB of temp-file
-- writes and 0.7 s for the IANA file). `portreg doctor` checks that it matches.
CREATE VIRTUAL TABLE catalog_span USING rtree_i32 (id, low, high);

-- Full-text search over names, aliases, descriptions and notes. External content: the
-- importer rebuilds it in the same transaction as each import.
CREATE VIRTUAL TABLE catalog_search USING fts5 (
    service, aliases, description, notes,
    content = 'catalog_entry', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);
