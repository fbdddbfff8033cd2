// Frozen in time: migrations never import application code.
import { sql, type Kysely } from 'kysely';

// Build ahead (issue 14): the hourly tick creates and builds the rows of partners due within the
// next hour, so the send hour is mostly transport. digests.send_at is the moment such a row may be
// sent (the partner's due moment, from their IANA zone); nothing claims it before, and its send
// window counts from it. NULL: send as soon as built (rows due already, `digest run`, urgent work).
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE digests ADD COLUMN send_at timestamptz`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE digests DROP COLUMN send_at`.execute(db);
}
