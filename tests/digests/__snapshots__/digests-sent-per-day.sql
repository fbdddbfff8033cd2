select to_char(d.sent_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') as "day", count(*) as "n", count(*) FILTER (WHERE d.kind = 'alert') as "alerts" from "digest_items" as "di" inner join "digests" as "d" on "d"."id" = "di"."digest_id" where "di"."opportunity_id" = $1 and "d"."status" = $2 group by 1 order by 1

-- parameters: ["00000000-0000-4000-8000-000000000001","sent"]
