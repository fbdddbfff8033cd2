SELECT di.digest_id AS "digestId", di.opportunity_id AS "opportunityId", di.score,
           (SELECT m.reasons FROM matches m
             WHERE m.opportunity_id = di.opportunity_id AND m.partner_id = di.partner_id) AS reasons
      FROM digest_items di
     WHERE di.digest_id = ANY($1::uuid[])
     ORDER BY di.digest_id, di.position

-- parameters: [["00000000-0000-4000-8000-000000000001","00000000-0000-4000-8000-000000000002"]]
