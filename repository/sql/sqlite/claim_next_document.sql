-- Claims the oldest received document for one worker, under a lease.
-- One statement, so two workers can never claim the same row.
UPDATE documents
SET state = 'extracting',
    lease_owner = ?1,
    lease_expires_at = ?2,
    attempts = attempts + 1,
    updated_at = ?3
WHERE id = (SELECT id FROM documents WHERE state = 'received' ORDER BY id LIMIT 1)
RETURNING id, client, sha256, original_name, size_bytes, attempts
