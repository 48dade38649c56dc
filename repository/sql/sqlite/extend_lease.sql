-- Keeps a long job's lease alive; matches nothing if the lease was lost.
UPDATE documents
SET lease_expires_at = ?3, updated_at = ?4
WHERE id = ?1 AND lease_owner = ?2 AND state IN ('extracting', 'validating')
