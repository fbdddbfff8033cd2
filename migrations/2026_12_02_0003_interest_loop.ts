// Frozen in time: migrations never import application code.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- "I'm interested": once per partner and opportunity. A withdrawal keeps the row (status
    -- 'withdrawn'), so a second click says what happened instead of starting over.
    CREATE TABLE interests (
      id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      opportunity_id uuid NOT NULL REFERENCES opportunities(id) ON DELETE CASCADE,
      partner_id     uuid NOT NULL REFERENCES partners(id) ON DELETE CASCADE,
      -- "How we can help", shown to the submitter.
      note           text NOT NULL DEFAULT '' CHECK (length(note) <= 2000),
      status         text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'withdrawn')),
      created_at     timestamptz NOT NULL DEFAULT now(),
      updated_at     timestamptz NOT NULL DEFAULT now(),
      withdrawn_at   timestamptz,
      -- When the submitter was told, in a batched email; NULL: not yet.
      notified_at    timestamptz,
      UNIQUE (opportunity_id, partner_id)
    );
    CREATE INDEX interests_partner_id_idx ON interests (partner_id);
    -- The notifier's question: which opportunities have interest the submitter has not heard of?
    CREATE INDEX interests_unnotified_idx ON interests (opportunity_id, created_at)
      WHERE notified_at IS NULL AND status = 'active';

    -- "Not relevant", and why. Kept for matching and for the operator's view of what misses.
    CREATE TABLE not_relevant (
      partner_id     uuid NOT NULL REFERENCES partners(id) ON DELETE CASCADE,
      opportunity_id uuid NOT NULL REFERENCES opportunities(id) ON DELETE CASCADE,
      reason         text NOT NULL CHECK (reason IN ('skills', 'region', 'budget', 'mute-submitter')),
      created_at     timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (partner_id, opportunity_id)
    );

    -- "Don't show me this submitter again": by the submitter's address, lower-cased, so it holds
    -- for every later opportunity they send, from any form.
    CREATE TABLE muted_submitters (
      partner_id      uuid NOT NULL REFERENCES partners(id) ON DELETE CASCADE,
      submitter_email text NOT NULL CHECK (submitter_email = lower(submitter_email)),
      created_at      timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (partner_id, submitter_email)
    );
    CREATE INDEX muted_submitters_email_idx ON muted_submitters (submitter_email);

    -- The submitter picked this partner: both sides get each other's contact details, once.
    CREATE TABLE introductions (
      id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      opportunity_id uuid NOT NULL REFERENCES opportunities(id) ON DELETE CASCADE,
      partner_id     uuid NOT NULL REFERENCES partners(id) ON DELETE CASCADE,
      created_at     timestamptz NOT NULL DEFAULT now(),
      UNIQUE (opportunity_id, partner_id)
    );
    CREATE INDEX introductions_partner_id_idx ON introductions (partner_id);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE introductions, muted_submitters, not_relevant, interests`.execute(db);
}
