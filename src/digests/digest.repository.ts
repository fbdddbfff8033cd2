import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { CompiledQuery, sql, type Selectable } from 'kysely';
import type { Executor } from '../platform/db/database.ts';
import { OPPORTUNITY_CARD_COLUMNS, type OpportunityCard } from '../opportunities/opportunity-columns.ts';
import type { Digests, DigestFrequency, DigestStatus, Partners } from '../platform/db/database.types.ts';
import { MAX_CARDS_PER_DIGEST } from './digest-limits.ts';

// The digest's statements read other features' tables (partners, partner_skills, matches,
// opportunities, not_relevant, muted_submitters, introductions, suppressions) in SQL on purpose: a round builds,
// claims and reads its batches in one statement each, which calls through other services would
// split into many round trips. They only read those tables; every write here is to digests,
// digest_reach and digest_items.

export type { DigestStatus };

export interface ScheduleGroup {
  timezone: string;
  frequency: Exclude<DigestFrequency, 'paused'>;
  day: number;
  hour: number;
}

export type DigestRow = Pick<Selectable<Digests>, (typeof digestColumns)[number]>;

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

const digestColumns = ['id', 'partnerId', 'period', 'status', 'leaseUntil', 'attempts', 'messageId'] as const;

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

export async function findDigest(db: Executor, id: string): Promise<DigestRow | undefined> {
  return (await findDigests(db, [id]))[0];
}

export async function findDigests(db: Executor, ids: readonly string[]): Promise<DigestRow[]> {
  if (ids.length === 0) return [];
  return await db.selectFrom('digests').select(digestColumns).where('id', 'in', ids).execute();
}

export type BuildResult = 'ready' | 'skipped';

/**
 * Builds a batch of ledger rows in one statement: it locks those still pending (skipping rows
 * another worker holds), ranks each partner's matches in the digest's reach (the opportunities
 * its round chose it for, see chooseRoundReach) that no digest has carried yet (above
 * their minimum score, opportunities still published and not expired, not marked "not relevant"
 * and not from a submitter the partner muted, best first), stores the top ones as the digest's
 * items and marks each row ready, or skipped when nothing was left.
 * Rows not in the result were locked elsewhere, finished before, or do not exist.
 *
 * One statement per batch instead of a transaction per digest: per-row round trips were most of
 * a round's time. ON CONFLICT keeps UNIQUE (partner, opportunity) from failing the batch when a
 * partner has two rows in it (or a concurrent build): the opportunity goes to one of them.
 */
export async function buildDigests(db: Executor, ids: readonly string[]): Promise<Map<string, BuildResult>> {
  if (ids.length === 0) return new Map();
  const result = await sql<{ id: string; status: BuildResult }>`
    WITH claimed AS (
      SELECT d.id, d.partner_id
        FROM digests d
       WHERE d.id = ANY(${ids}::uuid[]) AND d.status IN ('pending', 'building')
         FOR UPDATE SKIP LOCKED
    ), ranked AS (
      SELECT c.id AS digest_id, c.partner_id, m.opportunity_id, m.score,
             row_number() OVER (PARTITION BY c.id ORDER BY m.score DESC, o.published_at DESC, o.id) AS rank,
             least(p.max_items, ${MAX_CARDS_PER_DIGEST}) AS cap
        FROM claimed c
        JOIN partners p ON p.id = c.partner_id
        -- Only what the round chose this digest for (chooseRoundReach): fair exposure.
        JOIN digest_reach r ON r.digest_id = c.id AND NOT r.held_back
        JOIN matches m ON m.partner_id = c.partner_id AND m.opportunity_id = r.opportunity_id AND m.score >= p.min_score
        JOIN opportunities o ON o.id = m.opportunity_id AND o.status = 'published' AND o.expires_at > now()
       WHERE NOT EXISTS (SELECT 1 FROM digest_items di
                          WHERE di.partner_id = c.partner_id AND di.opportunity_id = m.opportunity_id)
         -- Matched before the partner said so: a mute or a "not relevant" holds from the next digest on.
         AND NOT EXISTS (SELECT 1 FROM not_relevant nr
                          WHERE nr.partner_id = c.partner_id AND nr.opportunity_id = m.opportunity_id)
         AND NOT EXISTS (SELECT 1 FROM muted_submitters ms
                          WHERE ms.partner_id = c.partner_id AND ms.submitter_email = lower(o.submitter_email))
    ), items AS (
      INSERT INTO digest_items (digest_id, partner_id, opportunity_id, position, score)
      SELECT digest_id, partner_id, opportunity_id, (rank - 1)::smallint, score FROM ranked WHERE rank <= cap
      ON CONFLICT DO NOTHING
      RETURNING digest_id
    ), counted AS (
      SELECT digest_id, count(*) AS n FROM items GROUP BY digest_id
    )
    UPDATE digests d
       SET status = CASE WHEN k.n IS NULL THEN 'skipped'::digest_status ELSE 'ready' END,
           lease_until = NULL,
           built_at = CASE WHEN k.n IS NULL THEN NULL ELSE now() END,
           last_error = CASE WHEN k.n IS NULL THEN 'nothing new to send' ELSE d.last_error END,
           updated_at = now()
      FROM claimed c
      LEFT JOIN counted k ON k.digest_id = c.id
     WHERE d.id = c.id
    RETURNING d.id, d.status
  `.execute(db);
  return new Map(result.rows.map((r) => [r.id, r.status]));
}

