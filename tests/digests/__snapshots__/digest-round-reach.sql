WITH round AS (
      SELECT d.id AS digest_id, d.period, p.id AS partner_id, p.min_score,
             -- Matching's order among partners of equal score, as one number: fewer skills, then name, then id.
             row_number() OVER (ORDER BY (SELECT count(*) FROM partner_skills ps WHERE ps.partner_id = p.id), p.company, p.id) AS tiebreak
        FROM digests d
        JOIN partners p ON p.id = d.partner_id
       WHERE d.id = ANY($1::uuid[])
    ), given AS (
      -- Places already given in the same periods by earlier starts (other hours of the period).
      SELECT d.period, gr.opportunity_id, count(*) AS n
        FROM digest_reach gr
        JOIN digests d ON d.id = gr.digest_id
       WHERE d.period IN (SELECT DISTINCT period FROM round)
         AND NOT d.id = ANY($2::uuid[])
       GROUP BY d.period, gr.opportunity_id
    ), barred AS (
      -- Partners an earlier round held back for an opportunity that has an introduction since.
      SELECT DISTINCT h.opportunity_id, held.partner_id
        FROM digest_held_back h
        CROSS JOIN LATERAL unnest(h.partner_ids) AS held(partner_id)
       WHERE EXISTS (SELECT 1 FROM introductions n WHERE n.opportunity_id = h.opportunity_id)
    ), ranked AS (
      SELECT r.period, r.partner_id, m.opportunity_id, $3 - coalesce(g.n, 0) AS places,
             row_number() OVER (PARTITION BY r.period, m.opportunity_id ORDER BY NOT m.real, m.score DESC, r.tiebreak) AS rank
        FROM round r
        -- A real skill match: a required skill, not by designation alone.
        JOIN (SELECT partner_id, opportunity_id, score,
                     reasons @? '$.skills[*] ? (@.role == "required" && @.tier != "designation")' AS real
                FROM matches OFFSET 0) m ON m.partner_id = r.partner_id AND m.score >= r.min_score
        JOIN opportunities o ON o.id = m.opportunity_id AND o.status = 'published' AND o.expires_at > now()
        LEFT JOIN given g ON g.period = r.period AND g.opportunity_id = m.opportunity_id
       WHERE NOT EXISTS (SELECT 1 FROM barred b WHERE b.opportunity_id = m.opportunity_id AND b.partner_id = r.partner_id)
         AND NOT EXISTS (SELECT 1 FROM digest_items di
                          WHERE di.partner_id = r.partner_id AND di.opportunity_id = m.opportunity_id)
         AND NOT EXISTS (SELECT 1 FROM not_relevant nr
                          WHERE nr.partner_id = r.partner_id AND nr.opportunity_id = m.opportunity_id)
         AND NOT EXISTS (SELECT 1 FROM muted_submitters ms
                          WHERE ms.partner_id = r.partner_id AND ms.submitter_email = lower(o.submitter_email))
    ), chosen AS (
      SELECT period, opportunity_id,
             array_agg(partner_id) FILTER (WHERE rank <= places) AS given_to,
             array_agg(partner_id ORDER BY partner_id) FILTER (WHERE rank > places) AS held_back
        FROM ranked
       GROUP BY period, opportunity_id
    ), placed AS (
      INSERT INTO digest_reach (digest_id, opportunity_id)
      SELECT r.digest_id, c.opportunity_id
        FROM chosen c
        CROSS JOIN LATERAL unnest(c.given_to) AS u(partner_id)
        JOIN round r ON r.partner_id = u.partner_id AND r.period = c.period
      ON CONFLICT DO NOTHING
      RETURNING 1
    ), held AS (
      INSERT INTO digest_held_back (opportunity_id, period, partner_ids)
      SELECT opportunity_id, period, held_back FROM chosen WHERE held_back IS NOT NULL
      RETURNING cardinality(partner_ids) AS n
    )
    SELECT (SELECT count(*) FROM placed)::int AS places, (SELECT coalesce(sum(n), 0) FROM held)::int AS "heldBack"

-- parameters: [["00000000-0000-4000-8000-000000000001","00000000-0000-4000-8000-000000000002"],["00000000-0000-4000-8000-000000000001","00000000-0000-4000-8000-000000000002"],25]
