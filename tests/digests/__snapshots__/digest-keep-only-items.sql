WITH held AS (
      SELECT id FROM digests WHERE id = $1 AND claim_token = $2::uuid AND status = 'sending' FOR UPDATE
    ), kept AS (
      SELECT k.id, (k.n - 1)::smallint AS position FROM unnest($3::uuid[]) WITH ORDINALITY AS k(id, n)
    ), dropped AS (
      DELETE FROM digest_items di USING held h
       WHERE di.digest_id = h.id AND NOT di.opportunity_id = ANY($4::uuid[])
    ), renumbered AS (
      UPDATE digest_items di SET position = k.position
        FROM held h, kept k
       WHERE di.digest_id = h.id AND di.opportunity_id = k.id AND di.position <> k.position
    )
    SELECT id FROM held

-- parameters: ["00000000-0000-4000-8000-000000000001","00000000-0000-4000-8000-0000000000cc",["00000000-0000-4000-8000-0000000000bb"],["00000000-0000-4000-8000-0000000000bb"]]
