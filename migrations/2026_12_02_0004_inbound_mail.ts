// Frozen in time: migrations never import application code.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    -- Every message that reaches an intake address, stored verbatim BEFORE anything else happens
    -- (the SMTP listener answers 250, the webhook 200, only after this insert committed); a queued
    -- job then works on it. A crash after storing loses nothing: the reconciler re-queues rows
    -- still 'received'.
    CREATE TABLE inbound_messages (
      id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      received_via   text NOT NULL CHECK (received_via IN ('smtp', 'webhook')),
      -- The SMTP envelope (or the provider's): MAIL FROM ('' is the null sender of bounces).
      mail_from      text NOT NULL DEFAULT '',
      rcpt_to        text[] NOT NULL,
      remote_ip      inet,
      helo           text,
      -- The Message-ID header as given; NULL when the message has none.
      message_id     text,
      -- The same message delivered twice (same Message-ID and recipient, or the same bytes when
      -- there is no Message-ID) is stored once.
      dedupe_key     text NOT NULL UNIQUE,
      raw            bytea NOT NULL,
      size           integer NOT NULL,
      status         text NOT NULL DEFAULT 'received'
                     CHECK (status IN ('received', 'processed', 'rejected', 'failed')),
      -- What became of it, for people: 'opportunity', 'awaiting confirmation', 'auto-reply', 'bounce'…
      outcome        text,
      opportunity_id uuid REFERENCES opportunities(id) ON DELETE SET NULL,
      attempts       integer NOT NULL DEFAULT 0,
      received_at    timestamptz NOT NULL DEFAULT now(),
      processed_at   timestamptz
    );
    CREATE INDEX inbound_messages_unprocessed_idx ON inbound_messages (received_at) WHERE status = 'received';
    CREATE INDEX inbound_messages_opportunity_id_idx ON inbound_messages (opportunity_id);

    -- At most one automatic reply per sender per 24 hours, whatever they send us.
    CREATE TABLE inbound_replies (
      address        text PRIMARY KEY CHECK (address = lower(address)),
      last_replied_at timestamptz NOT NULL
    );

    -- An emailed opportunity may arrive with no skill we recognise: it is stored as a draft
    -- (pending_verification) and its sender adds the skills on the correction page (or
    -- withdraws it). What partners can see, or a moderator reviews, still needs at least one.
    ALTER TABLE opportunities DROP CONSTRAINT opportunities_required_skill_ids_check;
    ALTER TABLE opportunities ADD CONSTRAINT opportunities_required_skill_ids_check
      CHECK (cardinality(required_skill_ids) > 0 OR status NOT IN ('pending_review', 'published'));

    -- Webhook signatures already seen (Mailgun's token), so a captured request cannot be replayed.
    CREATE TABLE webhook_replays (
      token          text PRIMARY KEY,
      seen_at        timestamptz NOT NULL DEFAULT now()
    );
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP TABLE webhook_replays, inbound_replies, inbound_messages;
    ALTER TABLE opportunities DROP CONSTRAINT opportunities_required_skill_ids_check;
    ALTER TABLE opportunities ADD CONSTRAINT opportunities_required_skill_ids_check CHECK (cardinality(required_skill_ids) > 0);
  `.execute(db);
}
