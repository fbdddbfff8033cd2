WITH finished AS (
      UPDATE digests
         SET status = 'skipped', lease_until = NULL, last_error = $1,
             composed_message = NULL, composed_fingerprint = NULL, updated_at = now()
       WHERE id = $2 AND claim_token = $3::uuid AND status = 'sending'
      RETURNING id
    ), dropped AS (
      DELETE FROM digest_items di USING finished f WHERE di.digest_id = f.id
    )
    SELECT id FROM finished

-- parameters: ["partner is unsubscribed","00000000-0000-4000-8000-000000000001","00000000-0000-4000-8000-0000000000cc"]
