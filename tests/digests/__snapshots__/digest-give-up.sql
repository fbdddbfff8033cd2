UPDATE digests
       SET status = 'failed', lease_until = NULL, last_error = $1,
           composed_message = NULL, composed_fingerprint = NULL, updated_at = now()
     WHERE id = $2 AND (status = 'ready' OR (status = 'sending' AND lease_until < now()))

-- parameters: ["send window ended","00000000-0000-4000-8000-000000000001"]
