SELECT id, queue, rule, severity, fields, message, created_at, resolved_at, resolved_by
FROM exceptions WHERE document_id = ?1 ORDER BY id
