// Frozen in time: migrations never import application code.
import { sql, type Kysely } from 'kysely';

// An outbox event may wait: `not_before` keeps it from the relay until then. Ending an
// opportunity writes its "not picked" mails this way, so the submitter can undo the ending within
// the grace period and the partners never hear of it.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE outbox ADD COLUMN not_before timestamptz`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE outbox DROP COLUMN not_before`.execute(db);
}
