// Frozen in time: migrations never import application code.
import { sql, type Kysely } from 'kysely';

// Fair exposure: an opportunity reaches at most MAX_REACH_PER_ROUND partners in one digest round.
// A round's rows are built in many batches, by many workers at once, so the choice is made once,
// when the round's ledger rows are created, in the same transaction: digest_reach holds, per
// opportunity, the (up to MAX_REACH_PER_ROUND) digests of the round that may carry it, and the
// round's other partners who could have received it, held back (held_back). A build only picks
// items from its digest's reach; whoever was held back is not marked as delivered and can be
// chosen by a later round, as long as the opportunity has no introduction.
//
// Rows already waiting to be built keep the old rule: every match of theirs is in reach.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE digest_reach (
      digest_id      uuid NOT NULL REFERENCES digests(id) ON DELETE CASCADE,
      opportunity_id uuid NOT NULL REFERENCES opportunities(id) ON DELETE CASCADE,
      held_back      boolean NOT NULL DEFAULT false,
      PRIMARY KEY (digest_id, opportunity_id)
    )
  `.execute(db);
  await sql`CREATE INDEX digest_reach_opportunity_id_idx ON digest_reach (opportunity_id)`.execute(db);
  await sql`
    INSERT INTO digest_reach (digest_id, opportunity_id)
    SELECT d.id, m.opportunity_id
      FROM digests d
      JOIN matches m ON m.partner_id = d.partner_id
     WHERE d.status IN ('pending', 'building')
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE digest_reach`.execute(db);
}
