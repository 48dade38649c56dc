UPDATE documents SET export_id = NULL WHERE export_id = ?1 AND state = 'approved'
