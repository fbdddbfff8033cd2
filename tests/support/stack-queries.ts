import { sql } from 'kysely';
import type { TestStack } from './test-stack.ts';

/**
 * What tests read back from the stack's database to see what a request did, on the stack given
 * (read when called: the stack is built in beforeAll).
 */
export function stackQueries(stack: () => TestStack) {
  const db = () => stack().c.db;
  return {
    /** The suppression of an address (stored lower-cased), if any. */
    suppression: (email: string) => db().selectFrom('suppressions').selectAll().where('email', '=', email.toLowerCase()).executeTakeFirst(),

    /** partner.changed events for the partner: the match worker matches them again for each. */
    rematches: async (partnerId: string) =>
      (
        await db()
          .selectFrom('outbox')
          .select('id')
          .where('topic', '=', 'partner.changed')
          .where(sql<string>`payload->>'partnerId'`, '=', partnerId)
          .execute()
      ).length,

    /** The partner's skills as slugs, sorted. */
    skillSlugsOf: async (partnerId: string): Promise<string[]> => {
      const rows = await db()
        .selectFrom('partnerSkills as ps')
        .innerJoin('skills as s', 's.id', 'ps.skillId')
        .select('s.slug')
        .where('ps.partnerId', '=', partnerId)
        .execute();
      return rows.map((r) => r.slug).sort();
    },

    /** The stored opportunity, every column. */
    opportunityRow: (id: string) => db().selectFrom('opportunities').selectAll().where('id', '=', id).executeTakeFirstOrThrow(),
  };
}
