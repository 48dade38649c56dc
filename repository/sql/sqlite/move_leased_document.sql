-- A worker's finishing write, guarded by its lease: matches nothing when the
-- lease was lost (expired and taken by another worker), so the late worker's
-- result is discarded instead of written twice.
UPDATE documents
SET state = ?4,
    kind = COALESCE(?5, kind),
    extraction = COALESCE(?6, extraction),
    rules_trace = COALESCE(?7, rules_trace),
    error_code = ?8,
    error_message = ?9,
    lease_owner = CASE WHEN ?10 THEN lease_owner ELSE NULL END,
    lease_expires_at = CASE WHEN ?10 THEN lease_expires_at ELSE NULL END,
    updated_at = ?11
WHERE id = ?1 AND lease_owner = ?2 AND state = ?3
