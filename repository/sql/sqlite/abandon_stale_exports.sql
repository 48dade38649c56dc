-- An export that reserved documents but never completed (the process died
-- between writing the file and recording it) gives its documents back.
UPDATE exports SET status = 'abandoned' WHERE status = 'pending' AND created_at < ?1
RETURNING id, path
