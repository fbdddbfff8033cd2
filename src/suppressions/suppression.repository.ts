import type { Executor } from '../platform/db/database.ts';
import type { SuppressionReason } from '../platform/db/database.types.ts';

export type { SuppressionReason };

/** Why an address must not be emailed (unsubscribed, bounced hard, complained), or undefined. */
export async function suppressionOf(db: Executor, email: string): Promise<SuppressionReason | undefined> {
  const row = await db.selectFrom('suppressions').select('reason').where('email', '=', email.toLowerCase()).executeTakeFirst();
  return row?.reason;
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


export interface SuppressionEntry {
  email: string;
  reason: SuppressionReason;
  createdAt: Date;
}

/** Newest first, at most `limit`, optionally only the addresses that contain `search`. */
export async function listSuppressions(db: Executor, options: { limit: number; search?: string }): Promise<SuppressionEntry[]> {
  let query = db.selectFrom('suppressions').select(['email', 'reason', 'createdAt']).orderBy('createdAt', 'desc').orderBy('email', 'desc').limit(options.limit);
  if (options.search) query = query.where('email', 'like', `%${options.search.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  return query.execute();
}

/** Takes an address off the list, whatever its reason; returns what it was, or undefined when it was not on it. */
export async function liftSuppression(db: Executor, email: string): Promise<SuppressionReason | undefined> {
  const row = await db.deleteFrom('suppressions').where('email', '=', email.toLowerCase()).returning('reason').executeTakeFirst();
  return row?.reason;
}
