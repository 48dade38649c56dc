-- Reference data imported per client for reconciliation (purchase orders,
-- goods receipts, bank statement entries) and the last reconciliation result
-- per invoice. Records are stored as JSON payloads of the reconcile crate's
-- types; an import of the same file twice is refused by its hash.

CREATE TABLE reference_imports (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    client      TEXT    NOT NULL,
    kind        TEXT    NOT NULL CHECK (kind IN ('purchase_orders', 'goods_receipts', 'bank_statement')),
    file_name   TEXT    NOT NULL,
    sha256      TEXT    NOT NULL,
    records     INTEGER NOT NULL,
    imported_at INTEGER NOT NULL,
    UNIQUE (client, kind, sha256)
);

CREATE TABLE reference_records (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    import_id   INTEGER NOT NULL REFERENCES reference_imports (id),
    client      TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    payload     TEXT    NOT NULL
);

CREATE INDEX reference_records_by_client ON reference_records (client, kind);
