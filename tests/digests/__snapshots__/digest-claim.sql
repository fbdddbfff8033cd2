UPDATE digests
       SET status = 'sending',
           claim_token = $1::uuid,
           handed_at = NULL,
           lease_until = now() + make_interval(secs => $2),
           attempts = attempts + 1,
           message_id = '<digest.' || id || '@' || $3::text || '>',
           updated_at = now()
     WHERE id = ANY($4::uuid[])
       AND attempts - deferrals < $5
       AND coalesce(send_at, created_at) > now() - make_interval(secs => $6)
       AND (send_at IS NULL OR send_at <= coalesce($7::timestamptz, now()))
       AND (status = 'ready' OR (status = 'sending' AND lease_until < now()))
    RETURNING id, partner_id AS "partnerId", period, status, lease_until AS "leaseUntil", attempts, message_id AS "messageId",
              claim_token AS "claimToken", created_at AS "createdAt", send_at AS "sendAt",
              composed_fingerprint AS "composedFingerprint", composed_message AS "composedMessage"

-- parameters: ["00000000-0000-4000-8000-0000000000cc",300,"p2p.test",["00000000-0000-4000-8000-000000000001","00000000-0000-4000-8000-000000000002"],5,86400,null]
