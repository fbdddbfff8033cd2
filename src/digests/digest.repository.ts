import { sql } from 'kysely';
import type { Executor } from '../db/database.js';
import type { OpportunityRow } from '../opportunities/opportunity.repository.js';
import { MAX_CARDS_PER_DIGEST } from './digest-limits.js';
import type { DigestFrequency } from './digest-period.js';

export type DigestStatus = 'pending' | 'building' | 'ready' | 'sending' | 'sent' | 'skipped' | 'failed';

export interface ScheduleGroup {
  timezone: string;
  frequency: Exclude<DigestFrequency, 'paused'>;
  day: number;
  hour: number;
}

export interface DigestRow {
  id: string;
  partnerId: string;
  period: string;
  status: DigestStatus;
  leaseUntil: Date | null;
  attempts: number;
  messageId: string | null;
}

/**
 * The distinct schedules of partners who get digests. There are a few hundred at most (time
 * zone × frequency × day × hour), however many partners share them: the tick decides per
 * schedule, in TypeScript, which are due, and never loops over partners.
 */
export async function listScheduleGroups(db: Executor, partnerId?: string): Promise<ScheduleGroup[]> {
  let q = db
    .selectFrom('partners')
    .select(['timezone', 'digestFrequency as frequency', 'digestDay as day', 'digestHour as hour'])
    .distinct()
    .where('status', '=', 'active')
    .where('digestFrequency', '<>', 'paused');
  if (partnerId) q = q.where('id', '=', partnerId);
  return (await q.execute()) as ScheduleGroup[];
}

/**
 * Creates the ledger rows of every active, not suppressed partner on the given schedules, for
 * the period given with each schedule. Existing (partner, period) rows are left alone. Returns
 * the new rows' ids.
 */
export async function insertLedgerRows(
  db: Executor,
  groups: Array<ScheduleGroup & { period: string }>,
  partnerId?: string,
): Promise<string[]> {
  if (groups.length === 0) return [];
  const column = <K extends keyof (ScheduleGroup & { period: string })>(key: K) => groups.map((g) => g[key]);
  const rows = await sql<{ id: string }>`
    INSERT INTO digests (partner_id, period)
    SELECT p.id, g.period
      FROM unnest(${column('timezone')}::text[], ${column('frequency')}::text[], ${column('day')}::int[],
                  ${column('hour')}::int[], ${column('period')}::text[]) AS g(timezone, frequency, day, hour, period)
      JOIN partners p
        ON p.timezone = g.timezone AND p.digest_frequency = g.frequency
       AND p.digest_day = g.day AND p.digest_hour = g.hour
     WHERE p.status = 'active'
       AND (${partnerId ?? null}::uuid IS NULL OR p.id = ${partnerId ?? null}::uuid)
       AND NOT EXISTS (SELECT 1 FROM suppressions s WHERE s.email = lower(p.email))
    ON CONFLICT (partner_id, period) DO NOTHING
    RETURNING id
  `.execute(db);
  return rows.rows.map((r) => r.id);
}

const digestColumns = ['id', 'partnerId', 'period', 'status', 'leaseUntil', 'attempts', 'messageId'] as const;

/** The ledger rows of these (partner, period) pairs' schedules, whatever their status. */
export async function findLedgerRows(
  db: Executor,
  groups: Array<ScheduleGroup & { period: string }>,
  partnerId?: string,
): Promise<DigestRow[]> {
  if (groups.length === 0) return [];
  const column = <K extends keyof (ScheduleGroup & { period: string })>(key: K) => groups.map((g) => g[key]);
  const rows = await sql<DigestRow>`
    SELECT d.id, d.partner_id AS "partnerId", d.period, d.status, d.lease_until AS "leaseUntil",
           d.attempts, d.message_id AS "messageId"
      FROM unnest(${column('timezone')}::text[], ${column('frequency')}::text[], ${column('day')}::int[],
                  ${column('hour')}::int[], ${column('period')}::text[]) AS g(timezone, frequency, day, hour, period)
      JOIN partners p
        ON p.timezone = g.timezone AND p.digest_frequency = g.frequency
       AND p.digest_day = g.day AND p.digest_hour = g.hour
      JOIN digests d ON d.partner_id = p.id AND d.period = g.period
     WHERE (${partnerId ?? null}::uuid IS NULL OR p.id = ${partnerId ?? null}::uuid)
     ORDER BY d.created_at, d.id
  `.execute(db);
  return rows.rows;
}

/** Locks one ledger row for the rest of the transaction; undefined when another worker holds it. */
export async function lockDigest(db: Executor, id: string): Promise<DigestRow | undefined> {
  return (await db
    .selectFrom('digests')
    .select(digestColumns)
    .where('id', '=', id)
    .forUpdate()
    .skipLocked()
    .executeTakeFirst()) as DigestRow | undefined;
}

export async function findDigest(db: Executor, id: string): Promise<DigestRow | undefined> {
  return (await db.selectFrom('digests').select(digestColumns).where('id', '=', id).executeTakeFirst()) as
    | DigestRow
    | undefined;
}

export async function updateDigest(
  db: Executor,
  id: string,
  values: {
    status: DigestStatus;
    leaseUntil?: Date | null;
    attempts?: number;
    messageId?: string;
    subject?: string;
    lastError?: string | null;
    builtAt?: Date;
    sentAt?: Date;
  },
): Promise<void> {
  await db
    .updateTable('digests')
    .set({ ...values, updatedAt: sql`now()` })
    .where('id', '=', id)
    .execute();
}

export interface DigestCandidate {
  opportunityId: string;
  score: number;
}

