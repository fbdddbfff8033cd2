import type { Logger } from 'pino';
import type { Database } from '../db/database.js';
import { insertMatchesForOpportunity } from './match.repository.js';

export type MatchOutcome =
  | { status: 'matched'; matches: number }
  | { status: 'skipped'; reason: 'not-found' | 'not-published' | 'already-matched' };

/**
 * Matches one opportunity. The opportunity row is locked and `matched_at` set in the same
 * transaction as the matches, so a retried, duplicated or re-added job finds it done.
 */
export async function matchOpportunity(db: Database, opportunityId: string, log: Logger): Promise<MatchOutcome> {
  const outcome = await db.transaction().execute(async (trx): Promise<MatchOutcome> => {
    const opportunity = await trx
      .selectFrom('opportunities')
      .select(['status', 'matchedAt'])
      .where('id', '=', opportunityId)
      .forUpdate()
      .executeTakeFirst();
    if (!opportunity) return { status: 'skipped', reason: 'not-found' };
    if (opportunity.status !== 'published') return { status: 'skipped', reason: 'not-published' };
    if (opportunity.matchedAt) return { status: 'skipped', reason: 'already-matched' };
    const matches = await insertMatchesForOpportunity(trx, opportunityId);
    await trx.updateTable('opportunities').set({ matchedAt: new Date() }).where('id', '=', opportunityId).execute();
    return { status: 'matched', matches };
  });
  log.info({ opportunityId, ...outcome }, 'opportunity match job done');
  return outcome;
}
