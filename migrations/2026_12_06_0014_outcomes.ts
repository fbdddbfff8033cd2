// Frozen in time: migrations never import application code.
import { sql, type Kysely } from 'kysely';

// The outcome loop: some days after an introduction each side is asked once (and reminded once at
// most) whether the two worked together. One outcome_requests row per introduction and side,
// written when the question is asked (in the transaction that requests its email); the answer is
// kept on the same row and may be changed later. partner_outcome_stats keeps, per partner, how
// many of their introductions either side confirmed ("yes"): matching reads it for its small bonus.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE TYPE outcome_side AS ENUM ('submitter', 'partner')`.execute(db);
  await sql`CREATE TYPE outcome_answer AS ENUM ('yes', 'talking', 'no')`.execute(db);
  await sql`CREATE TYPE outcome_amount AS ENUM ('under_10k', '10k_50k', '50k_200k', 'over_200k', 'undisclosed')`.execute(db);
  await sql`
    CREATE TABLE outcome_requests (
      id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      introduction_id uuid NOT NULL REFERENCES introductions(id) ON DELETE CASCADE,
      side            outcome_side NOT NULL,
      asked_at        timestamptz NOT NULL DEFAULT now(),
      reminded_at     timestamptz,
      answer          outcome_answer,
      amount          outcome_amount,
      note            text,
      answered_at     timestamptz,
      UNIQUE (introduction_id, side),
      CHECK ((answer IS NULL) = (answered_at IS NULL)),
      CHECK (note IS NULL OR length(note) <= 2000)
    )
  `.execute(db);
  // The reminder pass: unanswered, never reminded, oldest question first.
  await sql`CREATE INDEX outcome_requests_unanswered_idx ON outcome_requests (asked_at) WHERE answer IS NULL AND reminded_at IS NULL`.execute(db);
  // The ask pass: introductions old enough and not asked yet; the loop per month counts them too.
  await sql`CREATE INDEX introductions_created_at_idx ON introductions (created_at)`.execute(db);
  // The loop per month (p2p-digest stats, the console, a metric read at every scrape): a month of
  // sent digests and of interests is a range of an index, not a scan of the tables.
  await sql`CREATE INDEX digests_sent_at_idx ON digests (sent_at) WHERE status = 'sent'`.execute(db);
  await sql`CREATE INDEX interests_created_at_idx ON interests (created_at)`.execute(db);
  await sql`
    CREATE TABLE partner_outcome_stats (
      partner_id      uuid PRIMARY KEY REFERENCES partners(id) ON DELETE CASCADE,
      confirmed_count integer NOT NULL DEFAULT 0 CHECK (confirmed_count >= 0),
      updated_at      timestamptz NOT NULL DEFAULT now()
    )
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE partner_outcome_stats, outcome_requests`.execute(db);
  await sql`DROP INDEX introductions_created_at_idx, digests_sent_at_idx, interests_created_at_idx`.execute(db);
  await sql`DROP TYPE outcome_amount, outcome_answer, outcome_side`.execute(db);
}
