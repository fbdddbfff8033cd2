import type { Kysely } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { down, up } from '../../migrations/2026_12_07_0024_digest_held_back.ts';
import { addOpportunity, addPartner } from '../support/digest-fixtures.ts';
import { createTestStack, type TestStack } from '../support/test-stack.ts';

let t: TestStack;

beforeAll(async () => {
  t = await createTestStack();
});

afterAll(async () => {
  await t?.close();
});

it('moves the rows held back out of digest_reach into one row per period and opportunity, and back on the way down', async () => {
  const [given, heldA, heldB] = [await addPartner(t, 'given', ['AKS']), await addPartner(t, 'held-a', ['AKS']), await addPartner(t, 'held-b', ['AKS'])];
  const opportunity = await addOpportunity(t, 'AKS landing zone', ['AKS']);
  // Migrations take an untyped Kysely: they never see the application's schema types.
  const untyped = t.c.db as unknown as Kysely<unknown>;
  await down(untyped);
  // As a round start wrote it before: a row per candidate, the held back ones flagged.
  const digestOf = new Map<string, string>();
  for (const partnerId of [given, heldA, heldB]) {
    const row = await t.c.db.insertInto('digests').values({ partnerId, period: '2027-W20' }).returning('id').executeTakeFirstOrThrow();
    digestOf.set(partnerId, row.id);
    await t.c.db
      .insertInto('digestReach')
      .values({ digestId: row.id, opportunityId: opportunity, heldBack: partnerId !== given })
      .execute();
  }
  const reachRows = async () =>
    (await t.c.db.selectFrom('digestReach').select(['digestId', 'opportunityId', 'heldBack']).execute())
      .map((r) => [r.digestId, r.opportunityId, r.heldBack])
      .sort();
  const before = await reachRows();

  await up(untyped);
  expect(await reachRows()).toEqual([[digestOf.get(given), opportunity, false]]);
  const held = await t.c.db.selectFrom('digestHeldBack').select(['opportunityId', 'period', 'partnerIds']).execute();
  expect(held).toEqual([{ opportunityId: opportunity, period: '2027-W20', partnerIds: [heldA, heldB].sort() }]);
  // Only places from now on.
  await expect(
    t.c.db.insertInto('digestReach').values({ digestId: digestOf.get(given)!, opportunityId: opportunity, heldBack: true }).onConflict((c) => c.doNothing()).execute(),
  ).rejects.toThrow(/digest_reach_places_only/);

  await down(untyped);
  expect(await reachRows()).toEqual(before);
  await up(untyped);
});
