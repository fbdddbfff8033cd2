import type { Logger } from 'pino';
import type { Container } from './container.ts';
import { upsertDigestTick } from '../digests/digest-scheduler.ts';
import { reconcileUnmatched } from '../matching/match-reconciler.ts';
import { poll, type Poller } from '../platform/queue/poller.ts';
import type { QueueStateMarker } from '../platform/queue/queue-state-marker.ts';

/**
 * One pass of the reconciler, which rebuilds lost queue state from Postgres: the hourly digest
 * tick, unmatched opportunities, unfinished digests, urgent alerts and daily summaries due, stored
 * inbound messages. Each kind waits a
 * grace period before it counts as lost, so work whose job is merely queued is not doubled; when
 * the marker says Redis lost our keys, no job is queued any more and the grace periods are
 * dropped: everything unfinished is re-enqueued in this pass.
 *
 * The marker is read before the pass and set after it, and only by a pass that found it missing:
 * a pass cut short (Redis or Postgres gone again) leaves it missing, and so does a loss in the
 * middle of an ordinary pass, so the next pass is a full one.
 */
export async function reconcileOnce(c: Container, marker: QueueStateMarker): Promise<void> {
  const emptied = await marker.isMissing();
  const grace = emptied ? 0 : undefined;
  if (emptied) c.log.warn({ prefix: c.config.queuePrefix }, 'no queue state in Redis (lost, flushed, or a first start): re-enqueueing all unfinished work now');
  // The hourly digest tick lives in Redis; re-creating it here also survives a Redis flush.
  await upsertDigestTick(c.queues);
  const requeued = await reconcileUnmatched(c.db, c.queues, grace);
  if (requeued) c.log.info({ requeued }, 'unmatched opportunities re-enqueued');
  await c.digests.reconcile(grace);
  const inboundRequeued = await c.intake.reconcile(grace);
  if (inboundRequeued) c.log.info({ inboundRequeued }, 'stored inbound messages re-enqueued');
  // Urgent work from Postgres: alerts whose quiet hours ended or whose job was lost, daily summaries now due.
  await c.digests.startUrgent();
  if (emptied) await marker.set();
}

/**
 * A cheap look at the marker every `intervalMs` between the reconciler's passes: when Redis loses
 * our keys mid-round, the reconciler runs at once rather than at its next turn. While the marker
 * stays missing (a full pass is running, or failing because Postgres is away too) each look asks
 * again, so a failing full pass is retried at this interval rather than the reconciler's backoff.
 */
export function watchQueueState(marker: QueueStateMarker, reconciler: Pick<Poller, 'runNow'>, intervalMs: number, log: Logger): Poller {
  return poll(
    'queue-state-watch',
    intervalMs,
    async () => {
      if (await marker.isMissing()) reconciler.runNow();
    },
    log,
  );
}
