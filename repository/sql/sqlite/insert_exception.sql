INSERT INTO exceptions (document_id, queue, rule, severity, fields, message, created_at)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