/**
 * The partner's best matches that no digest has carried yet: above their minimum score, for
 * opportunities still published and not expired, best first, at most their maximum (and never
 * more than MAX_CARDS_PER_DIGEST).
 */
export async function selectCandidates(db: Executor, partnerId: string): Promise<DigestCandidate[]> {
  const rows = await sql<DigestCandidate>`
    SELECT m.opportunity_id AS "opportunityId", m.score
      FROM partners p
      JOIN matches m ON m.partner_id = p.id
      JOIN opportunities o ON o.id = m.opportunity_id
     WHERE p.id = ${partnerId}
       AND m.score >= p.min_score
       AND o.status = 'published'
       AND o.expires_at > now()
       AND NOT EXISTS (SELECT 1 FROM digest_items di WHERE di.partner_id = p.id AND di.opportunity_id = m.opportunity_id)
     ORDER BY m.score DESC, o.published_at DESC, o.id
     LIMIT (SELECT least(max_items, ${MAX_CARDS_PER_DIGEST}) FROM partners WHERE id = ${partnerId})
  `.execute(db);
  return rows.rows;
}

export async function insertDigestItems(db: Executor, digestId: string, partnerId: string, items: DigestCandidate[]): Promise<void> {
  if (items.length === 0) return;
  await db
    .insertInto('digestItems')
    .values(items.map((item, position) => ({ digestId, partnerId, opportunityId: item.opportunityId, position, score: item.score })))
    .execute();
}

/** What a digest card shows of an opportunity, with the partner's match. */
export type DigestItemContent = Pick<
  OpportunityRow,
  | 'title'
  | 'description'
  | 'requiredSkillIds'
  | 'niceSkillIds'
  | 'regions'
  | 'remote'
  | 'budgetMin'
  | 'budgetMax'
  | 'currency'
  | 'startDate'
  | 'expiresAt'
  | 'anonymous'
  | 'submitterCompany'
> & { opportunityId: string; score: number; reasons: unknown };

/** A built digest's items whose opportunity is still open now, with what a card shows, in digest order. */
export async function openDigestItems(db: Executor, digestId: string): Promise<DigestItemContent[]> {
  return db
    .selectFrom('digestItems as di')
    .innerJoin('opportunities as o', 'o.id', 'di.opportunityId')
    .innerJoin('matches as m', (join) => join.onRef('m.opportunityId', '=', 'di.opportunityId').onRef('m.partnerId', '=', 'di.partnerId'))
    .select([
      'di.opportunityId',
      'di.score',
      'm.reasons',
      'o.title',
      'o.description',
      'o.requiredSkillIds',
      'o.niceSkillIds',
      'o.regions',
      'o.remote',
      'o.budgetMin',
      'o.budgetMax',
      'o.currency',
      'o.startDate',
      'o.expiresAt',
      'o.anonymous',
      'o.submitterCompany',
    ])
    .where('di.digestId', '=', digestId)
    .where('o.status', '=', 'published')
    .where('o.expiresAt', '>', sql<Date>`now()`)
    .orderBy('di.position')
    .execute();
}

/**
 * Unfinished rows nobody is working on: pending or ready for longer than `graceSeconds` (their
 * job was lost), or building/sending with an expired lease (their worker died).
 */
export async function findStaleDigests(db: Executor, graceSeconds: number, limit = 5000): Promise<DigestRow[]> {
  return (await db
    .selectFrom('digests')
    .select(digestColumns)
    .where((eb) =>
      eb.or([
        eb.and([eb('status', 'in', ['pending', 'ready']), eb('updatedAt', '<', sql<Date>`now() - make_interval(secs => ${graceSeconds})`)]),
        eb.and([eb('status', 'in', ['building', 'sending']), eb('leaseUntil', '<', sql<Date>`now()`)]),
      ]),
    )
    .orderBy('createdAt')
    .limit(limit)
    .execute()) as DigestRow[];
}

/**
 * Claims a built row for sending in one statement: ready, or sending with an expired lease (its
 * worker died), and attempts left. The row comes back with its new lease, attempt count and
 * deterministic Message-ID; undefined when it was not claimable.
 */
export async function claimForSending(
  db: Executor,
  id: string,
  settings: { leaseSeconds: number; maxAttempts: number; mailDomain: string },
): Promise<DigestRow | undefined> {
  const result = await sql<DigestRow>`
    UPDATE digests
       SET status = 'sending',
           lease_until = now() + make_interval(secs => ${settings.leaseSeconds}),
           attempts = attempts + 1,
           message_id = '<digest.' || id || '@' || ${settings.mailDomain}::text || '>',
           updated_at = now()
     WHERE id = ${id}
       AND attempts < ${settings.maxAttempts}
       AND (status = 'ready' OR (status = 'sending' AND lease_until < now()))
    RETURNING id, partner_id AS "partnerId", period, status, lease_until AS "leaseUntil", attempts, message_id AS "messageId"
  `.execute(db);
  return result.rows[0];
}

export interface Recipient {
  id: string;
  email: string;
  company: string;
  contactName: string;
  status: string;
  skillIds: number[];
  suppressed: boolean;
}

/** The partner a digest goes to, with their skills and whether their address is suppressed. */
export async function findRecipient(db: Executor, partnerId: string): Promise<Recipient | undefined> {
  const result = await sql<Recipient>`
    SELECT p.id, p.email, p.company, p.contact_name AS "contactName", p.status,
           ARRAY(SELECT skill_id FROM partner_skills ps WHERE ps.partner_id = p.id) AS "skillIds",
           EXISTS (SELECT 1 FROM suppressions s WHERE s.email = lower(p.email)) AS suppressed
      FROM partners p
     WHERE p.id = ${partnerId}
  `.execute(db);
  return result.rows[0];
}
