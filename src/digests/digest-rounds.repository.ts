import { sql } from 'kysely';
import type { Executor } from '../platform/db/database.ts';
import type { DigestFrequency } from '../platform/db/database.types.ts';
import type { DigestRow } from './digest-ledger.repository.ts';

// These statements read other features' tables in SQL on purpose: see the note at the top of
// digest-ledger.repository.ts.

export interface ScheduleGroup {
  timezone: string;
  frequency: Exclude<DigestFrequency, 'paused'>;
  day: number;
  hour: number;
}

/**
 * The distinct schedules of partners who get digests. There are a few hundred at most (time
 * zone × frequency × day × hour), however many partners share them: the tick decides per
 * schedule, in TypeScript, which are due, and never loops over partners. It reads the partners'
 * digest_* columns directly because the ledger statements below join partners on exactly these
 * columns: the schedule is one notion, written once, in the digest's SQL.
 */
export async function listScheduleGroups(db: Executor, partnerId?: string): Promise<ScheduleGroup[]> {
  let q = db
    .selectFrom('partners')
    .select(['timezone', 'digestFrequency as frequency', 'digestDay as day', 'digestHour as hour'])
    .distinct()
    .where('status', '=', 'active')
    .where('digestFrequency', '<>', 'paused')
    .$narrowType<{ frequency: ScheduleGroup['frequency'] }>();
  if (partnerId) q = q.where('id', '=', partnerId);
  return await q.execute();
}

/** A schedule with the period to start for it and, when it is started ahead, the moment it may be sent. */
export type RoundGroup = ScheduleGroup & { period: string; sendAt?: Date | null };

/**
 * Creates the ledger rows of every active, not suppressed partner on the given schedules, for
 * the period given with each schedule, and the moment each may be sent (`send_at`; none: as soon
 * as built). Existing (partner, period) rows are left alone. Returns the new rows' ids.
 */
export async function insertLedgerRows(
  db: Executor,
  groups: RoundGroup[],
  partnerId?: string,
): Promise<string[]> {
  if (groups.length === 0) return [];
  const column = <K extends keyof RoundGroup>(key: K) => groups.map((g) => g[key]);
  const sendAt = groups.map((g) => g.sendAt?.toISOString() ?? null);
  const rows = await sql<{ id: string }>`
    INSERT INTO digests (partner_id, period, send_at)
    SELECT p.id, g.period, g.send_at
      FROM unnest(${column('timezone')}::text[], ${column('frequency')}::digest_frequency[], ${column('day')}::int[],
                  ${column('hour')}::int[], ${column('period')}::text[], ${sendAt}::timestamptz[])
           AS g(timezone, frequency, day, hour, period, send_at)
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

/**
 * Serializes the start of rounds (inserting their rows and choosing their reach), in the caller's
 * transaction: two rounds started at once (the tick and a `digest run`) would otherwise each take
 * part of the due partners and each give an opportunity its full reach.
 */
export async function lockRoundStart(trx: Executor): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtext('digest_round_start'))`.execute(trx);
}

/**
 * Chooses, once for a whole round (its new ledger rows), which digests may carry each open
 * opportunity: its best `maxReach` partners of the round's period, ranked as matching ranks them.
 * A period ("2027-W02") is one round for the partners, whatever hour each is due in: the tick
 * starts a period's digests hour by hour (each partner at their own local hour), so the places
 * already given to the opportunity by earlier starts of the same period are counted first, and
 * an opportunity never reaches more than `maxReach` partners in one period (a real
 * skill match before a designation alone, then score, then the more specialised partner, then
 * name; the id last so the order is total). Only partners who could receive it count: above
 * their minimum score, not carried to them before, not "not relevant", submitter not muted;
 * and not a partner an earlier round held back once the opportunity has an introduction (the
 * submitter is already talking to a partner).
 *
 * The places given are written to digest_reach, a row each: the builds read them, so batches
 * built in any order, by any number of workers, give an opportunity to at most `maxReach`
 * partners of the round. The round's other candidates, held back, are written compactly to
 * digest_held_back, one row per opportunity with their partner ids: only the rule above reads
 * them, for the few opportunities with an introduction. At 100,000 partners that is 12,500 rows
 * and 500 arrays, where a row per candidate was 2.2 million rows (docs/benchmark.md).
 *
 * The candidates are ranked on narrow rows: the partner's tie-breaks (skill count, company, id)
 * as one number per partner of the round, a real skill match as a flag read from the reasons
 * while scanning matches, so the sort of every candidate compares numbers, not names, and does
 * not carry the reasons along. Returns how many places it gave and how many candidates it held back.
 */
