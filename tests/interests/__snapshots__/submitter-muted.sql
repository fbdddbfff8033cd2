select "ms"."partner_id" from "muted_submitters" as "ms" inner join "opportunities" as "o" on "o"."id" = $1 and "ms"."submitter_email" = lower(o.submitter_email) where "ms"."partner_id" = $2

-- parameters: ["00000000-0000-4000-8000-000000000001","00000000-0000-4000-8000-0000000000aa"]
