import { afterAll, beforeAll, expect, it } from 'vitest';
import { matchPartner } from '../../src/matching/match.service.ts';
import { addInterest, addOpportunity, addPartner } from '../support/digest-fixtures.ts';
import { createTestStack, type TestStack } from '../support/test-stack.ts';

// Fair exposure's introduction rule, case by case: once the submitter was introduced to a partner,
// the partners an earlier round held back for the opportunity are not offered it any more; a
// partner who was never held back for it still is: one who did not match it then, and one the
// round gave a place whose digest had no room for it.

const MAX_REACH = 3;

let t: TestStack;

beforeAll(async () => {
  t = await createTestStack({ MAX_REACH_PER_ROUND: String(MAX_REACH) });
});

afterAll(async () => {
  await t?.close();
});

const setScore = (opportunityId: string, partnerId: string, score: number) =>
  t.c.db.updateTable('matches').set({ score }).where('opportunityId', '=', opportunityId).where('partnerId', '=', partnerId).execute();

const carriers = async (opportunityId: string) =>
  t.c.db
    .selectFrom('digestItems as di')
    .innerJoin('digests as d', 'd.id', 'di.digestId')
    .select(['di.partnerId', 'd.period'])
    .where('di.opportunityId', '=', opportunityId)
    .execute();
const inPeriod = (rows: Array<{ partnerId: string; period: string }>, period: string) =>
  rows
    .filter((r) => r.period === period)
    .map((r) => r.partnerId)
    .sort();

it('keeps the partners held back from an introduced opportunity, and offers it to those never held back', async () => {
  const ranked = [];
  for (let i = 0; i < 5; i++) ranked.push(await addPartner(t, `r${i}`, ['AKS']));
  // Matches nothing AKS in the first round; lists AKS before the second.
  const changer = await addPartner(t, 'changer', ['Intune']);
  // The best for the opportunity, but its digest holds one card, taken by a better match.
  const capped = await addPartner(t, 'capped', ['AKS']);
  await t.c.db.updateTable('partners').set({ maxItems: 1 }).where('id', '=', capped).execute();

  const opportunity = await addOpportunity(t, 'AKS cluster for a retailer', ['AKS']);
  const better = await addOpportunity(t, 'AKS platform for a bank', ['AKS']);
  for (const [i, partnerId] of ranked.entries()) await setScore(opportunity, partnerId, 0.6 + i / 100);
  await setScore(opportunity, capped, 0.99);
  await setScore(better, capped, 1);

  await t.c.digests.runRound({ everyone: true, period: '2027-W01', concurrency: 4 });
  // Places: capped, r4, r3; r0–r2 held back. Capped's one card is the better opportunity.
  expect(inPeriod(await carriers(opportunity), '2027-W01')).toEqual([ranked[4]!, ranked[3]!].sort());
  expect(inPeriod(await carriers(better), '2027-W01')).toContain(capped);
  // What the round start wrote for it: its places in digest_reach, who was held back in one row.
  const places = await t.c.db.selectFrom('digestReach as r').innerJoin('digests as d', 'd.id', 'r.digestId').select('d.partnerId').where('r.opportunityId', '=', opportunity).execute();
  expect(places.map((p) => p.partnerId).sort()).toEqual([capped, ranked[4]!, ranked[3]!].sort());
  const heldBack = await t.c.db.selectFrom('digestHeldBack').select(['period', 'partnerIds']).where('opportunityId', '=', opportunity).execute();
  expect(heldBack).toEqual([{ period: '2027-W01', partnerIds: ranked.slice(0, 3).sort() }]);

  const interest = await addInterest(t, opportunity, ranked[4]!);
  expect(await t.c.introductions.introduce(opportunity, [interest])).toBe(1);
  await t.c.partners.update(changer, { skills: ['AKS', 'Intune'] });
  await matchPartner(t.c.db, changer, t.c.log);

  await t.c.digests.runRound({ everyone: true, period: '2027-W02', concurrency: 4 });
  expect(inPeriod(await carriers(opportunity), '2027-W02')).toEqual([changer, capped].sort());

  // And so it stays in the rounds after.
  await t.c.digests.runRound({ everyone: true, period: '2027-W03', concurrency: 4 });
  expect(inPeriod(await carriers(opportunity), '2027-W03')).toEqual([]);
});
