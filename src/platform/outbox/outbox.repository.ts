import { sql, type Transaction } from 'kysely';
import type { DB } from '../db/database.types.ts';
import type { Executor } from '../db/database.ts';
import type { OutboxEvent } from './outbox-events.ts';

/**
 * Records an event in the caller's transaction. With a dedupe key, the event is written at most
 * once ever ("publish opportunity X" must not be announced twice).
 */
export async function addOutboxEvent(db: Executor, event: OutboxEvent, dedupeKey?: string): Promise<void> {
  await db
    .insertInto('outbox')
    .values({ topic: event.topic, payload: JSON.stringify(event.payload), dedupeKey: dedupeKey ?? null })
    .onConflict((oc) => oc.column('dedupeKey').doNothing())
    .execute();
}

export interface PendingOutboxRow {
  id: string;
  topic: string;
  payload: unknown;
}

/** Locks a batch of unpublished events; concurrent relays skip each other's rows. */
export async function lockUnpublished(trx: Transaction<DB>, limit: number): Promise<PendingOutboxRow[]> {
  return trx
    .selectFrom('outbox')
    .select(['id', 'topic', 'payload'])
    .where('publishedAt', 'is', null)
    .orderBy('id')
    .limit(limit)
    .forUpdate()
    .skipLocked()
    .execute();
}

export async function markPublished(trx: Transaction<DB>, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await trx.updateTable('outbox').set({ publishedAt: new Date() }).where('id', 'in', ids).execute();
}

/**
 * Seconds since the oldest unpublished event was written (0 when none waits): the relay's lag.
 * Measured by Postgres' clock, which wrote `created_at`, so the app's clock cannot skew it.
 */
export async function outboxLagSeconds(db: Executor): Promise<number> {
  const oldest = await db
    .selectFrom('outbox')
    .select(sql<string>`extract(epoch from now() - created_at)`.as('ageSeconds'))
    .where('publishedAt', 'is', null)
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
  return oldest ? Math.max(0, Number(oldest.ageSeconds)) : 0;
}
