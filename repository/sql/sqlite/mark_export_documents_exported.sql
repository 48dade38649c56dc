UPDATE documents SET state = 'exported', updated_at = ?2
WHERE export_id = ?1 AND state = 'approved'
RETURNING id
