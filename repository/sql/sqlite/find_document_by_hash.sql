SELECT id FROM documents WHERE client = ?1 AND sha256 = ?2
