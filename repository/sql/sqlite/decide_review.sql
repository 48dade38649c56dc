-- A reviewer's decision on a document in review.
UPDATE documents SET state = ?2, updated_at = ?3 WHERE id = ?1 AND state = 'in_review'
