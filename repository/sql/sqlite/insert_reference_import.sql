-- One import of a reference file; nothing when this client already imported these bytes.
INSERT INTO reference_imports (client, kind, file_name, sha256, records, imported_at)
VALUES (?1, ?2, ?3, ?4, ?5, ?6)
ON CONFLICT (client, kind, sha256) DO NOTHING
RETURNING id
