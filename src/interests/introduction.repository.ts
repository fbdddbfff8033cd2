import { sql, type Transaction } from 'kysely';
import type { Executor } from '../platform/db/database.ts';
import type { DB } from '../platform/db/database.types.ts';

/**
 * The submitter's side of the interest loop: who is interested (as the submitter may see them
 * before picking: what they offer, never how to reach them), the introductions made, and the
 * partners left unpicked when the opportunity ends.
 *
 * These projections join partners, partner_skills, matches and opportunities in the statement
 * that reads them, on purpose: a card is one row (who, what they offer, why they matched), and
 * the unpicked partners are locked in the same statement that finds them. They only read those
 * tables; writes here go to interests and introductions alone.
 */

/** An active interest as the submitter sees it before an introduction: no email, no contact name. */
export interface InterestCardRow {
  interestId: string;
  partnerId: string;
  company: string;
  regions: string[];
  skillIds: number[];
  note: string;
  /** matches.reasons (JSON), or null when the partner was never matched (an old link, a changed profile). */
  reasons: unknown;
  createdAt: Date;
  introduced: boolean;
}

/** Active interests in one opportunity, oldest first; with `onlyIds`, just those. */
export async function listActiveInterests(db: Executor, opportunityId: string, onlyIds?: string[]): Promise<InterestCardRow[]> {
  if (onlyIds && onlyIds.length === 0) return [];
  let q = db
    .selectFrom('interests as i')
    .innerJoin('partners as p', 'p.id', 'i.partnerId')
    .leftJoin('matches as m', (join) => join.onRef('m.opportunityId', '=', 'i.opportunityId').onRef('m.partnerId', '=', 'i.partnerId'))
    .select(['i.id as interestId', 'i.partnerId', 'p.company', 'p.regions', 'i.note', 'm.reasons', 'i.createdAt'])
    .select(sql<number[]>`ARRAY(SELECT skill_id FROM partner_skills ps WHERE ps.partner_id = p.id ORDER BY skill_id)`.as('skillIds'))
    .select((eb) =>
      eb
        .exists(
          eb
            .selectFrom('introductions as n')
            .select('n.id')
            .whereRef('n.opportunityId', '=', 'i.opportunityId')
            .whereRef('n.partnerId', '=', 'i.partnerId'),
        )
        .$castTo<boolean>()
        .as('introduced'),
    )
    .where('i.opportunityId', '=', opportunityId)
    .where('i.status', '=', 'active')
    .orderBy('i.createdAt')
    .orderBy('i.id');
  if (onlyIds) q = q.where('i.id', 'in', onlyIds);
  return q.execute();
}

/**
 * The chosen interests that are active and belong to this opportunity, locked FOR SHARE so a
 * withdrawal cannot slip in between the check and the introduction.
 */
export async function lockActiveInterestsOf(
  trx: Transaction<DB>,
  opportunityId: string,
  ids: string[],
): Promise<Array<{ id: string; partnerId: string }>> {
  if (ids.length === 0) return [];
  return trx
    .selectFrom('interests')
    .select(['id', 'partnerId'])
    .where('opportunityId', '=', opportunityId)
    .where('status', '=', 'active')
    .where('id', 'in', ids)
    .forShare()
    .execute();
}

/**
 * Introduces these partners to the opportunity's submitter. UNIQUE (opportunity, partner) with
 * ON CONFLICT DO NOTHING: only the introductions made now are returned, so a double submit
 * introduces once.
 */
export async function insertIntroductions(
  trx: Transaction<DB>,
  opportunityId: string,
  partnerIds: string[],
): Promise<Array<{ id: string; partnerId: string }>> {
  if (partnerIds.length === 0) return [];
  return trx
    .insertInto('introductions')
    .values(partnerIds.map((partnerId) => ({ opportunityId, partnerId })))
    .onConflict((oc) => oc.columns(['opportunityId', 'partnerId']).doNothing())
    .returning(['id', 'partnerId'])
    .execute();
}

/** An introduction made: the submitter may see the partner's contact details now. */
export interface IntroducedPartnerRow {
  introductionId: string;
  partnerId: string;
  interestId: string | null;
  company: string;
  contactName: string;
  email: string;
  note: string | null;
  skillIds: number[];
  createdAt: Date;
}

