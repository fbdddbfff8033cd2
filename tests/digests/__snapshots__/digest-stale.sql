UPDATE digests d
       SET updated_at = now()
      FROM (SELECT id FROM digests
             WHERE (status IN ('pending', 'ready') AND updated_at < now() - make_interval(secs => $1)
                    AND (status = 'pending' OR send_at IS NULL
                         OR send_at <= coalesce($2::timestamptz, now()) - make_interval(secs => $3)))
                OR (status IN ('building', 'sending') AND lease_until < now())
             ORDER BY created_at
             LIMIT $4
               FOR UPDATE SKIP LOCKED) stale
     WHERE d.id = stale.id
    RETURNING d.id, d.partner_id AS "partnerId", d.period, d.status, d.lease_until AS "leaseUntil", d.attempts,
              d.message_id AS "messageId"

-- parameters: [600,null,600,5000]
