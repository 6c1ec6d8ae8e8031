-- The team's own claims on ports.

CREATE TABLE assignment (
    id         INTEGER PRIMARY KEY,
    service    TEXT NOT NULL COLLATE NOCASE CHECK (length(service) BETWEEN 1 AND 63),
    port_low   INTEGER NOT NULL CHECK (port_low BETWEEN 1 AND 65535),
    port_high  INTEGER NOT NULL CHECK (port_high BETWEEN 1 AND 65535),
    protocol   TEXT NOT NULL DEFAULT 'tcp' CHECK (protocol IN ('tcp', 'udp', 'sctp', 'dccp')),
    host       TEXT NOT NULL DEFAULT '*' CHECK (length(host) > 0),   -- '*': every host
    bind       TEXT NOT NULL DEFAULT '*' CHECK (length(bind) > 0),   -- '*': every address
    owner      TEXT NOT NULL DEFAULT '',
    note       TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL CHECK (created_at GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z'),
    expires_at TEXT CHECK (expires_at IS NULL OR expires_at GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z'),
    CHECK (port_low <= port_high),
    UNIQUE (service, port_low, port_high, protocol, host, bind)
) STRICT;

CREATE INDEX assignment_by_service ON assignment (service, host);
CREATE INDEX assignment_by_port ON assignment (port_low, protocol, host, service);

CREATE VIRTUAL TABLE assignment_span USING rtree_i32 (id, low, high);

CREATE TRIGGER assignment_span_insert AFTER INSERT ON assignment BEGIN
    INSERT INTO assignment_span (id, low, high) VALUES (new.id, new.port_low, new.port_high);
END;

CREATE TRIGGER assignment_span_delete AFTER DELETE ON assignment BEGIN
    DELETE FROM assignment_span WHERE id = old.id;
END;

CREATE TRIGGER assignment_span_update AFTER UPDATE OF port_low, port_high ON assignment BEGIN
    UPDATE assignment_span SET low = new.port_low, high = new.port_high WHERE id = new.id;
END;

CREATE VIRTUAL TABLE assignment_search USING fts5 (
    service, owner, note,
    content = 'assignment', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER assignment_search_insert AFTER INSERT ON assignment BEGIN
    INSERT INTO assignment_search (rowid, service, owner, note) VALUES (new.id, new.service, new.owner, new.note);
END;

CREATE TRIGGER assignment_search_delete AFTER DELETE ON assignment BEGIN
    INSERT INTO assignment_search (assignment_search, rowid, service, owner, note)
    VALUES ('delete', old.id, old.service, old.owner, old.note);
END;

CREATE TRIGGER assignment_search_update AFTER UPDATE OF service, owner, note ON assignment BEGIN
    INSERT INTO assignment_search (assignment_search, rowid, service, owner, note)
    VALUES ('delete', old.id, old.service, old.owner, old.note);
    INSERT INTO assignment_search (rowid, service, owner, note) VALUES (new.id, new.service, new.owner, new.note);
END;
