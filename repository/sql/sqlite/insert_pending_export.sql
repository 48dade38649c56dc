INSERT INTO exports (id, client, format, path, status, created_at) VALUES (?1, ?2, ?3, ?4, 'pending', ?5)
