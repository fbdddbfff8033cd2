insert into "not_relevant" ("partner_id", "opportunity_id", "reason") values ($1, $2, $3) on conflict ("partner_id", "opportunity_id") do update set "reason" = $4 where not_relevant.reason IS DISTINCT FROM $5::not_relevant_reason

-- parameters: ["00000000-0000-4000-8000-0000000000aa","00000000-0000-4000-8000-000000000001","skills","skills","skills"]

DELETE FROM muted_submitters ms
     USING opportunities o
     WHERE o.id = $1
       AND ms.partner_id = $2
       AND ms.submitter_email = lower(o.submitter_email)
       AND NOT EXISTS (SELECT 1 FROM not_relevant nr
                         JOIN opportunities other ON other.id = nr.opportunity_id
                        WHERE nr.partner_id = ms.partner_id AND nr.reason = 'mute-submitter'
                          AND nr.opportunity_id <> o.id
                          AND lower(other.submitter_email) = ms.submitter_email)

-- parameters: ["00000000-0000-4000-8000-000000000001","00000000-0000-4000-8000-0000000000aa"]