/** What a digest card shows of an opportunity (the opportunities feature names the columns). */
export type CardOpportunity = OpportunityCard;

/** One card of a digest: the partner's match and the opportunity (shared by every digest of a batch). */
export interface DigestItemContent {
  digestId: string;
  opportunityId: string;
  score: number;
  reasons: unknown;
  opportunity: CardOpportunity;
}

/**
 * The items of these built digests whose opportunity is still open now, grouped by digest in
 * digest order. Two queries: the items with their match reasons, then each opportunity once
 * (a batch's digests share most of them).
 *
 * The reasons come from a correlated subquery on purpose: it is always one primary-key lookup
 * per item, where a join let the planner, misled by a freshly filled digest_items, hash-join a
 * sequential scan of every match (200 ms a batch instead of 2).
 *
 * `closedIn`, when given, receives the ids of the digests that lost an item this way.
 */
export async function openDigestItems(
  db: Executor,
  digestIds: readonly string[],
  closedIn?: Set<string>,
): Promise<Map<string, DigestItemContent[]>> {
  const byDigest = new Map<string, DigestItemContent[]>();
  if (digestIds.length === 0) return byDigest;
  const items = await sql<Omit<DigestItemContent, 'opportunity'>>`
    SELECT di.digest_id AS "digestId", di.opportunity_id AS "opportunityId", di.score,
           (SELECT m.reasons FROM matches m
             WHERE m.opportunity_id = di.opportunity_id AND m.partner_id = di.partner_id) AS reasons
      FROM digest_items di
     WHERE di.digest_id = ANY(${digestIds}::uuid[])
     ORDER BY di.digest_id, di.position
  `.execute(db);
  const opportunityIds = [...new Set(items.rows.map((i) => i.opportunityId))];
  if (opportunityIds.length === 0) return byDigest;
  const open = await db
    .selectFrom('opportunities')
    .select(OPPORTUNITY_CARD_COLUMNS)
    .where('id', 'in', opportunityIds)
    .where('status', '=', 'published')
    .where('expiresAt', '>', sql<Date>`now()`)
    .execute();
  const byId = new Map(open.map((o) => [o.id, o]));
  for (const item of items.rows) {
    const opportunity = byId.get(item.opportunityId);
    if (!opportunity) {
      closedIn?.add(item.digestId); // closed, withdrawn or expired since the digest was built
      continue;
    }
    const list = byDigest.get(item.digestId);
    const entry = { ...item, opportunity };
    if (list) list.push(entry);
    else byDigest.set(item.digestId, [entry]);
  }
  return byDigest;
}

