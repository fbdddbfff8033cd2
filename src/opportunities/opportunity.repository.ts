import { sql, type Selectable } from 'kysely';
import { OPPORTUNITY_CARD_COLUMNS } from './opportunity-columns.ts';
import type { Executor } from '../platform/db/database.ts';
import type { Opportunities, OpportunityStatus } from '../platform/db/database.types.ts';

/** An opportunity as the services see it: the table's row, without the search vector and bookkeeping. */
export type OpportunityRow = Pick<Selectable<Opportunities>, (typeof columns)[number]>;

export type NewOpportunity = Omit<
  OpportunityRow,
  'id' | 'createdAt' | 'verifiedAt' | 'publishedAt' | 'matchedAt' | 'closedAt' | 'undoUntil'
> & { publishedAt: Date | null; verifiedAt: Date | null; sourceMessageId: string | null };

/** What the sender of an emailed draft may correct on its page. */
export type DraftCorrection = Pick<
  NewOpportunity,
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
  | 'urgent'
  | 'submitterName'
  | 'submitterCompany'
>;

/** A card's columns (what digests and interest pages show) and the rest of the row. */
const columns = [
  ...OPPORTUNITY_CARD_COLUMNS,
  'urgent',
  'status',
  'source',
  'submitterName',
  'submitterEmail',
  'submitterPartnerId',
  'idempotencyKey',
  'requestHash',
  'createdAt',
  'verifiedAt',
  'publishedAt',
  'matchedAt',
  'closedAt',
  'undoUntil',
] as const;

/**
 * Inserts an opportunity. With an idempotency key or a source Message-ID that is already taken
 * (both UNIQUE; a submission carries at most one of them), nothing is inserted and undefined is
 * returned: the caller then reads the earlier one.
 */
export async function insertOpportunity(db: Executor, values: NewOpportunity): Promise<OpportunityRow | undefined> {
  const row = await db
    .insertInto('opportunities')
    .values(values)
    .onConflict((oc) => oc.doNothing())
    .returning(columns)
    .executeTakeFirst();
  return row;
}

export async function findOpportunityById(db: Executor, id: string, lock = false): Promise<OpportunityRow | undefined> {
  let q = db.selectFrom('opportunities').select(columns).where('id', '=', id);
  if (lock) q = q.forUpdate();
  return await q.executeTakeFirst();
}

export async function findOpportunityByIdempotencyKey(db: Executor, key: string): Promise<OpportunityRow | undefined> {
  return await db.selectFrom('opportunities').select(columns).where('idempotencyKey', '=', key).executeTakeFirst();
}

export async function findOpportunityBySourceMessageId(db: Executor, messageId: string): Promise<OpportunityRow | undefined> {
  return await db.selectFrom('opportunities').select(columns).where('sourceMessageId', '=', messageId).executeTakeFirst();
}

/** The only writer of `status` (with the timestamps that go with it); the service decides the transitions. */
export async function setOpportunityStatus(
  db: Executor,
  id: string,
  status: OpportunityStatus,
  stamps: { verifiedAt?: Date; publishedAt?: Date; closedAt?: Date | null; undoUntil?: Date | null } = {},
): Promise<void> {
  await db
    .updateTable('opportunities')
    .set({ status, ...stamps, updatedAt: sql`now()` })
    .where('id', '=', id)
    .execute();
}

