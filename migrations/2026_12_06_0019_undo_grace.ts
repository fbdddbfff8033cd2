// Frozen in time: migrations never import application code.
import { sql, type Kysely } from 'kysely';

// An outbox event may wait: `not_before` keeps it from the relay until then. A submitter's ending
// of an opportunity writes its "not picked" mails this way, and sets `undo_until`: until then the
// submitter may undo the ending, and the partners never hear of it. (An operator's ending from the
// console is final: no `undo_until`, the mails go at once.)
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE outbox ADD COLUMN not_before timestamptz`.execute(db);
  await sql`ALTER TABLE opportunities ADD COLUMN undo_until timestamptz`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE opportunities DROP COLUMN undo_until`.execute(db);
  await sql`ALTER TABLE outbox DROP COLUMN not_before`.execute(db);
}
