import type { Queues } from '../platform/queue/queues.ts';
import type { digestJobs } from './digest.jobs.ts';

export const DIGEST_TICK_SCHEDULER_ID = 'digest-tick-hourly';

/**
 * The hourly digest tick, as a BullMQ job scheduler: a stable id makes it safe to upsert at every
 * start (and after a Redis flush), and BullMQ adds one tick job per hour however many scheduler
 * processes run. The tick itself only finds due partners and enqueues their builds.
 */
export async function upsertDigestTick(queues: Pick<Queues<typeof digestJobs>, 'queue'>): Promise<void> {
  await queues
    .queue('digest')
    .upsertJobScheduler(DIGEST_TICK_SCHEDULER_ID, { pattern: '0 * * * *', tz: 'UTC' }, { name: 'digest-tick', data: {} });
}
