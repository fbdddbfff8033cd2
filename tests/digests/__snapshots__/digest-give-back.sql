UPDATE digests
       SET status = 'ready', lease_until = NULL, attempts = attempts - 1
     WHERE id = $1 AND claim_token = $2::uuid AND status = 'sending' AND handed_at IS NULL

-- parameters: ["00000000-0000-4000-8000-000000000001","00000000-0000-4000-8000-0000000000cc"]
