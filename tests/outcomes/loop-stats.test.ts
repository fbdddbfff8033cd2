import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli-process.ts';
import { addOpportunity, addPartner } from '../support/digest-fixtures.ts';
import { createTestStack, type TestStack } from '../support/test-stack.ts';

// The operator's view of the loop per month: digests sent → interests → introductions → confirmed
// work, by `p2p-digest stats`, the console's overview and the p2p_loop_this_month metric.

let t: TestStack;
const now = new Date();
const thisMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
const lastMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
const month = (d: Date) => d.toISOString().slice(0, 7);
/** A moment inside the month, before now. */
const inMonth = (start: Date, minutes: number) => new Date(Math.min(start.getTime() + minutes * 60_000, now.getTime() - 1000));

const expected = [
  { month: month(lastMonth), digests_sent: 2, interests: 1, introductions: 1, confirmed: 0 },
  { month: month(thisMonth), digests_sent: 3, interests: 2, introductions: 2, confirmed: 2 },
];

beforeAll(async () => {
  t = await createTestStack();
  const partners = [await addPartner(t, 'stats-a', ['AKS']), await addPartner(t, 'stats-b', ['AKS']), await addPartner(t, 'stats-c', ['AKS'])];
  const [a, b, c] = partners as [string, string, string];
  const o1 = await addOpportunity(t, 'Stats opportunity one', ['AKS']);
  const o2 = await addOpportunity(t, 'Stats opportunity two', ['AKS']);

  // Digests: sent ones count in the month they were sent; a failed one does not count.
  const digest = (partnerId: string, period: string, status: 'sent' | 'failed', sentAt: Date | null) => ({ partnerId, period, status, sentAt });
  await t.c.db
    .insertInto('digests')
    .values([
      digest(a, '2020-W01', 'sent', inMonth(lastMonth, 60)),
      digest(b, '2020-W01', 'sent', inMonth(lastMonth, 61)),
      digest(a, '2020-W02', 'sent', inMonth(thisMonth, 1)),
      digest(b, '2020-W02', 'sent', inMonth(thisMonth, 2)),
      digest(c, '2020-W02', 'sent', inMonth(thisMonth, 3)),
      digest(c, '2020-W01', 'failed', null),
    ])
    .execute();
  // Interests by the month they were expressed, withdrawn ones too.
  await t.c.db
    .insertInto('interests')
    .values([
      { opportunityId: o1, partnerId: a, note: '', createdAt: inMonth(lastMonth, 90) },
      { opportunityId: o2, partnerId: b, note: '', createdAt: inMonth(thisMonth, 4) },
      { opportunityId: o2, partnerId: c, note: '', createdAt: inMonth(thisMonth, 5), status: 'withdrawn', withdrawnAt: inMonth(thisMonth, 6) },
    ])
    .execute();
  const intros = await t.c.db
    .insertInto('introductions')
    .values([
      { opportunityId: o1, partnerId: a, createdAt: inMonth(lastMonth, 120) },
      { opportunityId: o2, partnerId: b, createdAt: inMonth(thisMonth, 7) },
      { opportunityId: o2, partnerId: c, createdAt: inMonth(thisMonth, 8) },
    ])
    .returning('id')
    .execute();
  const [early, both, talking] = intros.map((r) => r.id) as [string, string, string];
  const answered = (introductionId: string, side: 'submitter' | 'partner', answer: 'yes' | 'talking' | 'no' | null, at: Date) => ({
    introductionId,
    side,
    askedAt: at,
    answer,
    answeredAt: answer ? at : null,
  });
  await t.c.db
    .insertInto('outcomeRequests')
    .values([
      // Made last month, confirmed this month: counted this month.
      answered(early, 'partner', 'yes', inMonth(thisMonth, 9)),
      answered(early, 'submitter', null, inMonth(thisMonth, 9)),
      // Both sides say yes: one confirmed introduction.
      answered(both, 'partner', 'yes', inMonth(thisMonth, 10)),
      answered(both, 'submitter', 'yes', inMonth(thisMonth, 11)),
      // Still talking, and no: not confirmed.
      answered(talking, 'partner', 'talking', inMonth(thisMonth, 12)),
      answered(talking, 'submitter', 'no', inMonth(thisMonth, 12)),
    ])
    .execute();
});
afterAll(async () => {
  await t?.close();
});

describe('the loop per month', () => {
  it('counts each stage in the month it happened', async () => {
    expect(await t.c.outcomes.perMonth(2)).toEqual(expected);
    const three = await t.c.outcomes.perMonth(3);
    expect(three).toHaveLength(3);
    expect(three[0]).toMatchObject({ digests_sent: 0, interests: 0, introductions: 0, confirmed: 0 });
  });

  it('p2p-digest stats prints a table, or JSON with --json, and refuses a bad --months', async () => {
    const json = await runCli(t, 'stats', '--months', '2', '--json');
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual(expected);

    const table = await runCli(t, 'stats', '--months', '2');
    expect(table.code).toBe(0);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^month\s+digests sent\s+interests\s+introductions\s+confirmed work$/);
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^${month(thisMonth)}\\s+3\\s+2\\s+2\\s+2$`)));
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^${month(lastMonth)}\\s+2\\s+1\\s+1\\s+0$`)));
    expect(lines.at(-1)).toMatch(/^total\s+5\s+3\s+3\s+2$/);

    const bad = await runCli(t, 'stats', '--months', '0');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('a whole number of months');
  });

  it('exports this month as p2p_loop_this_month', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toMatch(/^p2p_loop_this_month\{stage="digests_sent"\} 3$/m);
    expect(res.body).toMatch(/^p2p_loop_this_month\{stage="interests"\} 2$/m);
    expect(res.body).toMatch(/^p2p_loop_this_month\{stage="introductions"\} 2$/m);
    expect(res.body).toMatch(/^p2p_loop_this_month\{stage="confirmed"\} 2$/m);
  });
});
