INSERT INTO reference_records (import_id, client, kind, payload) VALUES (?1, ?2, ?3, ?4)
