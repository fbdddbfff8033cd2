// Frozen in time: migrations never import application code.
import { sql, type Kysely } from 'kysely';

// Ownership of a digest row being sent is per row, not per job: every claim writes its token, and
// a worker re-checks the token (and its lease) right before it hands a message to SMTP and when
// it finishes the row, so a worker that lost the row to another after its lease ran out sends
// nothing and records nothing. handed_at says the holder started handing the message to SMTP:
// from then on the holder's heartbeat keeps the lease alive. deferrals counts the claims that
// ended in a transient SMTP failure: those cost time, not the row's attempts.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE digests
      ADD COLUMN claim_token uuid,
      ADD COLUMN handed_at   timestamptz,
      ADD COLUMN deferrals   integer NOT NULL DEFAULT 0
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE digests DROP COLUMN claim_token, DROP COLUMN handed_at, DROP COLUMN deferrals`.execute(db);
}