/**
 * Unfinished rows nobody is working on: pending or ready for longer than `graceSeconds` (their
 * job was lost), or building/sending with an expired lease (their worker died). A row built ahead
 * waits for its send moment (`send_at`, against `at`, the service's clock; now() without it) in a delayed job: it
 * counts as lost only once that moment is `graceSeconds` past. Taking them restarts their grace
 * period, so a backlog that is merely slow is re-enqueued once per grace period, not at every
 * pass of the reconciler. Rows locked by a build in progress are skipped.
 */
export async function takeStaleDigests(db: Executor, graceSeconds: number, limit = 5000, at?: Date): Promise<DigestRow[]> {
  const result = await sql<DigestRow>`
    UPDATE digests d
       SET updated_at = now()
      FROM (SELECT id FROM digests
             WHERE (status IN ('pending', 'ready') AND updated_at < now() - make_interval(secs => ${graceSeconds})
                    AND (status = 'pending' OR send_at IS NULL
                         OR send_at <= coalesce(${at ?? null}::timestamptz, now()) - make_interval(secs => ${graceSeconds})))
                OR (status IN ('building', 'sending') AND lease_until < now())
             ORDER BY created_at
             LIMIT ${limit}
               FOR UPDATE SKIP LOCKED) stale
     WHERE d.id = stale.id
    RETURNING d.id, d.partner_id AS "partnerId", d.period, d.status, d.lease_until AS "leaseUntil", d.attempts,
              d.message_id AS "messageId"
  `.execute(db);
  return result.rows;
}

/** A row claimed for sending, with the token of the claim that holds it. */
export type ClaimedRow = DigestRow & {
  claimToken: string;
  createdAt: Date;
  sendAt: Date | null;
  /** What the stored message was composed from (storeComposed); null when none is stored. */
  composedFingerprint: string | null;
};

/**
 * Claims built rows for sending in one statement: ready, or sending with an expired lease (their
 * worker died), whose send moment has come (`send_at`, built ahead, against `at`: the service's
 * clock; now() without it), within the send window (from the send moment, or from the row's creation when it has
 * none), and with claims left that did not end in a transient failure. Every row gets the claim's
 * token, a lease, attempts + 1 and its deterministic Message-ID; rows that were not claimable are
 * not in the result.
 */
export async function claimForSending(
  db: Executor,
  ids: readonly string[],
  settings: { token: string; leaseSeconds: number; maxAttempts: number; mailDomain: string; windowSeconds: number; at?: Date },
): Promise<ClaimedRow[]> {
  if (ids.length === 0) return [];
  const result = await sql<ClaimedRow>`
    UPDATE digests
       SET status = 'sending',
           claim_token = ${settings.token}::uuid,
           handed_at = NULL,
           lease_until = now() + make_interval(secs => ${settings.leaseSeconds}),
           attempts = attempts + 1,
           message_id = '<digest.' || id || '@' || ${settings.mailDomain}::text || '>',
           updated_at = now()
     WHERE id = ANY(${ids}::uuid[])
       AND attempts - deferrals < ${settings.maxAttempts}
       AND coalesce(send_at, created_at) > now() - make_interval(secs => ${settings.windowSeconds})
       AND (send_at IS NULL OR send_at <= coalesce(${settings.at ?? null}::timestamptz, now()))
       AND (status = 'ready' OR (status = 'sending' AND lease_until < now()))
    RETURNING id, partner_id AS "partnerId", period, status, lease_until AS "leaseUntil", attempts, message_id AS "messageId",
              claim_token AS "claimToken", created_at AS "createdAt", send_at AS "sendAt",
              composed_fingerprint AS "composedFingerprint"
  `.execute(db);
  return result.rows;
}

/**
 * The fence before SMTP: the row is still this claim's (same token, lease not run out) and is
 * marked as being handed to SMTP, with a fresh lease that the holder's heartbeat keeps alive.
 * False when another worker took the row over meanwhile: the caller must not send it.
 */
