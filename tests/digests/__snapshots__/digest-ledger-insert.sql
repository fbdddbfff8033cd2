INSERT INTO digests (partner_id, period, send_at)
    SELECT p.id, g.period, g.send_at
      FROM unnest($1::text[], $2::digest_frequency[], $3::int[],
                  $4::int[], $5::text[], $6::timestamptz[])
           AS g(timezone, frequency, day, hour, period, send_at)
      JOIN partners p
        ON p.timezone = g.timezone AND p.digest_frequency = g.frequency
       AND p.digest_day = g.day AND p.digest_hour = g.hour
     WHERE p.status = 'active'
       AND ($7::uuid IS NULL OR p.id = $8::uuid)
       AND NOT EXISTS (SELECT 1 FROM suppressions s WHERE s.email = lower(p.email))
    ON CONFLICT (partner_id, period) DO NOTHING
    RETURNING id

-- parameters: [["Europe/Vienna"],["weekly"],[1],[8],["2026-W49"],[null],"00000000-0000-4000-8000-0000000000aa","00000000-0000-4000-8000-0000000000aa"]
