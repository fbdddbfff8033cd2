WITH finished AS (
    UPDATE digests
       SET status = 'sent', lease_until = NULL, subject = coalesce($3, subject), last_error = NULL,
           sent_at = now(), smtp_response = $4, composed_message = NULL, composed_fingerprint = NULL, updated_at = now()
     WHERE id = $1 AND claim_token = $2::uuid AND status = 'sending'
    RETURNING id
  ), handed AS (
    UPDATE digests
       SET handed_at = now(), lease_until = now() + make_interval(secs => $7::int), updated_at = now()
     WHERE id = $5 AND claim_token = $6::uuid AND status = 'sending' AND lease_until > now()
    RETURNING id
  )
  SELECT (SELECT count(*)::int FROM finished) AS finished, (SELECT count(*)::int FROM handed) AS handed

-- parameters: ["00000000-0000-4000-8000-000000000001","00000000-0000-4000-8000-0000000000cc","Your digest","250 OK","00000000-0000-4000-8000-000000000002","00000000-0000-4000-8000-0000000000cc",300]
