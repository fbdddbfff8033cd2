UPDATE digests d
       SET updated_at = now()
      FROM (SELECT id FROM digests
             WHERE (status IN ('pending', 'ready') AND updated_at < now() - make_interval(secs => $1))
                OR (status IN ('building', 'sending') AND lease_until < now())
             ORDER BY created_at
             LIMIT $2
               FOR UPDATE SKIP LOCKED) stale
     WHERE d.id = stale.id
    RETURNING d.id, d.partner_id AS "partnerId", d.period, d.status, d.lease_until AS "leaseUntil", d.attempts,
              d.message_id AS "messageId"

-- parameters: [600,5000]
