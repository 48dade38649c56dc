-- A client's invoices read before this one (for duplicate checks: the earlier copy is the original).
SELECT id, state, extraction FROM documents
WHERE client = ?1 AND kind = 'invoice' AND extraction IS NOT NULL AND id < ?2
  AND state IN ('validating', 'approved', 'in_review', 'exported')
ORDER BY id
