import type { Logger } from 'pino';
import type { Database } from '../db/database.ts';
import type { Queues } from '../queue/queues.ts';
import { outboxEventSchema } from './outbox-events.ts';
import { lockUnpublished, markPublished } from './outbox.repository.ts';

/**
 * Publishes outbox events to BullMQ. Rows stay locked (FOR UPDATE SKIP LOCKED) while their jobs
 * are added, so two relays never publish the same row at once; the job id derived from the event
 * makes a publish that is repeated after a crash (job added, commit lost) harmless while the job
 * is still in Redis, and the handlers re-check Postgres in any case.
 *
 * Returns how many events were published.
 */
export async function relayOutboxOnce(db: Database, queues: Queues, log: Logger, batchSize = 100): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const rows = await lockUnpublished(trx, batchSize);
    const done: string[] = [];
    for (const row of rows) {
      const event = outboxEventSchema.safeParse({ topic: row.topic, payload: row.payload });
      if (!event.success) {
        // A row no code version can publish: mark it so it does not block the relay, and say so.
        log.error({ outboxId: row.id, topic: row.topic, issues: event.error.issues }, 'outbox event is invalid; skipped');
        done.push(row.id);
        continue;
      }
      const e = event.data;
      switch (e.topic) {
        case 'opportunity.published':
          await queues.enqueue('match-opportunity', e.payload, `match-${e.payload.opportunityId}`);
          break;
        case 'partner.changed':
          await queues.enqueue('match-partner', e.payload, `match-partner-${row.id}`);
          break;
        case 'mail.requested':
          await queues.enqueue('send-mail', e.payload, `mail-${row.id}`);
          break;
      }
      done.push(row.id);
    }
    await markPublished(trx, done);
    return done.length;
  });
}
