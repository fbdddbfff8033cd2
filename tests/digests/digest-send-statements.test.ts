/**
 * The send hour's round trips to Postgres. A claim's rows go to SMTP one after the other, and the
 * finish of one row (after SMTP's "250") and the fence of the next (before SMTP) are due at the
 * same moment: they go in one statement, so a digest costs one round trip, not two. The counts
 * are of statements the real Postgres ran; the ledger afterwards is the same as before.
 */
import type { KyselyPlugin } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { addOpportunity, addPartner, digestServiceWith } from '../support/digest-fixtures.ts';
import { createTestStack, type TestStack } from '../support/test-stack.ts';

let t: TestStack | undefined;

afterEach(async () => {
  await t?.close();
  t = undefined;
});

/** Counts every statement run through the Kysely instance it is added to (raw ones included). */
function statementCounter(): KyselyPlugin & { count: number } {
  return {
    count: 0,
    transformQuery: ({ node }) => node,
    async transformResult({ result }) {
      this.count++;
      return result;
    },
  };
}

const PARTNERS = 6;

describe('sending a claim of built rows', () => {
  it('costs one statement a digest beyond the claim: each finish goes with the next fence', { timeout: 60_000 }, async () => {
    const stack = await createTestStack();
    t = stack;
    await addOpportunity(stack, 'Sentinel rollout', ['Sentinel'], { remote: true, regions: [] });
    for (let i = 0; i < PARTNERS; i++) await addPartner(stack, `s${i}`, ['Sentinel']);
    const ids = await stack.c.digests.enqueueRound({ everyone: true });
    expect(ids).toHaveLength(PARTNERS);
    await stack.c.digests.buildMany(ids);

    const counter = statementCounter();
    const digests = await digestServiceWith({ ...stack, c: { ...stack.c, db: stack.c.db.withPlugin(counter) } }, { alertsPerDay: 3, quietHours: { start: 20, end: 8 } });
    const results = await digests.sendMany(ids);

    expect([...results.values()].map((r) => r.outcome)).toEqual(Array(PARTNERS).fill('sent'));
    // Four for the claim: the claim, the recipients, the items and their open opportunities. Then
    // the first fence alone, a finish and a fence together for each next row, and the last row's
    // finish alone: 4 + 6 + 1. Two a row (a fence, then a finish) would be 4 + 2 × 6 = 16.
    expect(counter.count).toBe(4 + 1 + (PARTNERS - 1) + 1);

    expect(stack.smtp.received).toHaveLength(PARTNERS);
    const rows = await stack.c.db
      .selectFrom('digests')
      .select(['id', 'status', 'sentAt', 'handedAt', 'leaseUntil', 'smtpResponse', 'subject', 'messageId'])
      .where('id', 'in', ids)
      .execute();
    for (const row of rows) {
      expect(row).toMatchObject({ status: 'sent', leaseUntil: null });
      expect(row.sentAt).toBeInstanceOf(Date);
      expect(row.handedAt!.getTime()).toBeLessThanOrEqual(row.sentAt!.getTime());
      expect(row.smtpResponse).toMatch(/^250/);
      expect(row.subject).toContain('Sentinel rollout');
    }
    // Each row's finish recorded its own message, not its neighbour's.
    const sentIds = stack.smtp.received.map((m) => m.parsed.messageId).sort();
    expect(rows.map((r) => r.messageId).sort()).toEqual(sentIds);
  });
});
