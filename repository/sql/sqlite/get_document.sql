SELECT id, client, sha256, original_name, size_bytes, state, kind, attempts, error_code, error_message,
       extraction, rules_trace, export_id, received_at, updated_at
FROM documents WHERE id = ?1
