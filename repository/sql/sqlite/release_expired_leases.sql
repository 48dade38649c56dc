-- Documents whose worker stopped renewing its lease (killed, crashed, lost
-- its connection). Those with attempts left go back to 'received'; the
-- others fail. Returns what moved, so each move can be recorded.
UPDATE documents
SET state = CASE WHEN attempts < ?2 THEN 'received' ELSE 'failed' END,
    error_code = CASE WHEN attempts < ?2 THEN error_code ELSE 'too_many_attempts' END,
    error_message = CASE WHEN attempts < ?2 THEN error_message
                    ELSE 'processing stopped ' || attempts || ' times before finishing (worker killed or timed out); '
                         || 'the file may be too heavy to process: check it and upload it again if it is valid' END,
    lease_owner = NULL,
    lease_expires_at = NULL,
    updated_at = ?1
WHERE state IN ('extracting', 'validating') AND lease_expires_at < ?1
RETURNING id, state,
    (SELECT t.to_state FROM transitions t WHERE t.document_id = documents.id ORDER BY t.id DESC LIMIT 1) AS previous_state
