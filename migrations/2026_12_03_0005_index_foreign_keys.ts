// Frozen in time: migrations never import application code.
import { sql, type Kysely } from 'kysely';

// Every foreign key gets an index led by its columns (tests/platform/foreign-keys.test.ts checks
// it). not_relevant's primary key leads with partner_id, so deleting an opportunity (ON DELETE
// CASCADE) scanned the whole table to find its rows.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE INDEX not_relevant_opportunity_id_idx ON not_relevant (opportunity_id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP INDEX not_relevant_opportunity_id_idx`.execute(db);
}
