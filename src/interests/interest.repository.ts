import { sql, type Selectable } from 'kysely';
import type { Executor } from '../platform/db/database.ts';
import type { Interests, InterestStatus, NotRelevant } from '../platform/db/database.types.ts';
import type { NotRelevantReason } from './interest.schemas.ts';

// The mute statements read the opportunity's submitter address inside the statement that writes
// the mute (one statement, in the caller's transaction, after the opportunity row was locked
// through the opportunity service); they never write another feature's table.

export type { InterestStatus, NotRelevantReason };

/**
 * An interests row. createdAt: when the partner (last) said they are interested (a renewed
 * interest starts again); notifiedAt: when the submitter was told, NULL not yet (the notifier's queue).
 */
export type InterestRow = Pick<Selectable<Interests>, (typeof interestColumns)[number]>;

export type NotRelevantRow = Pick<Selectable<NotRelevant>, 'reason' | 'createdAt'>;

const interestColumns = ['id', 'opportunityId', 'partnerId', 'note', 'status', 'createdAt', 'updatedAt', 'withdrawnAt', 'notifiedAt'] as const;

export async function findInterest(db: Executor, partnerId: string, opportunityId: string): Promise<InterestRow | undefined> {
  return await db
    .selectFrom('interests')
    .select(interestColumns)
    .where('partnerId', '=', partnerId)
    .where('opportunityId', '=', opportunityId)
    .executeTakeFirst();
}

/**
 * Records an interest once: a partner who already has a row (active or withdrawn) gets
 * undefined and nothing changes, however many times the button is pressed at once.
 */
export async function insertInterest(
  db: Executor,
  values: { partnerId: string; opportunityId: string; note: string },
): Promise<InterestRow | undefined> {
  return await db
    .insertInto('interests')
    .values(values)
    .onConflict((oc) => oc.columns(['opportunityId', 'partnerId']).doNothing())
    .returning(interestColumns)
    .executeTakeFirst();
}

/**
 * A withdrawn interest becomes active again with the new note. For the submitter it is new
 * interest: created_at restarts (the notifier's batching window) and notified_at is cleared.
 * Undefined when there was no withdrawn interest to renew.
 */
export async function reactivateInterest(db: Executor, partnerId: string, opportunityId: string, note: string): Promise<InterestRow | undefined> {
  return await db
    .updateTable('interests')
    .set({ status: 'active', note, withdrawnAt: null, notifiedAt: null, createdAt: sql`now()`, updatedAt: sql`now()` })
    .where('partnerId', '=', partnerId)
    .where('opportunityId', '=', opportunityId)
    .where('status', '=', 'withdrawn')
    .returning(interestColumns)
    .executeTakeFirst();
}

/** Withdraws an active interest; undefined when there was none. The row stays, with the date. */
export async function withdrawInterest(db: Executor, partnerId: string, opportunityId: string): Promise<InterestRow | undefined> {
  return await db
    .updateTable('interests')
    .set({ status: 'withdrawn', withdrawnAt: sql`now()`, updatedAt: sql`now()` })
    .where('partnerId', '=', partnerId)
    .where('opportunityId', '=', opportunityId)
    .where('status', '=', 'active')
    .returning(interestColumns)
    .executeTakeFirst();
}

export async function findNotRelevant(db: Executor, partnerId: string, opportunityId: string, lock = false): Promise<NotRelevantRow | undefined> {
  let q = db
    .selectFrom('notRelevant')
    .select(['reason', 'createdAt'])
    .where('partnerId', '=', partnerId)
    .where('opportunityId', '=', opportunityId);
  if (lock) q = q.forUpdate();
  return await q.executeTakeFirst();
}

