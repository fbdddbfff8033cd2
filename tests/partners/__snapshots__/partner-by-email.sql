select "p"."id", "p"."company", "p"."contact_name", "p"."email", "p"."website", "p"."country", "p"."regions", "p"."remote_ok", "p"."timezone", "p"."profile", "p"."status", "p"."source", "p"."created_at", "p"."verified_at", ARRAY(SELECT skill_id FROM partner_skills ps WHERE ps.partner_id = p.id ORDER BY skill_id) as "skill_ids", (extract(epoch from p.created_at) * 1000000)::bigint::text as "created_at_micros" from "partners" as "p" where lower(p.email) = $1

-- parameters: ["someone@partners.example"]
