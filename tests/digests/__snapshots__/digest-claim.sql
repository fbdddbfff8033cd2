UPDATE digests
       SET status = 'sending',
           lease_until = now() + make_interval(secs => $1),
           attempts = attempts + 1,
           message_id = '<digest.' || id || '@' || $2::text || '>',
           updated_at = now()
     WHERE id = ANY($3::uuid[])
       AND attempts < $4
       AND (status = 'ready' OR (status = 'sending' AND lease_until < now()))
    RETURNING id, partner_id AS "partnerId", period, status, lease_until AS "leaseUntil", attempts, message_id AS "messageId"

-- parameters: [300,"p2p.test",["00000000-0000-4000-8000-000000000001","00000000-0000-4000-8000-000000000002"],5]
