import { sql } from 'kysely';
import type { Executor } from '../platform/db/database.ts';

/** How many sent digests carried an opportunity, per day (UTC, 'YYYY-MM-DD'), earliest first. */
export async function digestsSentPerDay(db: Executor, opportunityId: string): Promise<Array<{ day: string; digests: number }>> {
  const rows = await db
    .selectFrom('digestItems as di')
    .innerJoin('digests as d', 'd.id', 'di.digestId')
    .select(sql<string>`to_char(d.sent_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')`.as('day'))
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('di.opportunityId', '=', opportunityId)
    .where('d.status', '=', 'sent')
    .groupBy(sql`1`)
    .orderBy(sql`1`)
    .execute();
  return rows.map((r) => ({ day: r.day, digests: Number(r.n) }));
}
