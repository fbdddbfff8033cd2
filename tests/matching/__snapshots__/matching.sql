WITH o AS (
      SELECT id, required_skill_ids, nice_skill_ids, regions, remote, submitter_partner_id,
             company_key(submitter_company) AS submitter_company_key, search_tsv,
             lower(submitter_email) AS submitter_email,
             (SELECT string_agg(quote_literal(lexeme), ' | ')
                FROM unnest(tsvector_to_array(search_tsv)) AS lexeme
               WHERE lexeme !~ '[\\]')::tsquery AS text_query
        FROM opportunities
       WHERE id = $1 AND status = 'published'
    ),
    -- The wanted skills, each with its specificity: a skill few active partners list says more
    -- than one half of them list (1 + ln((1 + most listed) / (1 + listed)), an IDF over the
    -- counts in skill_partner_counts). Required and nice-to-have skills are each averaged by it.
    wanted AS (
      SELECT s.*, 1 + ln((1 + coalesce(most.partners, 0))::float8 / (1 + coalesce(c.partners, 0))) AS weight
        FROM (
          SELECT s.id, s.label, s.designation_id, s.related_ids, 'required' AS role
            FROM skills s, o WHERE s.id = ANY (o.required_skill_ids)
          UNION ALL
          SELECT s.id, s.label, s.designation_id, s.related_ids, 'nice'
            FROM skills s, o WHERE s.id = ANY (o.nice_skill_ids) AND NOT s.id = ANY (o.required_skill_ids)
        ) s
        LEFT JOIN skill_partner_counts c ON c.skill_id = s.id
        CROSS JOIN (SELECT max(partners) AS partners FROM skill_partner_counts) most
    ),
    -- Every listed skill that relates to a wanted one, with its tier: 4 exact, 2 related, 1 the
    -- wanted skill's designation itself, 0 another skill of the same designation (3 is profile
    -- evidence, below). "Related" has a direction: a skill's related_ids are the work its holders
    -- can also do (a Business Central partner can do Finance work), not the reverse (a partner
    -- listing Finance may know only Finance & Operations, which a buyer of Business Central work
    -- would not accept).
    related AS MATERIALIZED (
      SELECT w.id AS wanted_id, w.label AS wanted_label, w.role, w.weight, s.id AS skill_id, s.label AS via,
             CASE
               WHEN s.id = w.id THEN 4
               WHEN w.id = ANY (s.related_ids) OR s.designation_id = w.id THEN 2
               WHEN s.id = w.designation_id THEN 1
               ELSE 0
             END AS tier
        FROM wanted w
        JOIN skills s
          ON s.id = w.id
          OR w.id = ANY (s.related_ids)
          OR s.designation_id = w.id OR s.id = w.designation_id
          OR (w.designation_id IS NOT NULL AND s.designation_id = w.designation_id)
    ),
    -- The hard filters first, so the scoring below only sees partners that can match: active, not
    -- suppressed, not the submitter, not muting the submitter ("don't show me this submitter
    -- again", by lower-cased address), in a wanted region (unless remote), and holding a required
    -- skill: listed exactly, through a related skill or by its designation, or named in the
    -- profile (partner_skills.skill_id and partner_profile_skills.skill_id are indexed).
    candidates AS MATERIALIZED (
      SELECT p.id, p.regions, p.profile_tsv
        FROM partners p
        CROSS JOIN o
       WHERE p.id IN (SELECT ps.partner_id FROM partner_skills ps
                       WHERE ps.skill_id IN (SELECT skill_id FROM related WHERE role = 'required' AND tier >= 1)
                      UNION
                      SELECT pps.partner_id FROM partner_profile_skills pps
                       WHERE pps.skill_id IN (SELECT id FROM wanted WHERE role = 'required'))
         AND ($2::uuid IS NULL OR p.id = $3::uuid)
         AND p.status = 'active'
         AND p.id IS DISTINCT FROM o.submitter_partner_id
         AND p.company_key IS DISTINCT FROM o.submitter_company_key
         AND ($4::text IS NULL
              OR NOT (split_part(lower(p.email), '@', 2) = $5::text
                      OR right(split_part(lower(p.email), '@', 2), length($6::text) + 1) = '.' || $7::text))
         AND (p.regions && o.regions OR (o.remote AND p.remote_ok))
         AND NOT EXISTS (SELECT 1 FROM suppressions x WHERE x.email = lower(p.email))
         AND NOT EXISTS (SELECT 1 FROM muted_submitters ms
                          WHERE ms.partner_id = p.id AND ms.submitter_email = o.submitter_email)
    ),
    -- Every skill each candidate lists or its profile names (the two never overlap), with how
    -- many that is (breadth), in one pass.
    held AS (
      SELECT h.partner_id, h.skill_id, h.source, count(*) OVER (PARTITION BY h.partner_id) AS skill_count
        FROM (
          SELECT ps.partner_id, ps.skill_id, 'listed' AS source
            FROM candidates c JOIN partner_skills ps ON ps.partner_id = c.id
          UNION ALL
          SELECT pps.partner_id, pps.skill_id, 'profile'
            FROM candidates c JOIN partner_profile_skills pps ON pps.partner_id = c.id
        ) h
    ),
    -- A listed skill counts exactly or through its links; profile evidence only for the wanted
    -- skill itself (tier 3), never through a link: prose is weaker evidence than a list. (One
    -- join of held, so it stays a pass over each candidate's rows, not a hash of every listing.)
    links AS (
      SELECT skill_id, 'listed' AS source, wanted_id, wanted_label, role, weight, via, tier FROM related
      UNION ALL
      SELECT id, 'profile', id, label, role, weight, NULL, 3 FROM wanted
    ),
    pairs AS (
      SELECT h.partner_id, h.skill_count, l.wanted_id, l.wanted_label, l.role, l.weight, l.via, l.tier
        FROM held h
        JOIN links l ON l.skill_id = h.skill_id AND l.source = h.source
    ),
    best AS (
      SELECT DISTINCT ON (partner_id, wanted_id) partner_id, skill_count, wanted_id, wanted_label, role, weight, via, tier
        FROM pairs
       ORDER BY partner_id, wanted_id, tier DESC, via
    ),
    per_partner AS (
      SELECT b.partner_id,
             coalesce(sum(b.weight * CASE b.tier WHEN 4 THEN $8::float8 WHEN 3 THEN $9::float8
                                 WHEN 2 THEN $10::float8 ELSE $11::float8 END) FILTER (WHERE b.role = 'required'), 0)
               / coalesce((SELECT nullif(sum(weight), 0) FROM wanted WHERE role = 'required'), 1) AS required_score,
             coalesce(sum(b.weight * CASE b.tier WHEN 4 THEN $12::float8 WHEN 3 THEN $13::float8
                                 WHEN 2 THEN $14::float8 ELSE $15::float8 END) FILTER (WHERE b.role = 'nice'), 0)
               / (SELECT nullif(sum(weight), 0) FROM wanted WHERE role = 'nice') AS nice_score,
             max(b.tier) FILTER (WHERE b.role = 'required') AS best_required_tier,
             max(b.skill_count) AS skill_count,
             jsonb_agg(jsonb_build_object(
               'skill', b.wanted_label, 'role', b.role,
               'tier', CASE b.tier WHEN 4 THEN 'exact' WHEN 3 THEN 'profile' WHEN 2 THEN 'related' ELSE 'designation' END,
               'via', CASE WHEN b.tier >= 3 THEN NULL ELSE b.via END
             ) ORDER BY b.role DESC, b.tier DESC, b.wanted_label) AS skills
        FROM best b
       GROUP BY b.partner_id
    ),
    eligible AS (
      SELECT c.id AS partner_id, pp.required_score, pp.nice_score, pp.skills, pp.skill_count, pp.best_required_tier,
             ARRAY(SELECT unnest(c.regions) INTERSECT SELECT unnest(o.regions) ORDER BY 1) AS shared_regions,
             o.remote,
             coalesce(ts_rank_cd(c.profile_tsv, o.text_query, 32), 0) AS text_relevance
        FROM per_partner pp
        JOIN candidates c ON c.id = pp.partner_id
        CROSS JOIN o
       WHERE pp.best_required_tier >= 2
          -- A designation alone is too little to go on for remote work from anywhere: only for
          -- work in a region the partner serves.
          OR (pp.best_required_tier = 1 AND c.regions && o.regions)
    ),
    raw AS (
      SELECT e.partner_id, best_required_tier, skills, shared_regions, remote, text_relevance,
             coalesce(pos.confirmed_count, 0) AS worked_with,
             least(1, CASE WHEN nice_score IS NULL
                   THEN required_score * $16::float8
                   ELSE required_score * $17::float8 + nice_score * $18::float8 END
               + text_relevance * $19::float8)
             * (1 - $20::float8
                    * least(1, greatest(0, skill_count - $21)::float8 / $22::float8))
             * CASE WHEN cardinality(shared_regions) = 0 THEN 1 - $23::float8 ELSE 1 END
             * (1 + least($24::float8, $25::float8 * coalesce(pos.confirmed_count, 0))) AS score
        FROM eligible e
        LEFT JOIN partner_outcome_stats pos ON pos.partner_id = e.partner_id
    ),
    scored AS (
      SELECT partner_id,
             CASE WHEN best_required_tier >= 2 THEN least(1, score) ELSE least(score, $26::float8) END AS score,
             jsonb_build_object('skills', skills, 'regions', to_jsonb(shared_regions),
                                'remote', remote, 'textRelevance', round(text_relevance::numeric, 3))
               || CASE WHEN worked_with > 0 THEN jsonb_build_object('workedWith', worked_with) ELSE '{}'::jsonb END AS reasons
        FROM raw
    )
    INSERT INTO matches (opportunity_id, partner_id, score, reasons)
    SELECT $27, partner_id, round(score::numeric, 4), reasons FROM scored
    ON CONFLICT (opportunity_id, partner_id) DO NOTHING

-- parameters: ["00000000-0000-4000-8000-000000000000",null,null,"submitter.example","submitter.example","submitter.example","submitter.example",1,0.75,0.6,0.3,1,0.75,0.6,0.3,0.9,0.8,0.1,0.1,0.25,6,14,0.05,0.09,0.03,0.2,"00000000-0000-4000-8000-000000000000"]
