WITH candidates AS (
      SELECT p.id AS partner_id, o.id AS opportunity_id,
             'daily:' || to_char(($1::timestamptz AT TIME ZONE p.timezone)::date, 'YYYY-MM-DD') AS period
        FROM partners p
        JOIN matches m ON m.partner_id = p.id
        JOIN opportunities o ON o.id = m.opportunity_id
       WHERE p.urgent_delivery IN ('alert', 'daily')
         AND extract(hour FROM ($2::timestamptz AT TIME ZONE p.timezone)) >= p.digest_hour
         AND extract(hour FROM ($3::timestamptz AT TIME ZONE p.timezone)) < p.digest_hour + $4
         AND m.score >= p.min_score
         AND o.urgent AND o.status = 'published' AND o.expires_at > now() AND o.matched_at IS NOT NULL
         AND p.status = 'active' AND p.digest_frequency <> 'paused'
         AND NOT EXISTS (SELECT 1 FROM suppressions s WHERE s.email = lower(p.email))
         AND NOT EXISTS (SELECT 1 FROM digest_items di WHERE di.partner_id = p.id AND di.opportunity_id = o.id)
         AND NOT EXISTS (SELECT 1 FROM not_relevant nr WHERE nr.partner_id = p.id AND nr.opportunity_id = o.id)
         AND NOT EXISTS (SELECT 1 FROM muted_submitters ms WHERE ms.partner_id = p.id AND ms.submitter_email = lower(o.submitter_email))
    ), fresh AS (
      SELECT c.* FROM candidates c
       WHERE NOT EXISTS (SELECT 1 FROM digests d WHERE d.partner_id = c.partner_id AND d.period = c.period)
    ), created AS (
      INSERT INTO digests (partner_id, period, kind)
      SELECT DISTINCT partner_id, period, 'daily'::digest_kind FROM fresh
      ON CONFLICT (partner_id, period) DO NOTHING
      RETURNING id, partner_id, period
    )
    INSERT INTO digest_reach (digest_id, opportunity_id)
    SELECT r.id, f.opportunity_id FROM created r JOIN fresh f ON f.partner_id = r.partner_id AND f.period = r.period
    RETURNING digest_id AS "digestId"

-- parameters: ["2026-12-07T09:00:00.000Z","2026-12-07T09:00:00.000Z","2026-12-07T09:00:00.000Z",3]
