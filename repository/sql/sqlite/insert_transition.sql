INSERT INTO transitions (document_id, from_state, to_state, actor, at, note) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
