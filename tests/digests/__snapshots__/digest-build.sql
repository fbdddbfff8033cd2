WITH claimed AS (
      SELECT d.id, d.partner_id
        FROM digests d
       WHERE d.id = ANY($1::uuid[]) AND d.status IN ('pending', 'building')
         FOR UPDATE SKIP LOCKED
    ), ranked AS (
      SELECT c.id AS digest_id, c.partner_id, m.opportunity_id, m.score,
             row_number() OVER (PARTITION BY c.id ORDER BY m.score DESC, o.published_at DESC, o.id) AS rank,
             least(p.max_items, $2) AS cap
        FROM claimed c
        JOIN partners p ON p.id = c.partner_id
        -- Only what the round chose this digest for (chooseRoundReach): fair exposure.
        JOIN digest_reach r ON r.digest_id = c.id AND NOT r.held_back
        JOIN matches m ON m.partner_id = c.partner_id AND m.opportunity_id = r.opportunity_id AND m.score >= p.min_score
        JOIN opportunities o ON o.id = m.opportunity_id AND o.status = 'published' AND o.expires_at > now()
       WHERE NOT EXISTS (SELECT 1 FROM digest_items di
                          WHERE di.partner_id = c.partner_id AND di.opportunity_id = m.opportunity_id)
         -- Matched before the partner said so: a mute or a "not relevant" holds from the next digest on.
         AND NOT EXISTS (SELECT 1 FROM not_relevant nr
                          WHERE nr.partner_id = c.partner_id AND nr.opportunity_id = m.opportunity_id)
         AND NOT EXISTS (SELECT 1 FROM muted_submitters ms
                          WHERE ms.partner_id = c.partner_id AND ms.submitter_email = lower(o.submitter_email))
    ), items AS (
      INSERT INTO digest_items (digest_id, partner_id, opportunity_id, position, score)
      SELECT digest_id, partner_id, opportunity_id, (rank - 1)::smallint, score FROM ranked WHERE rank <= cap
      ON CONFLICT DO NOTHING
      RETURNING digest_id
    ), counted AS (
      SELECT digest_id, count(*) AS n FROM items GROUP BY digest_id
    )
    UPDATE digests d
       SET status = CASE WHEN k.n IS NULL THEN 'skipped'::digest_status ELSE 'ready' END,
           lease_until = NULL,
           built_at = CASE WHEN k.n IS NULL THEN NULL ELSE now() END,
           last_error = CASE WHEN k.n IS NULL THEN 'nothing new to send' ELSE d.last_error END,
           updated_at = now()
      FROM claimed c
      LEFT JOIN counted k ON k.digest_id = c.id
     WHERE d.id = c.id
    RETURNING d.id, d.status

-- parameters: [["00000000-0000-4000-8000-000000000001","00000000-0000-4000-8000-000000000002"],12]
