// Frozen in time: migrations never import application code.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- The send ledger: exactly one digest per partner and period. Every step of a digest's life
    -- is claimed here, in a transaction, before Redis or SMTP is touched.
    CREATE TABLE digests (
      id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      partner_id    uuid NOT NULL REFERENCES partners(id) ON DELETE CASCADE,
      -- '2026-W48' (weekly, every two weeks) or '2026-11' (monthly), in the partner's time zone.
      period        text NOT NULL,
      status        text NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'building', 'ready', 'sending', 'sent', 'skipped', 'failed')),
      -- While a worker holds the row (building or sending), nobody else takes it until this passes.
      lease_until   timestamptz,
      attempts      integer NOT NULL DEFAULT 0,
      -- Derived from the id (<digest.ID@domain>): a resend after a crash carries the same one.
      message_id    text UNIQUE,
      subject       text,
      last_error    text,
      created_at    timestamptz NOT NULL DEFAULT now(),
      updated_at    timestamptz NOT NULL DEFAULT now(),
      built_at      timestamptz,
      sent_at       timestamptz,
      UNIQUE (partner_id, period)
    );
    CREATE INDEX digests_unfinished_idx ON digests (status, lease_until)
      WHERE status IN ('pending', 'building', 'ready', 'sending');

    -- What a digest holds. UNIQUE (partner, opportunity): an opportunity reaches a partner in
    -- one digest at most, whatever happens to the jobs.
    CREATE TABLE digest_items (
      digest_id      uuid NOT NULL REFERENCES digests(id) ON DELETE CASCADE,
      partner_id     uuid NOT NULL REFERENCES partners(id) ON DELETE CASCADE,
      opportunity_id uuid NOT NULL REFERENCES opportunities(id) ON DELETE CASCADE,
      position       smallint NOT NULL,
      score          real NOT NULL,
      PRIMARY KEY (digest_id, opportunity_id),
      UNIQUE (partner_id, opportunity_id)
    );
    CREATE INDEX digest_items_opportunity_id_idx ON digest_items (opportunity_id);

    CREATE INDEX partners_digest_schedule_idx ON partners (timezone, digest_frequency, digest_day, digest_hour)
      WHERE status = 'active';
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP INDEX partners_digest_schedule_idx;
    DROP TABLE digest_items, digests;
  `.execute(db);
}
