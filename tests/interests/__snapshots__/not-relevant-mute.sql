insert into "not_relevant" ("partner_id", "opportunity_id", "reason") values ($1, $2, $3) on conflict ("partner_id", "opportunity_id") do update set "reason" = $4 where not_relevant.reason IS DISTINCT FROM $5::not_relevant_reason

-- parameters: ["00000000-0000-4000-8000-0000000000aa","00000000-0000-4000-8000-000000000001","mute-submitter","mute-submitter","mute-submitter"]

insert into "muted_submitters" ("partner_id", "submitter_email") select cast($1 as uuid) as "partner_id", lower(submitter_email) as "submitter_email" from "opportunities" where "id" = $2 on conflict ("partner_id", "submitter_email") do nothing

-- parameters: ["00000000-0000-4000-8000-0000000000aa","00000000-0000-4000-8000-000000000001"]
