SELECT e.queue, COUNT(DISTINCT e.document_id) AS documents, COUNT(*) AS exceptions, MIN(e.created_at) AS oldest_created_at
FROM exceptions e JOIN documents d ON d.id = e.document_id
WHERE e.resolved_at IS NULL AND d.state = 'in_review' AND (?1 IS NULL OR d.client = ?1)
GROUP BY e.queue
