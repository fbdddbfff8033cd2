import type { Kysely } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { down, up } from '../../migrations/2026_12_05_0012_digest_reach.ts';
import { addOpportunity, addPartner } from '../support/digest-fixtures.ts';
import { createTestStack, type TestStack } from '../support/test-stack.ts';

let t: TestStack;

beforeAll(async () => {
  t = await createTestStack();
});

afterAll(async () => {
  await t?.close();
});

it('lets rows waiting to be built when fair exposure arrives keep the old rule: every match in reach', async () => {
  const partnerId = await addPartner(t, 'waiting', ['AKS']);
  const opportunities = [await addOpportunity(t, 'AKS one', ['AKS']), await addOpportunity(t, 'AKS two', ['AKS'])];
  // As the database was before the migration, with a round's row not built yet and one sent.
  // Migrations take an untyped Kysely: they never see the application's schema types.
  const untyped = t.c.db as unknown as Kysely<unknown>;
  await down(untyped);
  const pending = await t.c.db.insertInto('digests').values({ partnerId, period: '2027-W20' }).returning('id').executeTakeFirstOrThrow();
  await t.c.db.insertInto('digests').values({ partnerId, period: '2027-W19', status: 'sent' }).execute();
  await up(untyped);

  const reach = await t.c.db.selectFrom('digestReach').select(['digestId', 'opportunityId', 'heldBack']).execute();
  expect(reach.map((r) => [r.digestId, r.opportunityId, r.heldBack]).sort()).toEqual(opportunities.map((o) => [pending.id, o, false]).sort());
  expect(await t.c.digests.build(pending.id)).toBe('ready');
});
