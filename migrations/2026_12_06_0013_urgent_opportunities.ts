// Frozen in time: migrations never import application code.
import { sql, type Kysely } from 'kysely';

// Urgent opportunities (issue 13). A submitter may mark an opportunity urgent (only with a start
// date within URGENT_WINDOW_DAYS; the service checks it). Partners choose how urgent work reaches
// them: an alert as it comes, a daily summary, or their digest. Existing partners keep "digest"
// (nothing changes for them unasked); the sign-up form offers "alert" pre-selected.
//
// Alerts and daily summaries are rows of the digest ledger, told apart by `kind`, with a period
// key unique per alert (`alert:<opportunity id>`) or per local day (`daily:2026-12-06`): the
// claim → fence → send → finish machinery, leases, reconciler and SMTP-outage handling carry them,
// and digest_items' UNIQUE (partner, opportunity) keeps one path per partner and opportunity.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE opportunities ADD COLUMN urgent boolean NOT NULL DEFAULT false`.execute(db);
  await sql`CREATE INDEX opportunities_urgent_open_idx ON opportunities (published_at) WHERE urgent AND status = 'published'`.execute(db);
  await sql`CREATE TYPE urgent_delivery AS ENUM ('alert', 'daily', 'digest')`.execute(db);
  await sql`ALTER TABLE partners ADD COLUMN urgent_delivery urgent_delivery NOT NULL DEFAULT 'digest'`.execute(db);
  await sql`CREATE TYPE digest_kind AS ENUM ('digest', 'alert', 'daily')`.execute(db);
  await sql`ALTER TABLE digests ADD COLUMN kind digest_kind NOT NULL DEFAULT 'digest'`.execute(db);
  // The per-day alert cap counts a partner's alerts of the last day or so.
  await sql`CREATE INDEX digests_partner_kind_created_idx ON digests (partner_id, kind, created_at) WHERE kind <> 'digest'`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP INDEX digests_partner_kind_created_idx`.execute(db);
  await sql`ALTER TABLE digests DROP COLUMN kind`.execute(db);
  await sql`DROP TYPE digest_kind`.execute(db);
  await sql`ALTER TABLE partners DROP COLUMN urgent_delivery`.execute(db);
  await sql`DROP TYPE urgent_delivery`.execute(db);
  await sql`DROP INDEX opportunities_urgent_open_idx`.execute(db);
  await sql`ALTER TABLE opportunities DROP COLUMN urgent`.execute(db);
}
