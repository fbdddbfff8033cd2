UPDATE digests
     SET status = $2::digest_status, lease_until = NULL, subject = coalesce($3, subject), last_error = $4,
         sent_at = CASE WHEN $2::digest_status = 'sent' THEN now() ELSE sent_at END, smtp_response = $6,
         composed_message = NULL, composed_fingerprint = NULL, updated_at = now()
   WHERE id = $1 AND claim_token = $5::uuid AND status = 'sending'

-- parameters: ["00000000-0000-4000-8000-000000000001","sent","Your digest",null,"00000000-0000-4000-8000-0000000000cc",null]
