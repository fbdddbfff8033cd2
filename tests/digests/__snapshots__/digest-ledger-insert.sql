INSERT INTO digests (partner_id, period)
    SELECT p.id, g.period
      FROM unnest($1::text[], $2::digest_frequency[], $3::int[],
                  $4::int[], $5::text[]) AS g(timezone, frequency, day, hour, period)
      JOIN partners p
        ON p.timezone = g.timezone AND p.digest_frequency = g.frequency
       AND p.digest_day = g.day AND p.digest_hour = g.hour
     WHERE p.status = 'active'
       AND ($6::uuid IS NULL OR p.id = $7::uuid)
       AND NOT EXISTS (SELECT 1 FROM suppressions s WHERE s.email = lower(p.email))
    ON CONFLICT (partner_id, period) DO NOTHING
    RETURNING id

-- parameters: [["Europe/Vienna"],["weekly"],[1],[8],["2026-W49"],"00000000-0000-4000-8000-0000000000aa","00000000-0000-4000-8000-0000000000aa"]
