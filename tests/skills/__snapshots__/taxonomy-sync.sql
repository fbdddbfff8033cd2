SELECT pg_advisory_xact_lock(hashtext('p2p-digest:sync-taxonomy'))

-- parameters: []

insert into "skills" ("slug", "label", "kind", "synonyms", "retired_at") values ($1, $2, $3, $4, $5) on conflict ("slug") do update set "slug" = $6, "label" = $7, "kind" = $8, "synonyms" = $9, "retired_at" = $10, "updated_at" = now()

-- parameters: ["intune","Microsoft Intune","practice",["Endpoint Manager"],null,"intune","Microsoft Intune","practice",["Endpoint Manager"],null]

select "id", "slug" from "skills"

-- parameters: []

update "skills" set "designation_id" = $1, "related_ids" = $2 where "slug" = $3

-- parameters: [null,[],"intune"]

update "skills" set "retired_at" = now() where "slug" not in ($1) and "retired_at" is null

-- parameters: ["intune"]
