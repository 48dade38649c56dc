SELECT from_state, to_state, actor, at, note FROM transitions WHERE document_id = ?1 ORDER BY id
