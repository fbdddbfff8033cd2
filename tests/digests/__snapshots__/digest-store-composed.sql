UPDATE digests d SET composed_message = c.composed, composed_fingerprint = c.fingerprint, subject = c.subject
         FROM (VALUES ($1::uuid, $2, $3, $4), ($5::uuid, $6, $7, $8)) AS c(id, composed, fingerprint, subject)
        WHERE d.id = c.id AND d.status = 'ready'

-- parameters: ["00000000-0000-4000-8000-000000000001","To: x\r\n\r\nbody","f0","Your digest","00000000-0000-4000-8000-000000000002","To: x\r\n\r\nbody","f1","Your digest"]