const HAND_OVER_SQL = `
  UPDATE digests
     SET handed_at = now(), lease_until = now() + make_interval(secs => $3::int), updated_at = now()
   WHERE id = $1 AND claim_token = $2::uuid AND status = 'sending' AND lease_until > now()
  RETURNING CASE WHEN $4::boolean THEN composed_message END AS composed`;

/**
 * Whether the row may go to SMTP; with `withComposed`, also the message stored for it
 * (storeComposed), read in the same round trip (null when none is stored).
 */
export interface HandOver {
  handed: boolean;
  /** The stored message, inflated (the mailer's `compose` bytes). */
  composed: Buffer | null;
}

export async function markHandingToSmtp(
  db: Executor,
  row: { id: string; claimToken: string },
  leaseSeconds: number,
  withComposed = false,
): Promise<HandOver> {
  const result = await db.executeQuery<{ composed: Buffer | null }>(CompiledQuery.raw(HAND_OVER_SQL, [row.id, row.claimToken, leaseSeconds, withComposed]));
  return { handed: result.rows.length === 1, composed: inflated(result.rows[0]?.composed) };
}

/**
 * A row this claim still holds but could not hand over in time (its lease ran out while it
 * waited its turn) goes back to ready, and the claim does not count as an attempt: the message
 * never reached SMTP. updated_at is left as the claim set it, so the reconciler, which takes
 * ready rows untouched for its grace period, finds it soon.
 */
export async function giveBackUnsent(db: Executor, row: { id: string; claimToken: string }): Promise<boolean> {
  const result = await sql`
    UPDATE digests
       SET status = 'ready', lease_until = NULL, attempts = attempts - 1
     WHERE id = ${row.id} AND claim_token = ${row.claimToken}::uuid AND status = 'sending' AND handed_at IS NULL
  `.execute(db);
  return Number(result.numAffectedRows ?? 0) > 0;
}

/** The heartbeat: renews the leases of rows still held by these claims; returns the ids renewed. */
export async function renewLeases(db: Executor, held: ReadonlyArray<{ id: string; claimToken: string }>, leaseSeconds: number): Promise<string[]> {
  if (held.length === 0) return [];
  const result = await sql<{ id: string }>`
    UPDATE digests d
       SET lease_until = now() + make_interval(secs => ${leaseSeconds})
      FROM unnest(${held.map((h) => h.id)}::uuid[], ${held.map((h) => h.claimToken)}::uuid[]) AS h(id, token)
     WHERE d.id = h.id AND d.claim_token = h.token AND d.status = 'sending'
    RETURNING d.id
  `.execute(db);
  return result.rows.map((r) => r.id);
}

/**
 * The last step of a digest, run once per email right after SMTP's answer: prepared once, it
 * skips query building on the busiest path of a round. Fenced by the claim's token, not by the
 * lease: once SMTP has answered, the truth is recorded even if the lease ran out meanwhile, as
 * long as nobody took the row over.
 */
const FINISH_SQL = `
  UPDATE digests
     SET status = $2::digest_status, lease_until = NULL, subject = coalesce($3, subject), last_error = $4,
         sent_at = CASE WHEN $2::digest_status = 'sent' THEN now() ELSE sent_at END, smtp_response = $6,
         composed_message = NULL, composed_fingerprint = NULL, updated_at = now()
   WHERE id = $1 AND claim_token = $5::uuid AND status = 'sending'`;

/** Finishes a claimed row; false when the claim had lost the row to another. */
export async function finishDigest(
  db: Executor,
  row: { id: string; claimToken: string },
  status: 'sent' | 'skipped' | 'failed',
  extra: { subject?: string; lastError?: string | null; smtpResponse?: string | null },
): Promise<boolean> {
  const result = await db.executeQuery(
    CompiledQuery.raw(FINISH_SQL, [row.id, status, extra.subject ?? null, extra.lastError ?? null, row.claimToken, extra.smtpResponse ?? null]),
  );
  return Number(result.numAffectedRows ?? 0) === 1;
}

