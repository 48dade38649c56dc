SELECT id, client, sha256, original_name, size_bytes, state, kind, attempts, error_code, error_message,
       extraction, rules_trace, export_id, received_at, updated_at
FROM documents
WHERE (?1 IS NULL OR client = ?1) AND (?2 IS NULL OR state = ?2)
ORDER BY id
LIMIT ?3
