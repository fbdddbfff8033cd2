import { sql } from 'kysely';
import type { Executor } from '../../platform/db/database.ts';

/**
 * At most one automatic reply per sender per 24 hours, whatever they send us: the guard against
 * a mail loop with a robot we failed to recognise, and against being used to spam an address.
 *
 * One statement claims the right to reply: it inserts the address, or moves its timestamp only
 * if the last reply is older than a day. Two workers racing on the same sender cannot both win.
 * The claim is taken before the reply is queued, so a crash in between costs a reply, never
 * sends two.
 */
export async function claimReply(db: Executor, address: string): Promise<boolean> {
  const row = await db
    .insertInto('inboundReplies')
    .values({ address: address.toLowerCase(), lastRepliedAt: sql`now()` })
    .onConflict((oc) =>
      oc
        .column('address')
        .doUpdateSet({ lastRepliedAt: sql`now()` })
        .where('inboundReplies.lastRepliedAt', '<', sql<Date>`now() - interval '24 hours'`),
    )
    .returning('address')
    .executeTakeFirst();
  return row !== undefined;
}
