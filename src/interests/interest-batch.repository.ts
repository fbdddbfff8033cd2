import type { Transaction } from 'kysely';
import type { Executor } from '../platform/db/database.ts';
import type { DB } from '../platform/db/database.types.ts';

// The notifier's queries filter on the opportunity's status in the same statement that finds or
// locks the interests (FOR UPDATE SKIP LOCKED), so a read of opportunities stays inside it.

/**
 * Published opportunities with active interests the submitter has not been told about, whose
 * oldest such interest was made at or before `cutoff` (the batching window has passed). Oldest
 * first; served by the partial index interests_unnotified_idx.
 */
export async function findOpportunitiesDueForSummary(db: Executor, cutoff: Date, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('interests as i')
    .innerJoin('opportunities as o', 'o.id', 'i.opportunityId')
    .select('i.opportunityId')
    .where('i.status', '=', 'active')
    .where('i.notifiedAt', 'is', null)
    .where('o.status', '=', 'published')
    .groupBy('i.opportunityId')
    .having((eb) => eb(eb.fn.min('i.createdAt'), '<=', cutoff))
    .orderBy((eb) => eb.fn.min('i.createdAt'))
    .limit(limit)
    .execute();
  return rows.map((r) => r.opportunityId);
}

export interface UnnotifiedInterest {
  id: string;
  createdAt: Date;
}

/**
 * Locks one opportunity's active, unnotified interests, oldest first, while it is published.
 * SKIP LOCKED: a second scheduler working on the same opportunity gets nothing instead of
 * waiting and then sending the same interests again.
 */
export async function lockUnnotifiedInterests(trx: Transaction<DB>, opportunityId: string, limit: number): Promise<UnnotifiedInterest[]> {
  return trx
    .selectFrom('interests as i')
    .select(['i.id', 'i.createdAt'])
    .where('i.opportunityId', '=', opportunityId)
    .where('i.status', '=', 'active')
    .where('i.notifiedAt', 'is', null)
    .where((eb) =>
      eb.exists(
        eb.selectFrom('opportunities as o').select('o.id').whereRef('o.id', '=', 'i.opportunityId').where('o.status', '=', 'published'),
      ),
    )
    .orderBy('i.createdAt')
    .orderBy('i.id')
    .limit(limit)
    .forUpdate()
    .skipLocked()
    .execute();
}

export async function markInterestsNotified(trx: Transaction<DB>, ids: string[], at: Date): Promise<void> {
  if (ids.length === 0) return;
  await trx.updateTable('interests').set({ notifiedAt: at }).where('id', 'in', ids).execute();
}
