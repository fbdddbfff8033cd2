import type { Database } from '../platform/db/database.ts';
import type { Queues } from '../platform/queue/queues.ts';
import type { matchJobs } from './match.jobs.ts';
import { listUnmatchedOpportunityIds } from './match.repository.ts';

/**
 * Re-enqueues published opportunities that were never matched: their job was lost (Redis
 * flushed, a worker killed mid-way) after the outbox had already been relayed. Postgres is the
 * truth; the same job id means a job still waiting in Redis is not duplicated.
 *
 * `graceSeconds` leaves freshly published ones to the normal path.
 */
export async function reconcileUnmatched(db: Database, queues: Pick<Queues<typeof matchJobs>, 'enqueue'>, graceSeconds = 60): Promise<number> {
  const ids = await listUnmatchedOpportunityIds(db, graceSeconds);
  for (const id of ids) {
    await queues.enqueue('match-opportunity', { opportunityId: id }, `match-${id}`);
  }
  return ids.length;
}