/** True when the partner muted the submitter of this opportunity (by its address, lower-cased). */
export async function isSubmitterMuted(db: Executor, partnerId: string, opportunityId: string): Promise<boolean> {
  const row = await db
    .selectFrom('mutedSubmitters as ms')
    .innerJoin('opportunities as o', (join) => join.on('o.id', '=', opportunityId).on('ms.submitterEmail', '=', sql<string>`lower(o.submitter_email)`))
    .select('ms.partnerId')
    .where('ms.partnerId', '=', partnerId)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Stores that an opportunity does not fit, and why when the partner says (a second reason
 * replaces the first; no reason keeps the one given before) and, for
 * "mute-submitter", mutes the submitter's address. Run it in a transaction: the reason and the
 * mute are one decision. Moving away from "mute-submitter" lifts the mute, unless another
 * opportunity of the same submitter was muted on its own.
 */
export async function recordNotRelevant(db: Executor, partnerId: string, opportunityId: string, reason: NotRelevantReason | null): Promise<void> {
  if (reason === null) {
    // "Not relevant" without a reason: a reason given before stays (nothing is lost).
    await db
      .insertInto('notRelevant')
      .values({ partnerId, opportunityId, reason: null })
      .onConflict((oc) => oc.columns(['partnerId', 'opportunityId']).doNothing())
      .execute();
    return;
  }
  await db
    .insertInto('notRelevant')
    .values({ partnerId, opportunityId, reason })
    .onConflict((oc) =>
      oc
        .columns(['partnerId', 'opportunityId'])
        .doUpdateSet({ reason })
        .where(sql<boolean>`not_relevant.reason IS DISTINCT FROM ${reason}::not_relevant_reason`),
    )
    .execute();
  if (reason === 'mute-submitter') await muteSubmitterOf(db, partnerId, opportunityId);
  else await unmuteSubmitterOf(db, partnerId, opportunityId);
}

/**
 * Lower-cased by Postgres, from the stored opportunity: the same lower() the matching and digest
 * statements compare with, so no client-side case folding can disagree with them.
 */
async function muteSubmitterOf(db: Executor, partnerId: string, opportunityId: string): Promise<void> {
  await db
    .insertInto('mutedSubmitters')
    .columns(['partnerId', 'submitterEmail'])
    .expression((eb) =>
      eb
        .selectFrom('opportunities')
        .select([eb.cast<string>(eb.val(partnerId), 'uuid').as('partnerId'), sql<string>`lower(submitter_email)`.as('submitterEmail')])
        .where('id', '=', opportunityId),
    )
    .onConflict((oc) => oc.columns(['partnerId', 'submitterEmail']).doNothing())
    .execute();
}

async function unmuteSubmitterOf(db: Executor, partnerId: string, opportunityId: string): Promise<void> {
  await sql`
    DELETE FROM muted_submitters ms
     USING opportunities o
     WHERE o.id = ${opportunityId}
       AND ms.partner_id = ${partnerId}
       AND ms.submitter_email = lower(o.submitter_email)
       AND NOT EXISTS (SELECT 1 FROM not_relevant nr
                         JOIN opportunities other ON other.id = nr.opportunity_id
                        WHERE nr.partner_id = ms.partner_id AND nr.reason = 'mute-submitter'
                          AND nr.opportunity_id <> o.id
                          AND lower(other.submitter_email) = ms.submitter_email)
  `.execute(db);
}

/** Interests expressed since `since` and still standing (the operator's overview). */
export async function countInterestsSince(db: Executor, since: Date): Promise<number> {
  const row = await db
    .selectFrom('interests')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('createdAt', '>=', since)
    .where('status', '=', 'active')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** A partner's interests, newest first, with the opportunity's title (the console's partner page). */
export async function listInterestsOfPartner(db: Executor, partnerId: string, limit: number) {
  return await db
    .selectFrom('interests as i')
    .innerJoin('opportunities as o', 'o.id', 'i.opportunityId')
    .select(['i.opportunityId', 'o.title', 'i.status', 'i.note', 'i.createdAt', 'i.withdrawnAt'])
    .where('i.partnerId', '=', partnerId)
    .orderBy('i.createdAt', 'desc')
    .limit(limit)
    .execute();
}
