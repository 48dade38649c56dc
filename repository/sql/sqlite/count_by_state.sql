SELECT state, COUNT(*) AS documents, MIN(updated_at) AS oldest_updated_at
FROM documents
WHERE (?1 IS NULL OR client = ?1)
GROUP BY state
