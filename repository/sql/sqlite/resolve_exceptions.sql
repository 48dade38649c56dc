UPDATE exceptions SET resolved_at = ?2, resolved_by = ?3 WHERE document_id = ?1 AND resolved_at IS NULL
