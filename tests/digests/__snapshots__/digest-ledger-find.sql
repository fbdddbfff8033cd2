SELECT d.id, d.partner_id AS "partnerId", d.period, d.status, d.lease_until AS "leaseUntil",
           d.attempts, d.message_id AS "messageId", d.send_at AS "sendAt"
      FROM unnest($1::text[], $2::digest_frequency[], $3::int[],
                  $4::int[], $5::text[]) AS g(timezone, frequency, day, hour, period)
      JOIN partners p
        ON p.timezone = g.timezone AND p.digest_frequency = g.frequency
       AND p.digest_day = g.day AND p.digest_hour = g.hour
      JOIN digests d ON d.partner_id = p.id AND d.period = g.period
     WHERE ($6::uuid IS NULL OR p.id = $7::uuid)
     ORDER BY d.created_at, d.id

-- parameters: [["Europe/Vienna"],["weekly"],[1],[8],["2026-W49"],"00000000-0000-4000-8000-0000000000aa","00000000-0000-4000-8000-0000000000aa"]
