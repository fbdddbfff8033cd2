import type { Logger } from 'pino';
import type { Database } from '../db/database.ts';
import type { OutboxRoutes } from './outbox-events.ts';
import { lockUnpublished, markPublished } from './outbox.repository.ts';

/**
 * Publishes outbox events, each through its topic's route (in practice: adds a BullMQ job). Rows
 * stay locked (FOR UPDATE SKIP LOCKED) while their jobs are added, so two relays never publish
 * the same row at once; the job id derived from the event makes a publish that is repeated after
 * a crash (job added, commit lost) harmless while the job is still in Redis, and the handlers
 * re-check Postgres in any case.
 *
 * Returns how many events were published.
 */
export async function relayOutboxOnce(db: Database, routes: OutboxRoutes, log: Logger, batchSize = 100): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const rows = await lockUnpublished(trx, batchSize);
    const done: string[] = [];
    for (const row of rows) {
      const route = Object.hasOwn(routes, row.topic) ? routes[row.topic] : undefined;
      const payload = route?.schema.safeParse(row.payload);
      if (!route || !payload?.success) {
        // A row no code version can publish: mark it so it does not block the relay, and say so.
        log.error({ outboxId: row.id, topic: row.topic, issues: payload?.error?.issues ?? 'unknown topic' }, 'outbox event is invalid; skipped');
        done.push(row.id);
        continue;
      }
      await route.publish(payload.data, row.id);
      done.push(row.id);
    }
    await markPublished(trx, done);
    return done.length;
  });
}
