// Frozen in time: migrations never import application code.
import { sql, type Kysely } from 'kysely';

// Fair exposure counts a period as one round: every start of a period (the tick starts it hour by
// hour, each partner at their local hour) reads the places earlier starts of the same period gave.
// That, and the console's digests page, look digests up by period; the UNIQUE (partner_id, period)
// index cannot serve a lookup by period alone.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE INDEX digests_period_idx ON digests (period)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP INDEX digests_period_idx`.execute(db);
}
