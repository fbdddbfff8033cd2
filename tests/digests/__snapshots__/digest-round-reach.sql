WITH round AS (
      SELECT d.id AS digest_id, d.period, p.id AS partner_id, p.min_score, p.company,
             (SELECT count(*) FROM partner_skills ps WHERE ps.partner_id = p.id) AS skill_count
        FROM digests d
        JOIN partners p ON p.id = d.partner_id
       WHERE d.id = ANY($1::uuid[])
    ), given AS (
      -- Places already given in the same periods by earlier starts (other hours of the period).
      SELECT d.period, gr.opportunity_id, count(*) AS n
        FROM digest_reach gr
        JOIN digests d ON d.id = gr.digest_id
       WHERE NOT gr.held_back
         AND d.period IN (SELECT DISTINCT period FROM round)
         AND NOT d.id = ANY($2::uuid[])
       GROUP BY d.period, gr.opportunity_id
    ), ranked AS (
      SELECT r.digest_id, r.period, m.opportunity_id,
             row_number() OVER (
               PARTITION BY r.period, m.opportunity_id
               ORDER BY NOT EXISTS (SELECT 1 FROM jsonb_array_elements(m.reasons -> 'skills') AS s
                                     WHERE s ->> 'role' = 'required' AND s ->> 'tier' <> 'designation'),
                        m.score DESC, r.skill_count, r.company, r.partner_id
             ) AS rank
        FROM round r
        JOIN matches m ON m.partner_id = r.partner_id AND m.score >= r.min_score
        JOIN opportunities o ON o.id = m.opportunity_id AND o.status = 'published' AND o.expires_at > now()
       WHERE NOT (EXISTS (SELECT 1 FROM introductions n WHERE n.opportunity_id = m.opportunity_id)
                  AND EXISTS (SELECT 1 FROM digest_reach held JOIN digests hd ON hd.id = held.digest_id
                               WHERE held.opportunity_id = m.opportunity_id AND held.held_back
                                 AND hd.partner_id = r.partner_id))
         AND NOT EXISTS (SELECT 1 FROM digest_items di
                          WHERE di.partner_id = r.partner_id AND di.opportunity_id = m.opportunity_id)
         AND NOT EXISTS (SELECT 1 FROM not_relevant nr
                          WHERE nr.partner_id = r.partner_id AND nr.opportunity_id = m.opportunity_id)
         AND NOT EXISTS (SELECT 1 FROM muted_submitters ms
                          WHERE ms.partner_id = r.partner_id AND ms.submitter_email = lower(o.submitter_email))
    )
    INSERT INTO digest_reach (digest_id, opportunity_id, held_back)
    SELECT k.digest_id, k.opportunity_id, k.rank > $3 - coalesce(g.n, 0)
      FROM ranked k
      LEFT JOIN given g ON g.period = k.period AND g.opportunity_id = k.opportunity_id
    ON CONFLICT DO NOTHING

-- parameters: [["00000000-0000-4000-8000-000000000001","00000000-0000-4000-8000-000000000002"],["00000000-0000-4000-8000-000000000001","00000000-0000-4000-8000-000000000002"],25]
