// Frozen in time: migrations never import application code.
import { sql, type Kysely } from 'kysely';

// Fair exposure at 100,000 partners (issue 14). A round start wrote a digest_reach row for every
// candidate (partner, opportunity) of the round, held back or not: 2.2 million rows, each with
// two index entries and two foreign-key checks, in the one transaction the workers wait for, when
// the builds read only the places given (at most MAX_REACH_PER_ROUND per opportunity and round).
// Who was held back is read only by later round starts, for one rule: once an opportunity has an
// introduction, the partners a round held back for it are not offered it any more.
//
// So digest_reach now holds the places given only (held_back stays, always false, for the
// statements that still say NOT held_back), and who was held back is kept compactly: one row per
// round start and opportunity, with the partners that start held back for it (partner ids, read
// only for the few opportunities that have an introduction). The rows held back so far move over.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE digest_held_back (
      id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      opportunity_id uuid NOT NULL REFERENCES opportunities(id) ON DELETE CASCADE,
      period         text NOT NULL,
      partner_ids    uuid[] NOT NULL,
      created_at     timestamptz NOT NULL DEFAULT now()
    )
  `.execute(db);
  await sql`CREATE INDEX digest_held_back_opportunity_id_idx ON digest_held_back (opportunity_id)`.execute(db);
  await sql`
    COMMENT ON TABLE digest_held_back IS
      'per digest round start and opportunity: the partners of that start who could have received it and were held back by MAX_REACH_PER_ROUND'
  `.execute(db);
  await sql`
    INSERT INTO digest_held_back (opportunity_id, period, partner_ids)
    SELECT r.opportunity_id, d.period, array_agg(d.partner_id ORDER BY d.partner_id)
      FROM digest_reach r
      JOIN digests d ON d.id = r.digest_id
     WHERE r.held_back
     GROUP BY r.opportunity_id, d.period
  `.execute(db);
  await sql`DELETE FROM digest_reach WHERE held_back`.execute(db);
  await sql`ALTER TABLE digest_reach ADD CONSTRAINT digest_reach_places_only CHECK (NOT held_back)`.execute(db);
  await sql`
    COMMENT ON COLUMN digest_reach.held_back IS
      'always false since 0024: digest_reach holds the places given; who was held back is in digest_held_back'
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`COMMENT ON COLUMN digest_reach.held_back IS NULL`.execute(db);
  await sql`ALTER TABLE digest_reach DROP CONSTRAINT digest_reach_places_only`.execute(db);
  await sql`
    INSERT INTO digest_reach (digest_id, opportunity_id, held_back)
    SELECT d.id, h.opportunity_id, true
      FROM digest_held_back h
      CROSS JOIN LATERAL unnest(h.partner_ids) AS held(partner_id)
      JOIN digests d ON d.partner_id = held.partner_id AND d.period = h.period
    ON CONFLICT DO NOTHING
  `.execute(db);
  await sql`DROP TABLE digest_held_back`.execute(db);
}
