// Frozen in time: migrations never import application code.
import { sql, type Kysely } from 'kysely';

// digests.smtp_response: what the SMTP server answered when it took a digest ("250 2.0.0 Ok:
// queued as …"), written by the statement that marks the row sent. last_error keeps the answer
// of a failure; together they give the operator each SMTP answer in a partner's history.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE digests ADD COLUMN smtp_response text`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE digests DROP COLUMN smtp_response`.execute(db);
}
