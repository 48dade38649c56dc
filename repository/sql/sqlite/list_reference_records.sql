SELECT payload FROM reference_records WHERE client = ?1 AND kind = ?2 ORDER BY id
