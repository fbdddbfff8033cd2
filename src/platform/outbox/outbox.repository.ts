import { sql, type Transaction } from 'kysely';
import type { DB } from '../db/database.types.ts';
import type { Executor } from '../db/database.ts';
import type { OutboxEvent } from './outbox-events.ts';

/**
 * Records an event in the caller's transaction. With a dedupe key, the event is written at most
 * once ever ("publish opportunity X" must not be announced twice). With `notBefore`, the relay
 * leaves it alone until then (by Postgres' clock), so it can still be cancelled meanwhile.
 */
export async function addOutboxEvent(db: Executor, event: OutboxEvent, dedupeKey?: string, notBefore?: Date): Promise<void> {
  await db
    .insertInto('outbox')
    .values({ topic: event.topic, payload: JSON.stringify(event.payload), dedupeKey: dedupeKey ?? null, notBefore: notBefore ?? null })
    .onConflict((oc) => oc.column('dedupeKey').doNothing())
    .execute();
}

export interface PendingOutboxRow {
  id: string;
  topic: string;
  payload: unknown;
}

/** Locks a batch of unpublished events that are due; concurrent relays skip each other's rows. */
export async function lockUnpublished(trx: Transaction<DB>, limit: number): Promise<PendingOutboxRow[]> {
  return trx
    .selectFrom('outbox')
    .select(['id', 'topic', 'payload'])
    .where('publishedAt', 'is', null)
    .where((eb) => eb.or([eb('notBefore', 'is', null), eb('notBefore', '<=', sql<Date>`now()`)]))
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
    .select(sql<string>`extract(epoch from now() - greatest(created_at, coalesce(not_before, created_at)))`.as('ageSeconds'))
    .where('publishedAt', 'is', null)
    .where((eb) => eb.or([eb('notBefore', 'is', null), eb('notBefore', '<=', sql<Date>`now()`)]))
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
  return oldest ? Math.max(0, Number(oldest.ageSeconds)) : 0;
}

/**
 * Cancels the events whose dedupe key starts with `dedupeKeyPrefix` and that the relay has not
 * published yet (deleted in the caller's transaction, so the same keys may be written again), and
 * says how many of them had been published already: those cannot be called back. A row the relay
 * holds at that moment is waited for, then counted as published.
 */
export async function cancelUnpublished(trx: Executor, dedupeKeyPrefix: string): Promise<{ cancelled: number; published: number }> {
  const pattern = `${dedupeKeyPrefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const deleted = await trx.deleteFrom('outbox').where('dedupeKey', 'like', pattern).where('publishedAt', 'is', null).returning('id').execute();
  const published = await trx
    .selectFrom('outbox')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('dedupeKey', 'like', pattern)
    .where('publishedAt', 'is not', null)
    .executeTakeFirstOrThrow();
  return { cancelled: deleted.length, published: Number(published.n) };
}
