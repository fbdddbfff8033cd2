import { sql, type Transaction } from 'kysely';
import type { Executor } from '../platform/db/database.ts';
import type { DB, OutcomeAmount, OutcomeAnswer, OutcomeSide } from '../platform/db/database.types.ts';
import type { LoopStage } from '../platform/metrics/metrics.ts';

// The outcome loop's own tables are outcome_requests and partner_outcome_stats. Three statements
// here also read the interest loop's introductions (and the stats one digests and interests), on
// purpose, where one statement is the point: finding the introductions not asked about yet, the
// count of a partner's confirmed introductions (recounted under a lock, so it cannot drift), and
// the operator's monthly report, read from one snapshot. They only read those tables.

export interface OutcomeRequestRow {
  id: string;
  introductionId: string;
  side: OutcomeSide;
  askedAt: Date;
  remindedAt: Date | null;
  answer: OutcomeAnswer | null;
  amount: OutcomeAmount | null;
  note: string | null;
  answeredAt: Date | null;
}

const COLUMNS = ['id', 'introductionId', 'side', 'askedAt', 'remindedAt', 'answer', 'amount', 'note', 'answeredAt'] as const;

/**
 * Introductions made at or before `cutoff` and after `notBefore` that nobody was asked about yet,
 * oldest first. Served by introductions_created_at_idx and outcome_requests' UNIQUE index.
 */
export async function findIntroductionsToAsk(db: Executor, cutoff: Date, notBefore: Date, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('introductions as n')
    .select('n.id')
    .where('n.createdAt', '<=', cutoff)
    .where('n.createdAt', '>', notBefore)
    .where((eb) => eb.not(eb.exists(eb.selectFrom('outcomeRequests as r').select('r.id').whereRef('r.introductionId', '=', 'n.id'))))
    .orderBy('n.createdAt')
    .orderBy('n.id')
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}

/**
 * One question per introduction and side. UNIQUE (introduction, side) with ON CONFLICT DO NOTHING:
 * only the rows written now come back, so a second scheduler (or a repeated pass) asks nobody twice.
 */
export async function insertRequests(
  trx: Transaction<DB>,
  introductionIds: string[],
  at: Date,
): Promise<Array<{ id: string; introductionId: string; side: OutcomeSide }>> {
  if (introductionIds.length === 0) return [];
  return trx
    .insertInto('outcomeRequests')
    .values(introductionIds.flatMap((introductionId) => (['submitter', 'partner'] as const).map((side) => ({ introductionId, side, askedAt: at }))))
    .onConflict((oc) => oc.columns(['introductionId', 'side']).doNothing())
    .returning(['id', 'introductionId', 'side'])
    .execute();
}

/**
 * Marks the unanswered questions asked at or before `cutoff` and never reminded as reminded now,
 * oldest first, and returns them: their one reminder. SKIP LOCKED, so two schedulers share the
 * work instead of reminding twice; an answer being recorded right now holds its row, and is
 * reminded of nothing.
 */
export async function claimReminders(trx: Transaction<DB>, cutoff: Date, at: Date, limit: number): Promise<string[]> {
  const rows = await trx
    .updateTable('outcomeRequests')
    .set({ remindedAt: at })
    .where('id', 'in', (eb) =>
      eb
        .selectFrom('outcomeRequests')
        .select('id')
        .where('answer', 'is', null)
        .where('remindedAt', 'is', null)
        .where('askedAt', '<=', cutoff)
        .orderBy('askedAt')
        .limit(limit)
        .forUpdate()
        .skipLocked(),
    )
    .returning('id')
    .execute();
  return rows.map((r) => r.id);
}

export async function findRequest(db: Executor, id: string, lock = false): Promise<OutcomeRequestRow | undefined> {
  const q = db.selectFrom('outcomeRequests').select(COLUMNS).where('id', '=', id);
  return lock ? q.forUpdate().executeTakeFirst() : q.executeTakeFirst();
}

export async function recordAnswer(
  trx: Executor,
  id: string,
  answer: { answer: OutcomeAnswer; amount: OutcomeAmount | null; note: string | null },
  at: Date,
): Promise<void> {
  await trx.updateTable('outcomeRequests').set({ ...answer, answeredAt: at }).where('id', '=', id).execute();
}