export async function listIntroductions(db: Executor, opportunityId: string): Promise<IntroducedPartnerRow[]> {
  return db
    .selectFrom('introductions as n')
    .innerJoin('partners as p', 'p.id', 'n.partnerId')
    .leftJoin('interests as i', (join) => join.onRef('i.opportunityId', '=', 'n.opportunityId').onRef('i.partnerId', '=', 'n.partnerId'))
    .select(['n.id as introductionId', 'n.partnerId', 'i.id as interestId', 'p.company', 'p.contactName', 'p.email', 'i.note', 'n.createdAt'])
    .select(sql<number[]>`ARRAY(SELECT skill_id FROM partner_skills ps WHERE ps.partner_id = p.id ORDER BY skill_id)`.as('skillIds'))
    .where('n.opportunityId', '=', opportunityId)
    .orderBy('n.createdAt')
    .orderBy('n.id')
    .execute();
}

/** Both sides of one introduction, for its two emails. */
export interface IntroductionDetails {
  id: string;
  opportunityId: string;
  title: string;
  expiresAt: Date;
  submitterName: string;
  submitterCompany: string;
  submitterEmail: string;
  partnerId: string;
  company: string;
  contactName: string;
  partnerEmail: string;
  createdAt: Date;
}

export async function findIntroduction(db: Executor, introductionId: string): Promise<IntroductionDetails | undefined> {
  return db
    .selectFrom('introductions as n')
    .innerJoin('opportunities as o', 'o.id', 'n.opportunityId')
    .innerJoin('partners as p', 'p.id', 'n.partnerId')
    .select([
      'n.id',
      'n.opportunityId',
      'o.title',
      'o.expiresAt',
      'o.submitterName',
      'o.submitterCompany',
      'o.submitterEmail',
      'n.partnerId',
      'p.company',
      'p.contactName',
      'p.email as partnerEmail',
      'n.createdAt',
    ])
    .where('n.id', '=', introductionId)
    .executeTakeFirst();
}

/** Active interests in the opportunity whose partner was not introduced. */
function unpicked(db: Executor, opportunityId: string) {
  return db
    .selectFrom('interests as i')
    .select('i.partnerId')
    .where('i.opportunityId', '=', opportunityId)
    .where('i.status', '=', 'active')
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('introductions as n')
            .select('n.id')
            .whereRef('n.opportunityId', '=', 'i.opportunityId')
            .whereRef('n.partnerId', '=', 'i.partnerId'),
        ),
      ),
    );
}

/** Partners with an active interest in the opportunity and no introduction to it. */
export async function listUnpickedPartners(db: Executor, opportunityId: string): Promise<string[]> {
  const rows = await unpicked(db, opportunityId).orderBy('i.createdAt').execute();
  return rows.map((r) => r.partnerId);
}

/** Whether this partner is (still) interested in the opportunity and was not introduced. */
export async function isUnpicked(db: Executor, opportunityId: string, partnerId: string): Promise<boolean> {
  return (await unpicked(db, opportunityId).where('i.partnerId', '=', partnerId).executeTakeFirst()) !== undefined;
}

/** Introductions made since `since` (the operator's overview). */
export async function countIntroductionsSince(db: Executor, since: Date): Promise<number> {
  const row = await db.selectFrom('introductions').select((eb) => eb.fn.countAll<string>().as('n')).where('createdAt', '>=', since).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** How many partners said they were interested (withdrawn ones too), how many withdrew, and when the first said so. */
export async function interestFacts(db: Executor, opportunityId: string): Promise<{ total: number; withdrawn: number; firstAt: Date | null }> {
  const row = await db
    .selectFrom('interests')
    .select((eb) => [
      eb.fn.countAll<string>().as('total'),
      sql<string>`count(*) FILTER (WHERE status = 'withdrawn')`.as('withdrawn'),
      eb.fn.min('createdAt').as('firstAt'),
    ])
    .where('opportunityId', '=', opportunityId)
    .executeTakeFirstOrThrow();
  return { total: Number(row.total), withdrawn: Number(row.withdrawn), firstAt: row.firstAt ? new Date(row.firstAt) : null };
}