/** Newest first, with how many partners each matched: the operator's overview. */
export async function listOpportunities(
  db: Executor,
  query: { limit: number; status?: OpportunityStatus; text?: string },
): Promise<Array<OpportunityRow & { matchCount: number }>> {
  let q = db
    .selectFrom('opportunities as o')
    .select(columns.map((c) => `o.${c}` as const))
    .select((eb) =>
      eb.selectFrom('matches as m').select(eb.fn.countAll<string>().as('n')).whereRef('m.opportunityId', '=', 'o.id').as('matchCount'),
    )
    .orderBy('o.createdAt', 'desc')
    .orderBy('o.id')
    .limit(query.limit);
  if (query.status) q = q.where('o.status', '=', query.status);
  if (query.text) {
    // A typed % or _ is a letter, not a LIKE wildcard.
    const pattern = `%${query.text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    q = q.where((eb) =>
      eb.or([eb('o.title', 'ilike', pattern), eb('o.description', 'ilike', pattern), eb('o.submitterCompany', 'ilike', pattern), eb('o.submitterEmail', 'ilike', pattern)]),
    );
  }
  const rows = await q.execute();
  return rows.map((r) => ({ ...r, matchCount: Number(r.matchCount ?? 0) }));
}

/** What the console searches opportunities by; every part optional, all given parts must hold. */
export interface OpportunitySearch {
  /** A piece of the title, description, submitter's company or address (case-insensitive). */
  text?: string;
  status?: OpportunityStatus;
}

/**
 * The operator's search, newest first, keyset-paged on (created_at, id): stable while
 * opportunities come in. Each row carries its keyset position and its number of matches.
 */
export async function searchOpportunities(
  db: Executor,
  query: OpportunitySearch & { limit: number; after?: { createdAtMicros: string; id: string } },
): Promise<Array<OpportunityRow & { matchCount: number; createdAtMicros: string }>> {
  let q = db
    .selectFrom('opportunities as o')
    .select(columns.map((c) => `o.${c}` as const))
    .select((eb) =>
      eb.selectFrom('matches as m').select(eb.fn.countAll<string>().as('n')).whereRef('m.opportunityId', '=', 'o.id').as('matchCount'),
    )
    .select(sql<string>`(extract(epoch from o.created_at) * 1000000)::bigint::text`.as('createdAtMicros'))
    .orderBy('o.createdAt', 'desc')
    .orderBy('o.id', 'desc')
    .limit(query.limit);
  if (query.status) q = q.where('o.status', '=', query.status);
  if (query.text) {
    // A typed % or _ is a letter, not a LIKE wildcard.
    const pattern = `%${query.text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    q = q.where((eb) =>
      eb.or([eb('o.title', 'ilike', pattern), eb('o.description', 'ilike', pattern), eb('o.submitterCompany', 'ilike', pattern), eb('o.submitterEmail', 'ilike', pattern)]),
    );
  }
  if (query.after) {
    const { createdAtMicros, id } = query.after;
    q = q.where(sql<boolean>`((extract(epoch from o.created_at) * 1000000)::bigint, o.id) < (${createdAtMicros}::bigint, ${id}::uuid)`);
  }
  const rows = await q.execute();
  return rows.map((r) => ({ ...r, matchCount: Number(r.matchCount ?? 0) }));
}

/** The corrected fields of an emailed draft; only while it is still a draft. */
export async function updateDraft(db: Executor, id: string, values: DraftCorrection): Promise<boolean> {
  const result = await db
    .updateTable('opportunities')
    .set({ ...values, updatedAt: sql`now()` })
    .where('id', '=', id)
    .where('status', '=', 'pending_verification')
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** How many opportunities are in each status (the operator's overview). */
export async function countOpportunitiesByStatus(db: Executor): Promise<Array<{ status: OpportunityStatus; count: number }>> {
  const rows = await db.selectFrom('opportunities').select(['status', (eb) => eb.fn.countAll<string>().as('n')]).groupBy('status').execute();
  return rows.map((r) => ({ status: r.status, count: Number(r.n) }));
}

/** A moderator's reason for rejecting, kept for the submitter's mail. */
export async function setRejectionReason(db: Executor, id: string, reason: string | null): Promise<void> {
  await db.updateTable('opportunities').set({ rejectionReason: reason }).where('id', '=', id).execute();
}

export async function rejectionReasonOf(db: Executor, id: string): Promise<string | null> {
  const row = await db.selectFrom('opportunities').select('rejectionReason').where('id', '=', id).executeTakeFirst();
  return row?.rejectionReason ?? null;
}

/** What a moderator may correct before approving: the words, the skills and where. */
export type ReviewCorrection = Pick<
  NewOpportunity,
  'title' | 'description' | 'requiredSkillIds' | 'niceSkillIds' | 'regions' | 'remote' | 'budgetMin' | 'budgetMax' | 'currency' | 'startDate' | 'urgent'
>;

/** The moderator's corrections; only while the opportunity still awaits review. */
export async function updateForReview(db: Executor, id: string, values: ReviewCorrection): Promise<boolean> {
  const result = await db
    .updateTable('opportunities')
    .set({ ...values, updatedAt: sql`now()` })
    .where('id', '=', id)
    .where('status', '=', 'pending_review')
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
