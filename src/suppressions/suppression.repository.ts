import { sql } from 'kysely';
import type { Executor } from '../db/database.js';

export type SuppressionReason = 'unsubscribe' | 'hard_bounce' | 'complaint' | 'admin';

/** Addresses we must never email again: unsubscribed, bounced hard, or complained. */
export async function isSuppressed(db: Executor, email: string): Promise<boolean> {
  const row = await db.selectFrom('suppressions').select('email').where('email', '=', email.toLowerCase()).executeTakeFirst();
  return row !== undefined;
}

export async function suppress(db: Executor, email: string, reason: SuppressionReason): Promise<void> {
  await db
    .insertInto('suppressions')
    .values({ email: email.toLowerCase(), reason })
    .onConflict((oc) => oc.column('email').doNothing())
    .execute();
}

/** An unsubscribed address also unsubscribes the partner who uses it. */
export async function unsubscribeEmail(db: Executor, email: string): Promise<void> {
  await suppress(db, email, 'unsubscribe');
  await db
    .updateTable('partners')
    .set({ status: 'unsubscribed', updatedAt: sql`now()` })
    .where(sql<string>`lower(email)`, '=', email.toLowerCase())
    .where('status', 'in', ['pending', 'active', 'paused'])
    .execute();
}
