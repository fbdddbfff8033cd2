UPDATE digests
     SET handed_at = now(), lease_until = now() + make_interval(secs => $3::int), updated_at = now()
   WHERE id = $1 AND claim_token = $2::uuid AND status = 'sending' AND lease_until > now()

-- parameters: ["00000000-0000-4000-8000-000000000001","00000000-0000-4000-8000-0000000000cc",300]
