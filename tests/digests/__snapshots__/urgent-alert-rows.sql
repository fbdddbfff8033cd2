WITH candidates AS (
      SELECT p.id AS partner_id, o.id AS opportunity_id,
             row_number() OVER (PARTITION BY p.id ORDER BY m.score DESC, o.published_at, o.id) AS n,
             (SELECT count(*) FROM digests a
               WHERE a.partner_id = p.id AND a.kind = 'alert' AND a.status <> 'skipped'
                 AND a.created_at > $1::timestamptz - interval '2 days'
                 AND (a.created_at AT TIME ZONE p.timezone)::date = ($2::timestamptz AT TIME ZONE p.timezone)::date) AS today
        FROM opportunities o
        JOIN matches m ON m.opportunity_id = o.id
        JOIN partners p ON p.id = m.partner_id
       WHERE ($3::uuid IS NULL OR o.id = $4::uuid)
         AND p.urgent_delivery = 'alert'
         AND m.score >= p.min_score
         AND o.urgent AND o.status = 'published' AND o.expires_at > now() AND o.matched_at IS NOT NULL
         AND p.status = 'active' AND p.digest_frequency <> 'paused'
         AND NOT EXISTS (SELECT 1 FROM suppressions s WHERE s.email = lower(p.email))
         AND NOT EXISTS (SELECT 1 FROM digest_items di WHERE di.partner_id = p.id AND di.opportunity_id = o.id)
         AND NOT EXISTS (SELECT 1 FROM not_relevant nr WHERE nr.partner_id = p.id AND nr.opportunity_id = o.id)
         AND NOT EXISTS (SELECT 1 FROM muted_submitters ms WHERE ms.partner_id = p.id AND ms.submitter_email = lower(o.submitter_email))
         AND NOT (extract(hour FROM ($5::timestamptz AT TIME ZONE p.timezone)) >= $6 OR extract(hour FROM ($7::timestamptz AT TIME ZONE p.timezone)) < $8)
         AND NOT EXISTS (SELECT 1 FROM digests d WHERE d.partner_id = p.id AND d.period = 'alert:' || o.id::text)
    ), created AS (
      INSERT INTO digests (partner_id, period, kind)
      SELECT partner_id, 'alert:' || opportunity_id::text, 'alert' FROM candidates WHERE today + n <= $9
      ON CONFLICT (partner_id, period) DO NOTHING
      RETURNING id, period
    )
    INSERT INTO digest_reach (digest_id, opportunity_id)
    SELECT id, substr(period, 7)::uuid FROM created
    RETURNING digest_id AS "digestId"

-- parameters: ["2026-12-07T09:00:00.000Z","2026-12-07T09:00:00.000Z","00000000-0000-4000-8000-0000000000bb","00000000-0000-4000-8000-0000000000bb","2026-12-07T09:00:00.000Z",20,"2026-12-07T09:00:00.000Z",8,3]