export async function chooseRoundReach(
  db: Executor,
  digestIds: readonly string[],
  maxReach: number,
): Promise<{ places: number; heldBack: number }> {
  if (digestIds.length === 0) return { places: 0, heldBack: 0 };
  const result = await sql<{ places: number; heldBack: number }>`
    WITH round AS (
      SELECT d.id AS digest_id, d.period, p.id AS partner_id, p.min_score,
             -- Matching's order among partners of equal score, as one number: fewer skills, then name, then id.
             row_number() OVER (ORDER BY (SELECT count(*) FROM partner_skills ps WHERE ps.partner_id = p.id), p.company, p.id) AS tiebreak
        FROM digests d
        JOIN partners p ON p.id = d.partner_id
       WHERE d.id = ANY(${digestIds}::uuid[])
    ), given AS (
      -- Places already given in the same periods by earlier starts (other hours of the period).
      SELECT d.period, gr.opportunity_id, count(*) AS n
        FROM digest_reach gr
        JOIN digests d ON d.id = gr.digest_id
       WHERE d.period IN (SELECT DISTINCT period FROM round)
         AND NOT d.id = ANY(${digestIds}::uuid[])
       GROUP BY d.period, gr.opportunity_id
    ), barred AS (
      -- Partners an earlier round held back for an opportunity that has an introduction since.
      SELECT DISTINCT h.opportunity_id, held.partner_id
        FROM digest_held_back h
        CROSS JOIN LATERAL unnest(h.partner_ids) AS held(partner_id)
       WHERE EXISTS (SELECT 1 FROM introductions n WHERE n.opportunity_id = h.opportunity_id)
    ), ranked AS (
      SELECT r.period, r.partner_id, m.opportunity_id, ${maxReach} - coalesce(g.n, 0) AS places,
             row_number() OVER (PARTITION BY r.period, m.opportunity_id ORDER BY NOT m.real, m.score DESC, r.tiebreak) AS rank
        FROM round r
        -- A real skill match: a required skill, not by designation alone.
        JOIN (SELECT partner_id, opportunity_id, score,
                     reasons @? '$.skills[*] ? (@.role == "required" && @.tier != "designation")' AS real
                FROM matches OFFSET 0) m ON m.partner_id = r.partner_id AND m.score >= r.min_score
        JOIN opportunities o ON o.id = m.opportunity_id AND o.status = 'published' AND o.expires_at > now()
        LEFT JOIN given g ON g.period = r.period AND g.opportunity_id = m.opportunity_id
       WHERE NOT EXISTS (SELECT 1 FROM barred b WHERE b.opportunity_id = m.opportunity_id AND b.partner_id = r.partner_id)
         AND NOT EXISTS (SELECT 1 FROM digest_items di
                          WHERE di.partner_id = r.partner_id AND di.opportunity_id = m.opportunity_id)
         AND NOT EXISTS (SELECT 1 FROM not_relevant nr
                          WHERE nr.partner_id = r.partner_id AND nr.opportunity_id = m.opportunity_id)
         AND NOT EXISTS (SELECT 1 FROM muted_submitters ms
                          WHERE ms.partner_id = r.partner_id AND ms.submitter_email = lower(o.submitter_email))
    ), chosen AS (
      SELECT period, opportunity_id,
             array_agg(partner_id) FILTER (WHERE rank <= places) AS given_to,
             array_agg(partner_id ORDER BY partner_id) FILTER (WHERE rank > places) AS held_back
        FROM ranked
       GROUP BY period, opportunity_id
    ), placed AS (
      INSERT INTO digest_reach (digest_id, opportunity_id)
      SELECT r.digest_id, c.opportunity_id
        FROM chosen c
        CROSS JOIN LATERAL unnest(c.given_to) AS u(partner_id)
        JOIN round r ON r.partner_id = u.partner_id AND r.period = c.period
      ON CONFLICT DO NOTHING
      RETURNING 1
    ), held AS (
      INSERT INTO digest_held_back (opportunity_id, period, partner_ids)
      SELECT opportunity_id, period, held_back FROM chosen WHERE held_back IS NOT NULL
      RETURNING cardinality(partner_ids) AS n
    )
    SELECT (SELECT count(*) FROM placed)::int AS places, (SELECT coalesce(sum(n), 0) FROM held)::int AS "heldBack"
  `.execute(db);
  return result.rows[0] ?? { places: 0, heldBack: 0 };
}

/** A round's row as `digest run` follows it: with its send moment, when it was built ahead. */
export type LedgerRow = DigestRow & { sendAt: Date | null };

/** The ledger rows of these (partner, period) pairs' schedules, whatever their status. */
export async function findLedgerRows(
  db: Executor,
  groups: Array<ScheduleGroup & { period: string }>,
  partnerId?: string,
): Promise<LedgerRow[]> {
  if (groups.length === 0) return [];
  const column = <K extends keyof (ScheduleGroup & { period: string })>(key: K) => groups.map((g) => g[key]);
  const rows = await sql<LedgerRow>`
    SELECT d.id, d.partner_id AS "partnerId", d.period, d.status, d.lease_until AS "leaseUntil",
           d.attempts, d.message_id AS "messageId", d.send_at AS "sendAt"
      FROM unnest(${column('timezone')}::text[], ${column('frequency')}::digest_frequency[], ${column('day')}::int[],
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
