UPDATE exports SET status = 'completed', sha256 = ?2, row_count = ?3, completed_at = ?4
WHERE id = ?1 AND status = 'pending'
