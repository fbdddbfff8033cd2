// Frozen in time: migrations never import application code.
import { sql, type Kysely } from 'kysely';

// Composed ahead (issue 14): the build of a row also renders its message, MIME and all but its
// Date, and keeps it here until the send moment, so the send hour hands SMTP stored bytes instead
// of rendering. composed_fingerprint names what the message was made from (the partner, the
// cards, the templates): at the send moment the same inputs must give the same fingerprint, else
// the row is rendered again. A finished row no longer needs its message (the finish clears it).
// lz4 where the server has it: a 60 KB message compresses several times, and lz4 costs a fraction
// of pglz's CPU on both sides.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE digests ADD COLUMN composed_message text, ADD COLUMN composed_fingerprint text`.execute(db);
  await sql`
    DO $$
    BEGIN
      ALTER TABLE digests ALTER COLUMN composed_message SET COMPRESSION lz4;
    EXCEPTION WHEN feature_not_supported THEN
      NULL; -- a server built without lz4 keeps pglz
    END $$`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE digests DROP COLUMN composed_message, DROP COLUMN composed_fingerprint`.execute(db);
}
