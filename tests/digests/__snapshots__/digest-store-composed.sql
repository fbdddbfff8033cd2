UPDATE digests d SET composed_message = c.composed, composed_fingerprint = c.fingerprint, subject = c.subject
         FROM (VALUES ($1::uuid, $2::bytea, $3, $4), ($5::uuid, $6::bytea, $7, $8)) AS c(id, composed, fingerprint, subject)
        WHERE d.id = c.id AND d.status = 'ready'

-- parameters: ["00000000-0000-4000-8000-000000000001",{"type":"Buffer","data":[11,201,183,82,168,224,229,226,229,74,202,79,169,4,0]},"f0","Your digest","00000000-0000-4000-8000-000000000002",{"type":"Buffer","data":[11,201,183,82,168,224,229,226,229,74,202,79,169,4,0]},"f1","Your digest"]