/**
 * One round trip where two were: the previous row's SMTP answer recorded (FINISH_SQL as 'sent')
 * and the next row's fence (HAND_OVER_SQL), in one statement. A claim's rows go to SMTP one after
 * the other, so the finish of one and the fence of the next are due at the same moment; each
 * keeps its own condition (the finish fenced by the token, the hand-over by the token and the
 * lease), and neither depends on the other's outcome: a refused finish (the row taken over) does
 * not stop the next row, and a lost next row does not undo the finish. Both commit together.
 */
const FINISH_AND_HAND_OVER_SQL = `
  WITH finished AS (
    UPDATE digests
       SET status = 'sent', lease_until = NULL, subject = coalesce($3, subject), last_error = NULL,
           sent_at = now(), smtp_response = $4, composed_message = NULL, composed_fingerprint = NULL, updated_at = now()
     WHERE id = $1 AND claim_token = $2::uuid AND status = 'sending'
    RETURNING id
  ), handed AS (
    UPDATE digests
       SET handed_at = now(), lease_until = now() + make_interval(secs => $7::int), updated_at = now()
     WHERE id = $5 AND claim_token = $6::uuid AND status = 'sending' AND lease_until > now()
    RETURNING CASE WHEN $8::boolean THEN composed_message END AS composed
  )
  SELECT (SELECT count(*)::int FROM finished) AS finished, (SELECT count(*)::int FROM handed) AS handed,
         (SELECT composed FROM handed) AS composed`;

export async function finishSentAndHandOver(
  db: Executor,
  sent: { row: { id: string; claimToken: string }; subject: string | null; smtpResponse: string | null },
  next: { id: string; claimToken: string },
  leaseSeconds: number,
  withComposed = false,
): Promise<HandOver & { finished: boolean }> {
  const result = await db.executeQuery<{ finished: number; handed: number; composed: Buffer | null }>(
    CompiledQuery.raw(FINISH_AND_HAND_OVER_SQL, [
      sent.row.id,
      sent.row.claimToken,
      sent.subject,
      sent.smtpResponse,
      next.id,
      next.claimToken,
      leaseSeconds,
      withComposed,
    ]),
  );
  const counts = result.rows[0];
  return { finished: counts?.finished === 1, handed: counts?.handed === 1, composed: inflated(counts?.composed) };
}

/**
 * Stored messages are raw DEFLATE at level 1 (60 KB → about 9 KB, 0.2 ms to deflate at the
 * build, 0.06 ms to inflate at the send): each message passes through the driver twice, and
 * whole messages took a round's peak RSS from about 420 to 560 MB.
 */
const deflated = (message: Buffer) => deflateRawSync(message, { level: 1 });
const inflated = (stored: Buffer | null | undefined) => (stored ? inflateRawSync(stored) : null);

/**
 * Keeps the messages composed ahead for built rows, with the subject each carries and the
 * fingerprint of what it was made from. Only rows still ready: one claimed meanwhile is
 * rendered by its sender. One statement for a few rows, each message a parameter of its own:
 * passed as an array, every message was escaped into one Postgres array literal (the HTML's
 * quotes), which cost more CPU and memory than the round trips it saved.
 */
export async function storeComposed(db: Executor, rows: ReadonlyArray<{ id: string; subject: string; fingerprint: string; composed: Buffer }>): Promise<number> {
  if (rows.length === 0) return 0;
  const values = rows.map((_, i) => `($${i * 4 + 1}::uuid, $${i * 4 + 2}::bytea, $${i * 4 + 3}, $${i * 4 + 4})`).join(', ');
  const result = await db.executeQuery(
    CompiledQuery.raw(
      `UPDATE digests d SET composed_message = c.composed, composed_fingerprint = c.fingerprint, subject = c.subject
         FROM (VALUES ${values}) AS c(id, composed, fingerprint, subject)
        WHERE d.id = c.id AND d.status = 'ready'`,
      rows.flatMap((r) => [r.id, deflated(r.composed), r.fingerprint, r.subject]),
    ),
  );
  return Number(result.numAffectedRows ?? 0);
}

