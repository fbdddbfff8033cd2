import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeMatch } from '../../src/matching/match-reasons.ts';
import { listMatches, type StoredMatch } from '../../src/matching/match.repository.ts';
import { matchOpportunity } from '../../src/matching/match.service.ts';
import { addInterest } from '../support/digest-fixtures.ts';
import { opportunityInput, partnerInput } from '../support/factories.ts';
import { createTestStack, type TestStack } from '../support/test-stack.ts';

// Confirmed work together earns a partner a small bonus in later matching, shown as a reason;
// being introduced alone earns nothing, and the bonus never lifts a weaker skill match above a
// clearly stronger one.

const DAY = 86_400_000;
let t: TestStack;
const ids: Record<string, string> = {};
let seq = 0;

async function submitAndMatch(requiredSkills: string[]): Promise<StoredMatch[]> {
  const n = ++seq;
  const { opportunity } = await t.c.opportunities.submit({
    source: 'api',
    caller: { kind: 'admin' },
    input: opportunityInput({ title: `Platform work ${n}`, description: 'A platform project.', requiredSkills, niceToHaveSkills: [], regions: ['dach'], remote: false, submitter: { name: `Buyer ${n}`, company: `Buyer ${n} AG`, email: `buyer.${n}@buyers.example` } }),
  });
  await matchOpportunity(t.c.db, opportunity.id, t.c.log);
  return listMatches(t.c.db, opportunity.id);
}

/**
 * The partner is introduced on an opportunity of its own, asked after the delay, and `answers`
 * say what each side answered (undefined: no answer), through the outcome service as the page does.
 */
async function introducedAndAnswered(partnerKey: string, answers: { submitter?: string; partner?: string }) {
  const n = ++seq;
  const { opportunity } = await t.c.opportunities.submit({
    source: 'api',
    caller: { kind: 'admin' },
    input: opportunityInput({ title: `Earlier work ${n}`, requiredSkills: ['kubernetes-on-azure'], niceToHaveSkills: [], submitter: { name: `Earlier ${n}`, company: `Earlier ${n} AG`, email: `earlier.${n}@buyers.example` } }),
  });
  await matchOpportunity(t.c.db, opportunity.id, t.c.log);
  const interestId = await addInterest(t, opportunity.id, ids[partnerKey]!);
  await t.c.introductions.introduce(opportunity.id, [interestId]);
  const intro = await t.c.db
    .updateTable('introductions')
    .set({ createdAt: new Date(Date.now() - 15 * DAY) })
    .where('opportunityId', '=', opportunity.id)
    .returning('id')
    .executeTakeFirstOrThrow();
  await t.c.outcomes.askAndRemind();
  const requests = await t.c.db.selectFrom('outcomeRequests').select(['id', 'side']).where('introductionId', '=', intro.id).execute();
  expect(requests).toHaveLength(2);
  for (const r of requests) {
    const answer = answers[r.side];
    if (answer) expect(await t.c.outcomes.answer(r.id, { answer })).toBeDefined();
  }
}

const byCompany = (matches: StoredMatch[], key: string) => {
  const m = matches.find((x) => x.company === `${key} Ltd`);
  if (!m) throw new Error(`${key} did not match: ${matches.map((x) => x.company).join(', ')}`);
  return m;
};

beforeAll(async () => {
  t = await createTestStack();
  const create = async (key: string, skills: string[]) => {
    ids[key] = (await t.c.partners.createByAdmin(partnerInput(key, skills))).id;
  };
  // Equal in every way matching looks at but the outcomes: the same skill, region, no profile text.
  await create('steady', ['kubernetes-on-azure']);
  await create('proven', ['kubernetes-on-azure']);
  await create('picked', ['kubernetes-on-azure']);
  // Weaker skill matches with the most bonus there is.
  await create('related-proven', ['containers']);
  await create('half-proven', ['kubernetes-on-azure']);
  await create('both-skills', ['kubernetes-on-azure', 'identity-access-management']);

  // proven: two introductions confirmed, one by the submitter, one by the partner.
  await introducedAndAnswered('proven', { submitter: 'yes', partner: 'talking' });
  await introducedAndAnswered('proven', { partner: 'yes' });
  // picked: often introduced, never confirmed (unanswered, still talking, no).
  await introducedAndAnswered('picked', {});
  await introducedAndAnswered('picked', { submitter: 'talking', partner: 'talking' });
  await introducedAndAnswered('picked', { submitter: 'no' });
  // The cap: ten confirmed introductions count as three.
  for (const key of ['related-proven', 'half-proven']) {
    await t.c.db.insertInto('partnerOutcomeStats').values({ partnerId: ids[key]!, confirmedCount: 10 }).execute();
  }
});
afterAll(async () => {
  await t?.close();
});

describe('the worked-with bonus in matching', () => {
  it('counts confirmed introductions only: a "yes" from either side, once each', async () => {
    expect(await t.c.outcomes.confirmedCount(ids.proven!)).toBe(2);
    expect(await t.c.outcomes.confirmedCount(ids.picked!)).toBe(0);
    expect(await t.c.outcomes.confirmedCount(ids.steady!)).toBe(0);
  });

  it('orders two otherwise equal partners, and says why', async () => {
    const matches = await submitAndMatch(['kubernetes-on-azure']);
    const steady = byCompany(matches, 'steady');
    const proven = byCompany(matches, 'proven');
    expect(proven.score).toBeGreaterThan(steady.score);
    // +3% a confirmed introduction: gentle.
    expect(proven.score).toBeCloseTo(Math.min(1, steady.score * 1.06), 3);
    const order = matches.map((m) => m.company);
    expect(order.indexOf('proven Ltd')).toBeLessThan(order.indexOf('steady Ltd'));
    expect(describeMatch(proven.reasons, 'submitter')).toContain('Worked with 2 partners through p2p-digest');
    expect(describeMatch(steady.reasons, 'submitter').join(' ')).not.toContain('Worked with');
  });

  it('gives nothing for being introduced without a "yes"', async () => {
    const matches = await submitAndMatch(['kubernetes-on-azure']);
    const picked = byCompany(matches, 'picked');
    expect(picked.score).toBe(byCompany(matches, 'steady').score);
    // …while a confirmed introduction in the same match does count.
    expect(byCompany(matches, 'proven').score).toBeGreaterThan(picked.score);
    expect(picked.reasons.workedWith).toBeUndefined();
    expect(describeMatch(picked.reasons, 'operator').join(' ')).not.toContain('Worked with');
  });

  it('is capped at +9% and does not lift a weaker skill match above a clearly stronger one', async () => {
    const one = await submitAndMatch(['kubernetes-on-azure']);
    // Only a related skill (containers for Kubernetes on Azure), with the most bonus there is.
    expect(byCompany(one, 'related-proven').score).toBeLessThan(byCompany(one, 'steady').score);
    const capped = byCompany(one, 'half-proven');
    expect(capped.score).toBeCloseTo(Math.min(1, byCompany(one, 'steady').score * 1.09), 3);
    expect(describeMatch(capped.reasons, 'submitter')).toContain('Worked with 10 partners through p2p-digest');

    // Two skills wanted: one of them exact plus the full bonus stays below both of them exact.
    const two = await submitAndMatch(['kubernetes-on-azure', 'identity-access-management']);
    expect(byCompany(two, 'half-proven').score).toBeLessThan(byCompany(two, 'both-skills').score);
    expect(two[0]!.company).toBe('both-skills Ltd');
  });
});
