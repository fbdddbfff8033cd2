import { sql } from 'kysely';
import type { Executor } from '../platform/db/database.ts';

// These statements read other features' tables in SQL on purpose: see the note at the top of
// digest-ledger.repository.ts.

/** Urgent work's rules, from the configuration (URGENT_ALERTS_PER_DAY, URGENT_QUIET_HOURS). */
export interface UrgentRules {
  alertsPerDay: number;
  /** Local hours [start, end) in which no alert is sent; null: none. */
  quietHours: { start: number; end: number } | null;
}

/** Serializes the creation of alert and daily-summary rows: the per-day cap is counted under it. */
export async function lockUrgentStart(trx: Executor): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtext('digest_urgent_start'))`.execute(trx);
}

/** Whether `at` falls in the quiet hours of partner `p`'s time zone (SQL over `p.timezone`). */
function inQuietHours(at: Date, quiet: UrgentRules['quietHours']) {
  if (!quiet) return sql<boolean>`false`;
  const hour = sql`extract(hour FROM (${at}::timestamptz AT TIME ZONE p.timezone))`;
  return quiet.start < quiet.end
    ? sql<boolean>`(${hour} >= ${quiet.start} AND ${hour} < ${quiet.end})`
    : sql<boolean>`(${hour} >= ${quiet.start} OR ${hour} < ${quiet.end})`;
}

/**
 * What a digest respects, for partner `p`, match `m` and opportunity `o` in the surrounding SQL:
 * above the partner's minimum score, not carried to them before (by any kind of row), not
 * "not relevant", the submitter not muted; the opportunity open and urgent; the partner active,
 * not paused and not suppressed.
 */
const urgentEligible = sql`m.score >= p.min_score
         AND o.urgent AND o.status = 'published' AND o.expires_at > now() AND o.matched_at IS NOT NULL
         AND p.status = 'active' AND p.digest_frequency <> 'paused'
         AND NOT EXISTS (SELECT 1 FROM suppressions s WHERE s.email = lower(p.email))
         AND NOT EXISTS (SELECT 1 FROM digest_items di WHERE di.partner_id = p.id AND di.opportunity_id = o.id)
         AND NOT EXISTS (SELECT 1 FROM not_relevant nr WHERE nr.partner_id = p.id AND nr.opportunity_id = o.id)
         AND NOT EXISTS (SELECT 1 FROM muted_submitters ms WHERE ms.partner_id = p.id AND ms.submitter_email = lower(o.submitter_email))`;

/**
 * Creates alert rows (kind 'alert', period `alert:<opportunity id>`, one per partner and
 * opportunity by the ledger's UNIQUE (partner, period)) for partners who take urgent work "as it
 * comes", outside their quiet hours, up to `alertsPerDay` alerts per partner per local day (rows
 * not skipped, counted by the partner's local date; best matches first), each with its one
 * opportunity in digest_reach so the ordinary build picks it. Only `opportunityId` when given,
 * else every open urgent opportunity. Run under lockUrgentStart. Returns the new rows' ids.
 */
export async function insertAlertRows(db: Executor, at: Date, rules: UrgentRules, opportunityId?: string): Promise<string[]> {
  if (rules.alertsPerDay <= 0) return [];
  const result = await sql<{ digestId: string }>`
    WITH candidates AS (
      SELECT p.id AS partner_id, o.id AS opportunity_id,
             row_number() OVER (PARTITION BY p.id ORDER BY m.score DESC, o.published_at, o.id) AS n,
             (SELECT count(*) FROM digests a
               WHERE a.partner_id = p.id AND a.kind = 'alert' AND a.status <> 'skipped'
                 AND a.created_at > ${at}::timestamptz - interval '2 days'
                 AND (a.created_at AT TIME ZONE p.timezone)::date = (${at}::timestamptz AT TIME ZONE p.timezone)::date) AS today
        FROM opportunities o
        JOIN matches m ON m.opportunity_id = o.id
        JOIN partners p ON p.id = m.partner_id
       WHERE (${opportunityId ?? null}::uuid IS NULL OR o.id = ${opportunityId ?? null}::uuid)
         AND p.urgent_delivery = 'alert'
         AND ${urgentEligible}
         AND NOT ${inQuietHours(at, rules.quietHours)}
         AND NOT EXISTS (SELECT 1 FROM digests d WHERE d.partner_id = p.id AND d.period = 'alert:' || o.id::text)
    ), created AS (
      INSERT INTO digests (partner_id, period, kind)
      SELECT partner_id, 'alert:' || opportunity_id::text, 'alert' FROM candidates WHERE today + n <= ${rules.alertsPerDay}
      ON CONFLICT (partner_id, period) DO NOTHING
      RETURNING id, period
    )
    INSERT INTO digest_reach (digest_id, opportunity_id)
    SELECT id, substr(period, 7)::uuid FROM created
    RETURNING digest_id AS "digestId"
  `.execute(db);
  return result.rows.map((r) => r.digestId);
}

/**
 * A daily summary is due at the partner's digest hour and for this many hours after it (a pass
 * missed while the service was down is caught up); later in the day, what comes in waits for
 * tomorrow's, so a summary never arrives at an hour the partner did not choose.
 */
export const DAILY_CATCH_UP_HOURS = 3;

/**
 * Creates today's daily summary (kind 'daily', period `daily:<local date>`) for partners who take
 * urgent work in a daily summary, or "as it comes" (what their alerts could not carry: over the
 * day's cap, or quiet hours), once their digest hour has passed in their time zone, and only
 * when an urgent opportunity waits for them. Its reach is every such opportunity, so the
 * ordinary build picks them (up to the partner's max items). Run under lockUrgentStart.
 */
export async function insertDailyRows(db: Executor, at: Date): Promise<string[]> {
  const result = await sql<{ digestId: string }>`
    WITH candidates AS (
      SELECT p.id AS partner_id, o.id AS opportunity_id,
             'daily:' || to_char((${at}::timestamptz AT TIME ZONE p.timezone)::date, 'YYYY-MM-DD') AS period
        FROM partners p
        JOIN matches m ON m.partner_id = p.id
        JOIN opportunities o ON o.id = m.opportunity_id
       WHERE p.urgent_delivery IN ('alert', 'daily')
         AND extract(hour FROM (${at}::timestamptz AT TIME ZONE p.timezone)) >= p.digest_hour
         AND extract(hour FROM (${at}::timestamptz AT TIME ZONE p.timezone)) < p.digest_hour + ${DAILY_CATCH_UP_HOURS}
         AND ${urgentEligible}
    ), fresh AS (
      SELECT c.* FROM candidates c
       WHERE NOT EXISTS (SELECT 1 FROM digests d WHERE d.partner_id = c.partner_id AND d.period = c.period)
    ), created AS (
      INSERT INTO digests (partner_id, period, kind)
      SELECT DISTINCT partner_id, period, 'daily'::digest_kind FROM fresh
      ON CONFLICT (partner_id, period) DO NOTHING
      RETURNING id, partner_id, period
    )
    INSERT INTO digest_reach (digest_id, opportunity_id)
    SELECT r.id, f.opportunity_id FROM created r JOIN fresh f ON f.partner_id = r.partner_id AND f.period = r.period
    RETURNING digest_id AS "digestId"
  `.execute(db);
  return [...new Set(result.rows.map((r) => r.digestId))];
}