/**
 * Finishes a claimed row as skipped without sending it (the partner unsubscribed, paused or was
 * suppressed, or every opportunity closed, after the row was built): in the same statement its
 * digest_items go, so nothing it never carried counts as carried, and an opportunity still open
 * can reach the partner later. Fenced by the claim's token like finishDigest; false when the
 * claim had lost the row.
 */
export async function finishUnsent(db: Executor, row: { id: string; claimToken: string }, reason: string): Promise<boolean> {
  const result = await sql<{ id: string }>`
    WITH finished AS (
      UPDATE digests
         SET status = 'skipped', lease_until = NULL, last_error = ${reason},
             composed_message = NULL, composed_fingerprint = NULL, updated_at = now()
       WHERE id = ${row.id} AND claim_token = ${row.claimToken}::uuid AND status = 'sending'
      RETURNING id
    ), dropped AS (
      DELETE FROM digest_items di USING finished f WHERE di.digest_id = f.id
    )
    SELECT id FROM finished
  `.execute(db);
  return result.rows.length === 1;
}

/**
 * A claimed row some of whose opportunities closed (withdrawn, closed, expired) since it was
 * built: their digest_items go and the cards left are numbered again from 0, so card #n of the
 * email is the item at position n - 1 (a reply "interested #2" names it by that number). One
 * statement, fenced by the claim's token; false when the claim had lost the row.
 */
export async function keepOnlyItems(db: Executor, row: { id: string; claimToken: string }, opportunityIds: readonly string[]): Promise<boolean> {
  const result = await sql<{ id: string }>`
    WITH held AS (
      SELECT id FROM digests WHERE id = ${row.id} AND claim_token = ${row.claimToken}::uuid AND status = 'sending' FOR UPDATE
    ), kept AS (
      SELECT k.id, (k.n - 1)::smallint AS position FROM unnest(${opportunityIds}::uuid[]) WITH ORDINALITY AS k(id, n)
    ), dropped AS (
      DELETE FROM digest_items di USING held h
       WHERE di.digest_id = h.id AND NOT di.opportunity_id = ANY(${opportunityIds}::uuid[])
    ), renumbered AS (
      UPDATE digest_items di SET position = k.position
        FROM held h, kept k
       WHERE di.digest_id = h.id AND di.opportunity_id = k.id AND di.position <> k.position
    )
    SELECT id FROM held
  `.execute(db);
  return result.rows.length === 1;
}

/**
 * Gives a claimed row back after a transient SMTP failure, for a retry: the failure is counted
 * as a deferral, which does not use up the row's attempts. False when the claim had lost the row.
 */
export async function releaseDigest(db: Executor, row: { id: string; claimToken: string }, reason: string): Promise<boolean> {
  const result = await sql`
    UPDATE digests
       SET status = 'ready', lease_until = NULL, handed_at = NULL, deferrals = deferrals + 1, last_error = ${reason},
           updated_at = now()
     WHERE id = ${row.id} AND claim_token = ${row.claimToken}::uuid AND status = 'sending'
  `.execute(db);
  return Number(result.numAffectedRows ?? 0) === 1;
}

/**
 * Says that a job still carries these ready rows (a send that waited for SMTP and queued itself
 * again): the reconciler, which re-enqueues ready rows left alone for its grace period, then
 * does not add a job of its own for each of them at every pass of a long outage.
 */
export async function touchQueuedDigests(db: Executor, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await sql`UPDATE digests SET updated_at = now() WHERE id = ANY(${ids}::uuid[]) AND status = 'ready'`.execute(db);
}

/** Fails a row nobody holds (ready, or sending past its lease): it ran out of window or attempts. */
export async function giveUpDigest(db: Executor, id: string, reason: string): Promise<boolean> {
  const result = await sql`
    UPDATE digests
       SET status = 'failed', lease_until = NULL, last_error = ${reason},
           composed_message = NULL, composed_fingerprint = NULL, updated_at = now()
     WHERE id = ${id} AND (status = 'ready' OR (status = 'sending' AND lease_until < now()))
  `.execute(db);
  return Number(result.numAffectedRows ?? 0) === 1;
}

