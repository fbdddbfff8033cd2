WITH draft AS MATERIALIZED (
      SELECT $1::uuid AS submitter_partner_id,
             company_key($2::text) AS submitter_company_key, search_tsv,
             lower($3::text) AS submitter_email
        FROM (SELECT to_tsvector('english', $4::text || ' ' || $5::text) AS search_tsv) t
    )
    SELECT v.key, n.matched
      FROM (VALUES ($6::text, $7::int[], $8::int[], $9::text[], $10::boolean)) AS v (key, required_skill_ids, nice_skill_ids, regions, remote)
     CROSS JOIN LATERAL (
      WITH o AS (
        SELECT NULL::uuid AS id, v.required_skill_ids, v.nice_skill_ids, v.regions, v.remote, d.submitter_partner_id,
               d.submitter_company_key, d.search_tsv, d.submitter_email
          FROM draft d
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
    -- Per wanted skill, the listed skills linking to it by tier (from related): 2 related, 1 the
    -- wanted skill's designation, 0 another skill of that designation, each list in label order
    -- with its labels beside it (a reason names the first one the partner lists). Tier 4 is the
    -- wanted skill itself, tier 3 the wanted skill named in the profile. In id order: every
    -- partner's sums below add the same terms in the same order.
    tiers AS MATERIALIZED (
      SELECT w.id, w.label, w.role, w.weight,
             coalesce(array_agg(r.skill_id ORDER BY r.via) FILTER (WHERE r.tier = 2), '{}') AS related_ids,
             coalesce(array_agg(r.via ORDER BY r.via) FILTER (WHERE r.tier = 2), '{}') AS related_labels,
             coalesce(array_agg(r.skill_id ORDER BY r.via) FILTER (WHERE r.tier = 1), '{}') AS designation_ids,
             coalesce(array_agg(r.via ORDER BY r.via) FILTER (WHERE r.tier = 1), '{}') AS designation_labels,
             coalesce(array_agg(r.skill_id ORDER BY r.via) FILTER (WHERE r.tier = 0), '{}') AS sibling_ids,
             coalesce(array_agg(r.via ORDER BY r.via) FILTER (WHERE r.tier = 0), '{}') AS sibling_labels
        FROM wanted w
        LEFT JOIN related r ON r.wanted_id = w.id
       GROUP BY w.id, w.label, w.role, w.weight
       ORDER BY w.id
    ),
    -- The hard filters first, so the scoring below only sees partners that can match: active, not
    -- suppressed, not the submitter, not muting the submitter ("don't show me this submitter
    -- again", by lower-cased address), in a wanted region (unless remote), and holding a required
    -- skill: listed exactly, through a related skill or by its designation, or named in the
    -- profile. Found through the GIN indexes on partners.skill_ids and partners.profile_skill_ids
    -- (partner_skills and partner_profile_skills as arrays on the partner row, kept by triggers):
    -- one bitmap scan of partners, and each candidate's skills come with its row.
    candidates AS (
      SELECT p.id, p.regions, p.skill_ids, p.profile_skill_ids, p.profile_tsv
        FROM partners p
        CROSS JOIN o
       WHERE (p.skill_ids && (SELECT array_agg(skill_id) FROM related WHERE role = 'required' AND tier >= 1)
              OR p.profile_skill_ids && (SELECT array_agg(id) FROM wanted WHERE role = 'required'))
         AND ($11::uuid IS NULL OR p.id = $12::uuid)
         AND p.status = 'active'
         AND p.id IS DISTINCT FROM o.submitter_partner_id
         AND p.company_key IS DISTINCT FROM o.submitter_company_key
         AND ($13::text IS NULL
              OR NOT (split_part(lower(p.email), '@', 2) = $14::text
                      OR right(split_part(lower(p.email), '@', 2), length($15::text) + 1) = '.' || $16::text))
         AND (p.regions && o.regions OR (o.remote AND p.remote_ok))
         AND NOT EXISTS (SELECT 1 FROM suppressions x WHERE x.email = lower(p.email))
         AND NOT EXISTS (SELECT 1 FROM muted_submitters ms
                          WHERE ms.partner_id = p.id AND ms.submitter_email = o.submitter_email)
    ),
    -- Per candidate and wanted skill, the best tier it holds (4 listed, 3 named in its profile, 2
    -- a related skill listed, 1 the designation, 0 another skill of the designation; profile
    -- evidence counts only for the wanted skill itself, never through a link: prose is weaker
    -- evidence than a list), summed into the required and nice-to-have scores, each averaged by
    -- specificity. Array tests on the candidate's own row: no join, no sort.
    per_partner AS (
      SELECT c.id AS partner_id, c.regions, c.skill_ids, c.profile_skill_ids, c.profile_tsv, s.required_score, s.nice_score, s.best_required_tier
        FROM candidates c
        CROSS JOIN LATERAL (
          SELECT coalesce(sum(b.weight * CASE b.tier WHEN 4 THEN $17::float8 WHEN 3 THEN $18::float8
                                  WHEN 2 THEN $19::float8 ELSE $20::float8 END) FILTER (WHERE b.role = 'required'), 0)
                   / coalesce((SELECT nullif(sum(weight), 0) FROM wanted WHERE role = 'required'), 1) AS required_score,
                 coalesce(sum(b.weight * CASE b.tier WHEN 4 THEN $21::float8 WHEN 3 THEN $22::float8
                                  WHEN 2 THEN $23::float8 ELSE $24::float8 END) FILTER (WHERE b.role = 'nice'), 0)
                   / (SELECT nullif(sum(weight), 0) FROM wanted WHERE role = 'nice') AS nice_score,
                 max(b.tier) FILTER (WHERE b.role = 'required') AS best_required_tier
            FROM (SELECT t.role, t.weight, CASE WHEN t.id = ANY (c.skill_ids) THEN 4
                  WHEN t.id = ANY (c.profile_skill_ids) THEN 3
                  WHEN c.skill_ids && t.related_ids THEN 2
                  WHEN c.skill_ids && t.designation_ids THEN 1
                  WHEN c.skill_ids && t.sibling_ids THEN 0
             END AS tier FROM tiers t) b
           WHERE b.tier IS NOT NULL
        ) s
    ),
    -- The partners kept (the eligibility filter), with what their score needs.
    kept AS MATERIALIZED (
      SELECT pp.partner_id, pp.regions, pp.skill_ids, pp.profile_skill_ids, pp.profile_tsv,
             pp.required_score, pp.nice_score, pp.best_required_tier
        FROM per_partner pp
        CROSS JOIN o
       WHERE pp.best_required_tier >= 2
          -- A designation alone is too little to go on for remote work from anywhere: only for
          -- work in a region the partner serves.
          OR (pp.best_required_tier = 1 AND pp.regions && o.regions)
    ),
    -- Text relevance ranks each kept partner's profile against the opportunity's lexemes as one
    -- OR query (ts_rank_cd, cover density; backslashes left out: they would break the tsquery
    -- syntax). Its cost grows with the query's size for every
    -- partner, and for an OR query the rank depends only on the query's words the profile holds:
    -- so the query keeps only the lexemes some kept partner's profile holds, and ranks exactly as
    -- the whole one would (tests/matching/text-relevance.test.ts compares the two).
    text_query AS (
      SELECT (SELECT string_agg(quote_literal(lexeme), ' | ')
                FROM unnest(tsvector_to_array(o.search_tsv)) AS lexeme
               WHERE lexeme !~ '[\\]'
                 AND lexeme IN (SELECT unnest(tsvector_to_array(k.profile_tsv)) FROM kept k))::tsquery AS query
        FROM o
    ),
    -- Breadth counts every skill listed and every one only the profile names (the two never
    -- overlap). OFFSET 0 keeps this a subquery of its own, so each value is computed once per kept
    -- partner, not once per use below (the text relevance is most of a match's cost), and a count
    -- (the reach preview) computes none of them.
    eligible AS (
      SELECT k.partner_id, k.required_score, k.nice_score, k.best_required_tier, k.skill_ids, k.profile_skill_ids,
             cardinality(k.skill_ids) + cardinality(k.profile_skill_ids) AS skill_count,
             ARRAY(SELECT unnest(k.regions) INTERSECT SELECT unnest(o.regions) ORDER BY 1) AS shared_regions,
             o.remote,
             coalesce(ts_rank_cd(k.profile_tsv, (SELECT query FROM text_query), 32), 0) AS text_relevance
        FROM kept k
        CROSS JOIN o
      OFFSET 0
    ),
    raw AS (
      SELECT e.partner_id, e.best_required_tier, e.skill_ids, e.profile_skill_ids, e.shared_regions, e.remote, e.text_relevance,
             coalesce(pos.confirmed_count, 0) AS worked_with,
             least(1, CASE WHEN nice_score IS NULL
                   THEN required_score * $25::float8
                   ELSE required_score * $26::float8 + nice_score * $27::float8 END
               + text_relevance * $28::float8)
             * (1 - $29::float8
                    * least(1, greatest(0, skill_count - $30)::float8 / $31::float8))
             * CASE WHEN cardinality(shared_regions) = 0 THEN 1 - $32::float8 ELSE 1 END
             * (1 + least($33::float8, $34::float8 * coalesce(pos.confirmed_count, 0))) AS score
        FROM eligible e
        LEFT JOIN partner_outcome_stats pos ON pos.partner_id = e.partner_id
    ),
    -- The reasons, for the partners kept only: each wanted skill the partner holds, best tier
    -- first, with the first listed skill (by label) that links it for tiers below the profile's.
    scored AS (
      SELECT r.partner_id,
             CASE WHEN r.best_required_tier >= 2 THEN least(1, r.score) ELSE least(r.score, $35::float8) END AS score,
             jsonb_build_object(
               'skills', (
                 SELECT jsonb_agg(jsonb_build_object(
                          'skill', b.label, 'role', b.role,
                          'tier', CASE b.tier WHEN 4 THEN 'exact' WHEN 3 THEN 'profile' WHEN 2 THEN 'related' ELSE 'designation' END,
                          'via', CASE b.tier
                                   WHEN 2 THEN (SELECT u.label FROM unnest(b.related_ids, b.related_labels) WITH ORDINALITY AS u (id, label, n)
                WHERE u.id = ANY (r.skill_ids) ORDER BY u.n LIMIT 1)
                                   WHEN 1 THEN (SELECT u.label FROM unnest(b.designation_ids, b.designation_labels) WITH ORDINALITY AS u (id, label, n)
                WHERE u.id = ANY (r.skill_ids) ORDER BY u.n LIMIT 1)
                                   WHEN 0 THEN (SELECT u.label FROM unnest(b.sibling_ids, b.sibling_labels) WITH ORDINALITY AS u (id, label, n)
                WHERE u.id = ANY (r.skill_ids) ORDER BY u.n LIMIT 1)
                                 END
                        ) ORDER BY b.role DESC, b.tier DESC, b.label)
                   FROM (SELECT t.*, CASE WHEN t.id = ANY (r.skill_ids) THEN 4
                  WHEN t.id = ANY (r.profile_skill_ids) THEN 3
                  WHEN r.skill_ids && t.related_ids THEN 2
                  WHEN r.skill_ids && t.designation_ids THEN 1
                  WHEN r.skill_ids && t.sibling_ids THEN 0
             END AS tier FROM tiers t) b
                  WHERE b.tier IS NOT NULL),
               'regions', to_jsonb(r.shared_regions),
               'remote', r.remote, 'textRelevance', round(r.text_relevance::numeric, 3))
               || CASE WHEN r.worked_with > 0 THEN jsonb_build_object('workedWith', r.worked_with) ELSE '{}'::jsonb END AS reasons
        FROM raw r
    )
      SELECT count(*) AS matched FROM scored
    ) n

-- parameters: [null,"Alpenwolke GmbH","max@alpenwolke.example","T","D","as-is",[1,2],[],["dach"],false,null,null,"alpenwolke.example","alpenwolke.example","alpenwolke.example","alpenwolke.example",1,0.75,0.6,0.3,1,0.75,0.6,0.3,0.9,0.8,0.1,0.1,0.25,6,14,0.05,0.09,0.03,0.2]
