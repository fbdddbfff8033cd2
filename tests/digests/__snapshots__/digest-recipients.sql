SELECT p.id, p.email, p.company, p.contact_name AS "contactName", p.status,
           ARRAY(SELECT skill_id FROM partner_skills ps WHERE ps.partner_id = p.id) AS "skillIds",
           EXISTS (SELECT 1 FROM suppressions s WHERE s.email = lower(p.email)) AS suppressed,
           p.digest_frequency = 'paused' AS paused
      FROM partners p
     WHERE p.id = ANY($1::uuid[])

-- parameters: [["00000000-0000-4000-8000-0000000000aa"]]
