UPDATE digests d
       SET lease_until = now() + make_interval(secs => $1)
      FROM unnest($2::uuid[], $3::uuid[]) AS h(id, token)
     WHERE d.id = h.id AND d.claim_token = h.token AND d.status = 'sending'
    RETURNING d.id

-- parameters: [300,["00000000-0000-4000-8000-000000000001"],["00000000-0000-4000-8000-0000000000cc"]]
