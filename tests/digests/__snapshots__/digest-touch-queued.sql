UPDATE digests SET updated_at = now() WHERE id = ANY($1::uuid[]) AND status = 'ready'

-- parameters: [["00000000-0000-4000-8000-000000000001","00000000-0000-4000-8000-000000000002"]]
