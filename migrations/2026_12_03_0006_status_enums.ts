// Frozen in time: migrations never import application code.
//
// Every text column that holds one of a fixed set of values becomes a Postgres enum, so the
// generated database types carry the union and the code needs no hand-written copy of it. The
// values and their order are exactly those of the CHECK constraints they replace.
//
// Left as text on purpose: outbox.topic (validated together with its payload by the relay's event
// schema; a new topic should not need a migration), inbound_messages.outcome (a sentence for
// people) and partners.consent_source (a free-form consent record).
import { sql, type Kysely } from 'kysely';

interface EnumColumn {
  table: string;
  column: string;
  type: string;
  values: readonly string[];
  default?: string;
}

const enumColumns: readonly EnumColumn[] = [
  { table: 'skills', column: 'kind', type: 'skill_kind', values: ['designation', 'specialization', 'practice'] },
  {
    table: 'partners',
    column: 'status',
    type: 'partner_status',
    values: ['pending', 'active', 'paused', 'unsubscribed', 'deactivated'],
    default: 'pending',
  },
  { table: 'partners', column: 'source', type: 'partner_source', values: ['signup', 'admin', 'import', 'demo'] },
  {
    table: 'partners',
    column: 'digest_frequency',
    type: 'digest_frequency',
    values: ['weekly', 'biweekly', 'monthly', 'paused'],
    default: 'weekly',
  },
  {
    table: 'partner_skills',
    column: 'level',
    type: 'skill_level',
    values: ['certified', 'specialized', 'experienced'],
    default: 'experienced',
  },
  {
    table: 'opportunities',
    column: 'status',
    type: 'opportunity_status',
    values: ['pending_verification', 'pending_review', 'published', 'closed', 'withdrawn', 'expired', 'rejected'],
  },
  { table: 'opportunities', column: 'source', type: 'opportunity_source', values: ['form', 'api', 'email', 'demo'] },
  {
    table: 'suppressions',
    column: 'reason',
    type: 'suppression_reason',
    values: ['unsubscribe', 'hard_bounce', 'complaint', 'admin'],
  },
  {
    table: 'digests',
    column: 'status',
    type: 'digest_status',
    values: ['pending', 'building', 'ready', 'sending', 'sent', 'skipped', 'failed'],
    default: 'pending',
  },
  { table: 'interests', column: 'status', type: 'interest_status', values: ['active', 'withdrawn'], default: 'active' },
  {
    table: 'not_relevant',
    column: 'reason',
    type: 'not_relevant_reason',
    values: ['skills', 'region', 'budget', 'mute-submitter'],
  },
  { table: 'inbound_messages', column: 'received_via', type: 'inbound_channel', values: ['smtp', 'webhook'] },
  {
    table: 'inbound_messages',
    column: 'status',
    type: 'inbound_status',
    values: ['received', 'processed', 'rejected', 'failed'],
    default: 'received',
  },
];

/**
 * Partial indexes and a CHECK that compare these columns with text literals. Postgres rebuilds
 * them from their stored definition (`status = 'active'::text`), which no longer resolves once the
 * column is an enum, so they are dropped first and created again from the same source text.
 */
async function dropDependents(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP INDEX digests_unfinished_idx, partners_digest_schedule_idx, interests_unnotified_idx,
      inbound_messages_unprocessed_idx;
    ALTER TABLE opportunities DROP CONSTRAINT opportunities_required_skill_ids_check;
  `.execute(db);
}

async function createDependents(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE INDEX digests_unfinished_idx ON digests (status, lease_until)
      WHERE status IN ('pending', 'building', 'ready', 'sending');
    CREATE INDEX partners_digest_schedule_idx ON partners (timezone, digest_frequency, digest_day, digest_hour)
      WHERE status = 'active';
    CREATE INDEX interests_unnotified_idx ON interests (opportunity_id, created_at)
      WHERE notified_at IS NULL AND status = 'active';
    CREATE INDEX inbound_messages_unprocessed_idx ON inbound_messages (received_at) WHERE status = 'received';
    ALTER TABLE opportunities ADD CONSTRAINT opportunities_required_skill_ids_check
      CHECK (cardinality(required_skill_ids) > 0 OR status NOT IN ('pending_review', 'published'));
  `.execute(db);
}

const checkName = (c: EnumColumn) => sql.id(`${c.table}_${c.column}_check`);
const literals = (c: EnumColumn) => sql.join(c.values.map((v) => sql.lit(v)));

export async function up(db: Kysely<unknown>): Promise<void> {
  await dropDependents(db);
  for (const c of enumColumns) {
    const [table, column, type] = [sql.id(c.table), sql.id(c.column), sql.id(c.type)];
    await sql`CREATE TYPE ${type} AS ENUM (${literals(c)})`.execute(db);
    await sql`ALTER TABLE ${table} DROP CONSTRAINT ${checkName(c)}`.execute(db);
    if (c.default) await sql`ALTER TABLE ${table} ALTER COLUMN ${column} DROP DEFAULT`.execute(db);
    await sql`ALTER TABLE ${table} ALTER COLUMN ${column} TYPE ${type} USING ${column}::${type}`.execute(db);
    if (c.default) await sql`ALTER TABLE ${table} ALTER COLUMN ${column} SET DEFAULT ${sql.lit(c.default)}`.execute(db);
  }
  await createDependents(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await dropDependents(db);
  for (const c of enumColumns) {
    const [table, column, type] = [sql.id(c.table), sql.id(c.column), sql.id(c.type)];
    if (c.default) await sql`ALTER TABLE ${table} ALTER COLUMN ${column} DROP DEFAULT`.execute(db);
    await sql`ALTER TABLE ${table} ALTER COLUMN ${column} TYPE text USING ${column}::text`.execute(db);
    if (c.default) await sql`ALTER TABLE ${table} ALTER COLUMN ${column} SET DEFAULT ${sql.lit(c.default)}`.execute(db);
    await sql`ALTER TABLE ${table} ADD CONSTRAINT ${checkName(c)} CHECK (${column} IN (${literals(c)}))`.execute(db);
    await sql`DROP TYPE ${type}`.execute(db);
  }
  await createDependents(db);
}