/**
 * Recounts how many of the partner's introductions either side confirmed ("yes"), under the lock
 * of the partner's stats row: two answers recorded at once are counted one after the other, and
 * a changed answer (yes → no) counts down as well as up. Returns the count.
 */
export async function recountConfirmed(trx: Transaction<DB>, partnerId: string, at: Date): Promise<number> {
  await trx.insertInto('partnerOutcomeStats').values({ partnerId, confirmedCount: 0, updatedAt: at }).onConflict((oc) => oc.column('partnerId').doNothing()).execute();
  await trx.selectFrom('partnerOutcomeStats').select('partnerId').where('partnerId', '=', partnerId).forUpdate().execute();
  const row = await trx
    .updateTable('partnerOutcomeStats')
    .set({
      confirmedCount: sql<number>`(SELECT count(DISTINCT r.introduction_id)::int
                                     FROM outcome_requests r JOIN introductions n ON n.id = r.introduction_id
                                    WHERE n.partner_id = ${partnerId} AND r.answer = 'yes')`,
      updatedAt: at,
    })
    .where('partnerId', '=', partnerId)
    .returning('confirmedCount')
    .executeTakeFirstOrThrow();
  return row.confirmedCount;
}

export async function confirmedCountOf(db: Executor, partnerId: string): Promise<number> {
  const row = await db.selectFrom('partnerOutcomeStats').select('confirmedCount').where('partnerId', '=', partnerId).executeTakeFirst();
  return row?.confirmedCount ?? 0;
}

export type LoopMonthRow = { month: string } & Record<LoopStage, number>;

/**
 * The loop per calendar month (UTC), the last `months` months up to the one holding `now`, oldest
 * first: digests sent (by sent_at), interests expressed (by created_at, withdrawn ones included),
 * introductions (by created_at), and introductions confirmed (by the first "yes" of either side;
 * one whose every "yes" was taken back is not counted). Each stage is counted in the month it
 * happened, so a month's figures do not change once it is over (but for answers changed later).
 */
export async function loopPerMonth(db: Executor, months: number, now: Date): Promise<LoopMonthRow[]> {
  const { rows } = await sql<{ month: string; digestsSent: string; interests: string; introductions: string; confirmed: string }>`
    WITH m AS (
      SELECT (date_trunc('month', ${now}::timestamptz AT TIME ZONE 'UTC') - make_interval(months => k)) AT TIME ZONE 'UTC' AS starts,
             (date_trunc('month', ${now}::timestamptz AT TIME ZONE 'UTC') - make_interval(months => k - 1)) AT TIME ZONE 'UTC' AS ends
        FROM generate_series(0, ${months}::int - 1) AS k
    ),
    confirmed AS (
      SELECT introduction_id, min(answered_at) AS at FROM outcome_requests WHERE answer = 'yes' GROUP BY introduction_id
    )
    SELECT to_char(m.starts AT TIME ZONE 'UTC', 'YYYY-MM') AS month,
           (SELECT count(*) FROM digests d WHERE d.status = 'sent' AND d.sent_at >= m.starts AND d.sent_at < m.ends) AS digests_sent,
           (SELECT count(*) FROM interests i WHERE i.created_at >= m.starts AND i.created_at < m.ends) AS interests,
           (SELECT count(*) FROM introductions n WHERE n.created_at >= m.starts AND n.created_at < m.ends) AS introductions,
           (SELECT count(*) FROM confirmed c WHERE c.at >= m.starts AND c.at < m.ends) AS confirmed
      FROM m
     ORDER BY m.starts
  `.execute(db);
  return rows.map((r) => ({
    month: r.month,
    digests_sent: Number(r.digestsSent),
    interests: Number(r.interests),
    introductions: Number(r.introductions),
    confirmed: Number(r.confirmed),
  }));
}

/** Every question asked about the opportunity's introductions, with the partner each is about. */
export async function listRequestsOfOpportunity(db: Executor, opportunityId: string): Promise<Array<OutcomeRequestRow & { partnerId: string }>> {
  return db
    .selectFrom('outcomeRequests as r')
    .innerJoin('introductions as n', 'n.id', 'r.introductionId')
    .select(['r.id', 'r.introductionId', 'r.side', 'r.askedAt', 'r.remindedAt', 'r.answer', 'r.amount', 'r.note', 'r.answeredAt', 'n.partnerId'])
    .where('n.opportunityId', '=', opportunityId)
    .execute();
}
