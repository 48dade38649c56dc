-- Registers an uploaded file once per client and content hash.
-- Returns the new id, or nothing when the client already uploaded these bytes.
INSERT INTO documents (client, sha256, original_name, size_bytes, state, received_at, updated_at)
VALUES (?1, ?2, ?3, ?4, 'received', ?5, ?5)
ON CONFLICT (client, sha256) DO NOTHING
RETURNING id
