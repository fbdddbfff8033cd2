import { sql } from 'kysely';
import type { Executor } from '../platform/db/database.ts';
import type { SuppressionReason } from '../platform/db/database.types.ts';

export type { SuppressionReason };

/** Why an address must not be emailed (unsubscribed, bounced hard, complained), or undefined. */
export async function suppressionOf(db: Executor, email: string): Promise<SuppressionReason | undefined> {
  const row = await db.selectFrom('suppressions').select('reason').where('email', '=', email.toLowerCase()).executeTakeFirst();
  return row?.reason;
}

export async function isSuppressed(db: Executor, email: string): Promise<boolean> {
  return (await suppressionOf(db, email)) !== undefined;
}

/** A confirmed new sign-up lifts an unsubscribe; bounces and complaints stay. */
export async function liftUnsubscribe(db: Executor, email: string): Promise<void> {
  await db.deleteFrom('suppressions').where('email', '=', email.toLowerCase()).where('reason', '=', 'unsubscribe').execute();
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
