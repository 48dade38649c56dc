-- Reserves every approved, not yet exported document (of one client, or all)
-- for one export batch. A reserved document cannot be taken by another batch.
UPDATE documents
SET export_id = ?1
WHERE state = 'approved' AND export_id IS NULL AND (?2 IS NULL OR client = ?2)
RETURNING id, client, sha256, original_name, kind, extraction
