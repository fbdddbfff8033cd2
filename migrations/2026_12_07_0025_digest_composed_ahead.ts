// Frozen in time: migrations never import application code.
import { sql, type Kysely } from 'kysely';

// Composed ahead (issue 14): the build of a row also renders its message, MIME and all but its
// Date, and keeps it here until the send moment, so the send hour hands SMTP stored bytes instead
// of rendering. composed_fingerprint names what the message was made from (the partner, the
// cards, the templates): at the send moment the same inputs must give the same fingerprint, else
// the row is rendered again. A finished row no longer needs its message (the finish clears it).
// The message is stored deflated by the service (raw DEFLATE, level 1: 60 KB become about 9 KB),
// as bytea kept out of line and not compressed again: pushing each whole message through the
// driver twice (written at the build, read at the send) took a round's peak RSS from about 420
// to 560 MB.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE digests ADD COLUMN composed_message bytea, ADD COLUMN composed_fingerprint text`.execute(db);
  await sql`ALTER TABLE digests ALTER COLUMN composed_message SET STORAGE EXTERNAL`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE digests DROP COLUMN composed_message, DROP COLUMN composed_fingerprint`.execute(db);
}
