// Frozen in time: migrations never import application code.
import { sql, type Kysely } from 'kysely';

// "Not relevant" in one tap: the reason is optional now (NULL: the partner gave none, and may add
// one later on the same page). The digest build only asks whether a row exists, so a row without
// a reason keeps the opportunity out of the partner's later digests as one with a reason does.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE not_relevant ALTER COLUMN reason DROP NOT NULL`.execute(db);
}

// Going back: rows without a reason cannot be kept (the old column needs one).
export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DELETE FROM not_relevant WHERE reason IS NULL`.execute(db);
  await sql`ALTER TABLE not_relevant ALTER COLUMN reason SET NOT NULL`.execute(db);
}
