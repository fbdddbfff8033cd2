import { sql, type Selectable } from 'kysely';
import type { Executor } from '../platform/db/database.ts';
import type { Digests, DigestStatus } from '../platform/db/database.types.ts';

// The digest's statements read other features' tables (partners, partner_skills, matches,
// opportunities, not_relevant, muted_submitters, introductions, suppressions) in SQL on purpose: a round builds,
// claims and reads its batches in one statement each, which calls through other services would
// split into many round trips. They only read those tables; every write is to the digest's own:
// digests, digest_items, digest_reach and digest_held_back.

export type { DigestStatus };

export type DigestRow = Pick<Selectable<Digests>, (typeof digestColumns)[number]>;

const digestColumns = ['id', 'partnerId', 'period', 'status', 'leaseUntil', 'attempts', 'messageId'] as const;

export async function findDigest(db: Executor, id: string): Promise<DigestRow | undefined> {
  return (await findDigests(db, [id]))[0];
}

export async function findDigests(db: Executor, ids: readonly string[]): Promise<DigestRow[]> {
  if (ids.length === 0) return [];
  return await db.selectFrom('digests').select(digestColumns).where('id', 'in', ids).execute();
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
