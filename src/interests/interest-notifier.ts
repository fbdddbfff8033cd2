import { createHash } from 'node:crypto';
import type { Database } from '../platform/db/database.ts';
import { requestMail } from '../platform/mail/mail-kinds.ts';
import { INTEREST_SUMMARY_MAX, interestMailJob } from './interest.mails.ts';
import { findOpportunitiesDueForSummary, lockUnnotifiedInterests, markInterestsNotified } from './interest-batch.repository.ts';

/** Opportunities handled per run; the rest wait for the next run, a minute later. */
const OPPORTUNITIES_PER_RUN = 200;

export interface NotifyInterestsOptions {
  /** How long interests gather before the submitter hears of them (INTEREST_BATCH_MINUTES). */
  batchMinutes: number;
  now: Date;
}

/**
 * Tells submitters about new interest in batches: once the oldest unnotified interest in an
 * opportunity is `batchMinutes` old, every active unnotified interest in it goes into one
 * 'interest-summary' email. Interests withdrawn inside the window are left out, and an
 * opportunity that is no longer published gets nothing. The scheduler runs it every minute.
 *
 * Returns how many summary emails were requested.
 */
export async function notifyInterests(db: Database, options: NotifyInterestsOptions): Promise<number> {
  const cutoff = new Date(options.now.getTime() - options.batchMinutes * 60_000);
  const due = await findOpportunitiesDueForSummary(db, cutoff, OPPORTUNITIES_PER_RUN);
  let requested = 0;
  for (const opportunityId of due) {
    if (await summarise(db, opportunityId, cutoff, options.now)) requested++;
  }
  return requested;
}

/**
 * One transaction per opportunity: the interests are marked notified in the same transaction
 * that writes the outbox event, so they are announced exactly once, even with two schedulers.
 */
async function summarise(db: Database, opportunityId: string, cutoff: Date, now: Date): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const locked = await lockUnnotifiedInterests(trx, opportunityId, INTEREST_SUMMARY_MAX);
    // Another scheduler holds them, or a withdrawal since the lookup left only young ones: not yet.
    const oldest = locked[0];
    if (!oldest || oldest.createdAt.getTime() > cutoff.getTime()) return false;
    const interestIds = locked.map((i) => i.id).sort();
    await markInterestsNotified(trx, interestIds, now);
    await requestMail(
      trx,
      interestMailJob,
      { kind: 'interest-summary', opportunityId, interestIds },
      `mail:interest-summary:${opportunityId}:${createHash('sha256').update(interestIds.join(',')).digest('base64url')}`,
    );
    return true;
  });
}