/** What explains an unclaimable row: its status, lease, attempts, deferrals and age. */
export type LedgerState = DigestRow & Pick<Selectable<Digests>, 'deferrals' | 'createdAt' | 'lastError' | 'sendAt'>;

export async function findLedgerStates(db: Executor, ids: readonly string[]): Promise<LedgerState[]> {
  if (ids.length === 0) return [];
  return await db
    .selectFrom('digests')
    .select([...digestColumns, 'deferrals', 'createdAt', 'lastError', 'sendAt'])
    .where('id', 'in', ids)
    .execute();
}

/** A raw-SQL projection of partners, typed from the table where it is the table's. */
export interface Recipient extends Pick<Selectable<Partners>, 'id' | 'email' | 'company' | 'contactName' | 'status'> {
  skillIds: number[];
  suppressed: boolean;
  /** The partner paused their digests (digest_frequency 'paused'). */
  paused: boolean;
}

/** The partners digests go to, with their skills, whether their address is suppressed and whether they paused. */
export async function findRecipients(db: Executor, partnerIds: readonly string[]): Promise<Map<string, Recipient>> {
  if (partnerIds.length === 0) return new Map();
  const result = await sql<Recipient>`
    SELECT p.id, p.email, p.company, p.contact_name AS "contactName", p.status,
           ARRAY(SELECT skill_id FROM partner_skills ps WHERE ps.partner_id = p.id) AS "skillIds",
           EXISTS (SELECT 1 FROM suppressions s WHERE s.email = lower(p.email)) AS suppressed,
           p.digest_frequency = 'paused' AS paused
      FROM partners p
     WHERE p.id = ANY(${partnerIds}::uuid[])
  `.execute(db);
  return new Map(result.rows.map((r) => [r.id, r]));
}

/** The opportunity on a digest's card at `position` (0 = the first from the top), or undefined. */
export async function findItemAt(db: Executor, digestId: string, position: number): Promise<string | undefined> {
  const row = await db
    .selectFrom('digestItems')
    .select('opportunityId')
    .where('digestId', '=', digestId)
    .where('position', '=', position)
    .executeTakeFirst();
  return row?.opportunityId;
}

/** How many sent digests carried an opportunity, per day (UTC, 'YYYY-MM-DD'), earliest first. */
export async function digestsSentPerDay(db: Executor, opportunityId: string): Promise<Array<{ day: string; digests: number; alerts: number }>> {
  const rows = await db
    .selectFrom('digestItems as di')
    .innerJoin('digests as d', 'd.id', 'di.digestId')
    .select(sql<string>`to_char(d.sent_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')`.as('day'))
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .select(sql<string>`count(*) FILTER (WHERE d.kind = 'alert')`.as('alerts'))
    .where('di.opportunityId', '=', opportunityId)
    .where('d.status', '=', 'sent')
    .groupBy(sql`1`)
    .orderBy(sql`1`)
    .execute();
  return rows.map((r) => ({ day: r.day, digests: Number(r.n), alerts: Number(r.alerts) }));
}

/** How many digest rows of these periods are in each status (the operator's overview). */
export async function countDigestsByStatus(db: Executor, periods: string[]): Promise<Array<{ status: DigestStatus; count: number }>> {
  if (periods.length === 0) return [];
  const rows = await db
    .selectFrom('digests')
    .select(['status', (eb) => eb.fn.countAll<string>().as('n')])
    .where('period', 'in', periods)
    .groupBy('status')
    .execute();
  return rows.map((r) => ({ status: r.status, count: Number(r.n) }));
}

/** One digest of the ledger as the operator's console shows it: what became of it and SMTP's answers. */
export type DigestHistoryRow = Pick<
  Selectable<Digests>,
  'id' | 'partnerId' | 'period' | 'status' | 'attempts' | 'deferrals' | 'subject' | 'lastError' | 'smtpResponse' | 'sentAt' | 'createdAt'
