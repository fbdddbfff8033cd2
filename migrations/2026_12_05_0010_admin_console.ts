// Frozen in time: migrations never import application code.
import { sql, type Kysely } from 'kysely';

// The operator console (/admin). Operators are the addresses in ADMIN_EMAILS; they sign in with a
// one-time emailed link and hold a session cookie.
// - admin_sign_in_requests: one row per emailed link. The link's token is signed (APP_SECRET) and
//   names the row; the row makes it single-use (used_at) and short-lived (expires_at).
// - admin_sessions: the cookie's SHA-256 only, so a read of this table signs nobody in; a session
//   ends at expires_at or when revoked (sign out, sign out everywhere).
// - admin_audit: who did what to what, when; written in the transaction of the action.
// - opportunities.rejection_reason: what the moderator told the submitter.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE admin_sign_in_requests (
      id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      email       text NOT NULL,
      created_at  timestamptz NOT NULL DEFAULT now(),
      expires_at  timestamptz NOT NULL,
      used_at     timestamptz
    )
  `.execute(db);
  await sql`
    CREATE TABLE admin_sessions (
      id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      token_hash    text NOT NULL UNIQUE,
      email         text NOT NULL,
      created_at    timestamptz NOT NULL DEFAULT now(),
      last_seen_at  timestamptz NOT NULL DEFAULT now(),
      expires_at    timestamptz NOT NULL,
      revoked_at    timestamptz
    )
  `.execute(db);
  await sql`CREATE INDEX admin_sessions_email_idx ON admin_sessions (email) WHERE revoked_at IS NULL`.execute(db);
  await sql`
    CREATE TABLE admin_audit (
      id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      at       timestamptz NOT NULL DEFAULT now(),
      actor    text NOT NULL,
      action   text NOT NULL,
      target   text,
      details  jsonb NOT NULL DEFAULT '{}'::jsonb
    )
  `.execute(db);
  await sql`ALTER TABLE opportunities ADD COLUMN rejection_reason text`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE opportunities DROP COLUMN rejection_reason`.execute(db);
  await sql`DROP TABLE admin_audit`.execute(db);
  await sql`DROP TABLE admin_sessions`.execute(db);
  await sql`DROP TABLE admin_sign_in_requests`.execute(db);
}
