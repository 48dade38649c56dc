-- Documents, their state history, review exceptions and export batches.
-- Times are Unix milliseconds (UTC).

CREATE TABLE exports (
    id            TEXT PRIMARY KEY,
    client        TEXT,
    format        TEXT NOT NULL,
    path          TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('pending', 'completed', 'abandoned')),
    sha256        TEXT,
    row_count     INTEGER,
    created_at    INTEGER NOT NULL,
    completed_at  INTEGER
);

CREATE TABLE documents (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    client            TEXT    NOT NULL,
    sha256            TEXT    NOT NULL,
    original_name     TEXT    NOT NULL,
    size_bytes        INTEGER NOT NULL,
    state             TEXT    NOT NULL CHECK (state IN ('received', 'extracting', 'validating', 'approved',
                                                        'in_review', 'rejected', 'exported', 'failed')),
    kind              TEXT,
    attempts          INTEGER NOT NULL DEFAULT 0,
    lease_owner       TEXT,
    lease_expires_at  INTEGER,
    error_code        TEXT,
    error_message     TEXT,
    extraction        TEXT,
    rules_trace       TEXT,
    export_id         TEXT REFERENCES exports (id),
    received_at       INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    UNIQUE (client, sha256)
);

CREATE INDEX documents_by_state ON documents (state, id);
CREATE INDEX documents_by_lease ON documents (lease_expires_at) WHERE lease_expires_at IS NOT NULL;
CREATE INDEX documents_by_export ON documents (export_id) WHERE export_id IS NOT NULL;

CREATE TABLE transitions (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    document_id  INTEGER NOT NULL REFERENCES documents (id),
    from_state   TEXT,
    to_state     TEXT    NOT NULL,
    actor        TEXT    NOT NULL,
    at           INTEGER NOT NULL,
    note         TEXT
);

CREATE INDEX transitions_by_document ON transitions (document_id, id);

CREATE TABLE exceptions (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    document_id  INTEGER NOT NULL REFERENCES documents (id),
    queue        TEXT    NOT NULL CHECK (queue IN ('data_entry', 'billing', 'verification')),
    rule         TEXT    NOT NULL,
    severity     TEXT    NOT NULL,
    fields       TEXT    NOT NULL,
    message      TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    resolved_at  INTEGER,
    resolved_by  TEXT
);

CREATE INDEX exceptions_open_by_queue ON exceptions (queue, created_at) WHERE resolved_at IS NULL;
CREATE INDEX exceptions_by_document ON exceptions (document_id);
