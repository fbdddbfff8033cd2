UPDATE digests
       SET status = 'ready', lease_until = NULL, handed_at = NULL, deferrals = deferrals + 1, last_error = $1,
           updated_at = now()
     WHERE id = $2 AND claim_token = $3::uuid AND status = 'sending'

-- parameters: ["451 try again later","00000000-0000-4000-8000-000000000001","00000000-0000-4000-8000-0000000000cc"]