> & { items: number };

const historyColumns = [
  'd.id', 'd.partnerId', 'd.period', 'd.status', 'd.attempts', 'd.deferrals', 'd.subject', 'd.lastError', 'd.smtpResponse', 'd.sentAt', 'd.createdAt',
] as const;

/** A partner's digests, newest first (the console's partner page). */
export async function listDigestsOfPartner(db: Executor, partnerId: string, limit: number): Promise<DigestHistoryRow[]> {
  return await db
    .selectFrom('digests as d')
    .select(historyColumns)
    .select(sql<number>`(SELECT count(*)::int FROM digest_items di WHERE di.digest_id = d.id)`.as('items'))
    .where('d.partnerId', '=', partnerId)
    .orderBy('d.createdAt', 'desc')
    .orderBy('d.id', 'desc')
    .limit(limit)
    .execute();
}

/** Which failed rows an operator resends: one row, or every failed row of a period. */
export type ReopenFilter = { id: string } | { period: string };

/**
 * Failed rows go back to ready, to be claimed and sent like any other (the claim's fence and
 * the ledger's UNIQUE keys still hold). Only rows that are failed *now* are touched, in one
 * statement: of two resends of the same row, one reopens it and the other finds nothing, so
 * nothing is sent twice. The claim counters start afresh, and so does the send window (it counts
 * from send_at, or created_at without one: the reopened row has none, and is created anew): a row
 * that failed because its window ended would otherwise fail again at once.
 */
export async function reopenFailedDigests(db: Executor, filter: ReopenFilter): Promise<string[]> {
  let q = db
    .updateTable('digests')
    .set({
      status: 'ready',
      attempts: 0,
      deferrals: 0,
      leaseUntil: null,
      claimToken: null,
      handedAt: null,
      sendAt: null,
      createdAt: sql`now()`,
      updatedAt: sql`now()`,
    })
    .where('status', '=', 'failed');
  q = 'id' in filter ? q.where('id', '=', filter.id) : q.where('period', '=', filter.period);
  return (await q.returning('id').execute()).map((r) => r.id);
}

/** The failed rows of a period, with the partner and SMTP's last answer (the console's digests page). */
export async function listFailedDigests(db: Executor, period: string, limit: number) {
  return await db
    .selectFrom('digests as d')
    .innerJoin('partners as p', 'p.id', 'd.partnerId')
    .select(['d.id', 'd.partnerId', 'p.company', 'p.email', 'd.attempts', 'd.lastError', 'd.updatedAt'])
    .where('d.period', '=', period)
    .where('d.status', '=', 'failed')
    .orderBy('d.updatedAt', 'desc')
    .limit(limit)
    .execute();
}

/** The latest sent rows of a period, with the partner and SMTP's "250 …" (the console's digests page). */
export async function listSentDigests(db: Executor, period: string, limit: number) {
  return await db
    .selectFrom('digests as d')
    .innerJoin('partners as p', 'p.id', 'd.partnerId')
    .select(['d.id', 'd.partnerId', 'p.company', 'p.email', 'd.smtpResponse', 'd.sentAt'])
    .where('d.period', '=', period)
    .where('d.status', '=', 'sent')
    .orderBy('d.sentAt', 'desc')
    .limit(limit)
    .execute();
}

/** The latest periods with their rows counted by status, newest period first. */
export async function countDigestsByPeriod(db: Executor, periods: number): Promise<Array<{ period: string; status: DigestStatus; count: number }>> {
  const rows = await sql<{ period: string; status: DigestStatus; n: string }>`
    SELECT period, status, count(*) AS n FROM digests
     WHERE period IN (SELECT DISTINCT period FROM digests WHERE kind = 'digest' ORDER BY period DESC LIMIT ${periods})
     GROUP BY period, status ORDER BY period DESC, status
  `.execute(db);
  return rows.rows.map((r) => ({ period: r.period, status: r.status, count: Number(r.n) }));
}

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
