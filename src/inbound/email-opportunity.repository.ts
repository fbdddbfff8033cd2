import { sql } from 'kysely';
import type { Executor } from '../platform/db/database.ts';
import type { NewOpportunity } from '../opportunities/opportunity.repository.ts';

/**
 * Inserts an opportunity read from an email. The Message-ID is UNIQUE: when an earlier delivery
 * of the same message already made one, nothing is inserted and undefined is returned.
 */
export async function insertEmailOpportunity(
  db: Executor,
  values: NewOpportunity & { sourceMessageId: string | null },
): Promise<{ id: string } | undefined> {
  return db
    .insertInto('opportunities')
    .values(values)
    .onConflict((oc) => oc.column('sourceMessageId').doNothing())
    .returning('id')
    .executeTakeFirst();
}

export async function findOpportunityIdByMessageId(db: Executor, messageId: string): Promise<string | undefined> {
  const row = await db.selectFrom('opportunities').select('id').where('sourceMessageId', '=', messageId).executeTakeFirst();
  return row?.id;
}

/** Records what became of an inbound message, in the transaction that made it so. */
export async function markInboundProcessed(
  db: Executor,
  inboundId: string,
  result: { outcome: string; opportunityId: string | null },
): Promise<void> {
  await db
    .updateTable('inboundMessages')
    .set({ status: 'processed', outcome: result.outcome, opportunityId: result.opportunityId, processedAt: sql`now()` })
    .where('id', '=', inboundId)
    .execute();
}

/** The stored message an opportunity was read from (the newest, should there be several). */
export async function findInboundOf(db: Executor, opportunityId: string): Promise<{ id: string; raw: Buffer } | undefined> {
  return db
    .selectFrom('inboundMessages')
    .select(['id', 'raw'])
    .where('opportunityId', '=', opportunityId)
    .orderBy('receivedAt', 'desc')
    .limit(1)
    .executeTakeFirst();
}

export async function findInboundById(db: Executor, inboundId: string): Promise<{ raw: Buffer; opportunityId: string | null } | undefined> {
  return db.selectFrom('inboundMessages').select(['raw', 'opportunityId']).where('id', '=', inboundId).executeTakeFirst();
}

/** The corrected fields of a draft, from the correction page; only while it is still a draft. */
export async function updateEmailDraft(
  db: Executor,
  id: string,
  values: Pick<
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
    | 'submitterName'
    | 'submitterCompany'
  >,
): Promise<boolean> {
  const result = await db
    .updateTable('opportunities')
    .set({ ...values, updatedAt: sql`now()` })
    .where('id', '=', id)
    .where('status', '=', 'pending_verification')
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
