// Frozen in time: migrations never import application code.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE skills (
      id           integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      slug         text NOT NULL UNIQUE,
      label        text NOT NULL,
      kind         text NOT NULL CHECK (kind IN ('designation', 'specialization', 'practice')),
      designation_id integer REFERENCES skills(id),
      synonyms     text[] NOT NULL DEFAULT '{}',
      related_ids  integer[] NOT NULL DEFAULT '{}',
      retired_at   timestamptz,
      updated_at   timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX skills_designation_id_idx ON skills (designation_id);
    CREATE INDEX skills_related_ids_idx ON skills USING gin (related_ids);

    CREATE TABLE partners (
      id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      company       text NOT NULL,
      contact_name  text NOT NULL,
      email         text NOT NULL,
      website       text,
      country       text,
      regions       text[] NOT NULL DEFAULT '{}',
      remote_ok     boolean NOT NULL DEFAULT true,
      timezone      text NOT NULL DEFAULT 'UTC',
      profile       text NOT NULL DEFAULT '',
      status        text NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'active', 'paused', 'unsubscribed', 'deactivated')),
      source        text NOT NULL CHECK (source IN ('signup', 'admin', 'import', 'demo')),
      digest_frequency text NOT NULL DEFAULT 'weekly'
                    CHECK (digest_frequency IN ('weekly', 'biweekly', 'monthly', 'paused')),
      digest_day    smallint NOT NULL DEFAULT 1 CHECK (digest_day BETWEEN 1 AND 7),
      digest_hour   smallint NOT NULL DEFAULT 8 CHECK (digest_hour BETWEEN 0 AND 23),
      max_items     smallint NOT NULL DEFAULT 10 CHECK (max_items BETWEEN 1 AND 50),
      min_score     real NOT NULL DEFAULT 0.2 CHECK (min_score BETWEEN 0 AND 1),
      consent_at    timestamptz,
      consent_source text,
      verified_at   timestamptz,
      deactivated_at timestamptz,
      created_at    timestamptz NOT NULL DEFAULT now(),
      updated_at    timestamptz NOT NULL DEFAULT now(),
      profile_tsv   tsvector GENERATED ALWAYS AS
                    (to_tsvector('english', company || ' ' || profile)) STORED
    );
    CREATE UNIQUE INDEX partners_email_key ON partners (lower(email));
    CREATE INDEX partners_regions_idx ON partners USING gin (regions);
    CREATE INDEX partners_profile_tsv_idx ON partners USING gin (profile_tsv);
    CREATE INDEX partners_status_idx ON partners (status);

    CREATE TABLE partner_skills (
      partner_id uuid NOT NULL REFERENCES partners(id) ON DELETE CASCADE,
      skill_id   integer NOT NULL REFERENCES skills(id),
      level      text NOT NULL DEFAULT 'experienced'
                 CHECK (level IN ('certified', 'specialized', 'experienced')),
      PRIMARY KEY (partner_id, skill_id)
    );
    CREATE INDEX partner_skills_skill_id_idx ON partner_skills (skill_id);

    CREATE TABLE partner_api_keys (
      id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      partner_id  uuid NOT NULL REFERENCES partners(id) ON DELETE CASCADE,
      key_hash    text NOT NULL UNIQUE,
      label       text NOT NULL DEFAULT '',
      created_at  timestamptz NOT NULL DEFAULT now(),
      revoked_at  timestamptz
    );
    CREATE INDEX partner_api_keys_partner_id_idx ON partner_api_keys (partner_id);

    CREATE TABLE opportunities (
      id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      title              text NOT NULL,
      description        text NOT NULL,
      required_skill_ids integer[] NOT NULL CHECK (cardinality(required_skill_ids) > 0),
      nice_skill_ids     integer[] NOT NULL DEFAULT '{}',
      regions            text[] NOT NULL DEFAULT '{}',
      remote             boolean NOT NULL DEFAULT false,
      budget_min         integer CHECK (budget_min >= 0),
      budget_max         integer CHECK (budget_max >= 0),
      currency           char(3),
      start_date         date,
      expires_at         timestamptz NOT NULL,
      anonymous          boolean NOT NULL DEFAULT false,
      status             text NOT NULL CHECK (status IN
                         ('pending_verification', 'pending_review', 'published', 'closed',
                          'withdrawn', 'expired', 'rejected')),
      source             text NOT NULL CHECK (source IN ('form', 'api', 'email', 'demo')),
      submitter_name     text NOT NULL,
      submitter_company  text NOT NULL,
      submitter_email    text NOT NULL,
      submitter_partner_id uuid REFERENCES partners(id) ON DELETE SET NULL,
      -- "<caller>:<Idempotency-Key>": the same API request sent twice creates one opportunity.
      idempotency_key    text UNIQUE,
      request_hash       text,
      -- Filled by email intake: the same message delivered twice creates one opportunity.
      source_message_id  text UNIQUE,
      created_at         timestamptz NOT NULL DEFAULT now(),
      updated_at         timestamptz NOT NULL DEFAULT now(),
      verified_at        timestamptz,
      published_at       timestamptz,
      matched_at         timestamptz,
      closed_at          timestamptz,
      search_tsv         tsvector GENERATED ALWAYS AS
                         (to_tsvector('english', title || ' ' || description)) STORED,
      CHECK (budget_min IS NULL OR budget_max IS NULL OR budget_min <= budget_max),
      CHECK (remote OR cardinality(regions) > 0)
    );
    CREATE INDEX opportunities_submitter_partner_id_idx ON opportunities (submitter_partner_id);
    CREATE INDEX opportunities_status_idx ON opportunities (status, matched_at);
    CREATE INDEX opportunities_required_skill_ids_idx ON opportunities USING gin (required_skill_ids);
    CREATE INDEX opportunities_search_tsv_idx ON opportunities USING gin (search_tsv);

    CREATE TABLE matches (
      opportunity_id uuid NOT NULL REFERENCES opportunities(id) ON DELETE CASCADE,
      partner_id     uuid NOT NULL REFERENCES partners(id) ON DELETE CASCADE,
      score          real NOT NULL CHECK (score >= 0 AND score <= 1),
      reasons        jsonb NOT NULL,
      created_at     timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (opportunity_id, partner_id)
    );
    CREATE INDEX matches_partner_id_idx ON matches (partner_id, score DESC);

    -- Events written in the same transaction as the change they announce; the relay publishes
    -- them to BullMQ. dedupe_key makes "announce this once" a database guarantee.
    CREATE TABLE outbox (
      id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      topic        text NOT NULL,
      payload      jsonb NOT NULL,
      dedupe_key   text UNIQUE,
      created_at   timestamptz NOT NULL DEFAULT now(),
      published_at timestamptz
    );
    CREATE INDEX outbox_unpublished_idx ON outbox (id) WHERE published_at IS NULL;

    CREATE TABLE suppressions (
      email      text PRIMARY KEY CHECK (email = lower(email)),
      reason     text NOT NULL CHECK (reason IN ('unsubscribe', 'hard_bounce', 'complaint', 'admin')),
      created_at timestamptz NOT NULL DEFAULT now()
    );
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP TABLE suppressions, outbox, matches, opportunities, partner_api_keys, partner_skills,
      partners, skills;
  `.execute(db);
}
