import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo, type DemoSeedResult } from '../../src/seed/demo-seed.ts';
import { demoOpportunities, demoPartners } from '../../src/seed/demo-data.ts';
import { createTestStack, type TestStack } from '../support/test-stack.ts';

let t: TestStack;
let first: DemoSeedResult;

/** Row counts of the tables the seed writes to. */
async function counts(stack: TestStack = t) {
  const n = async (table: 'partners' | 'partnerSkills' | 'opportunities' | 'matches' | 'outbox') =>
    Number((await stack.c.db.selectFrom(table).select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);
  return {
    partners: await n('partners'),
    partnerSkills: await n('partnerSkills'),
    opportunities: await n('opportunities'),
    matches: await n('matches'),
    outbox: await n('outbox'),
  };
}

const matchCounts = async (stack: TestStack = t) =>
  new Map(
    (
      await stack.c.db
        .selectFrom('opportunities as o')
        .leftJoin('matches as m', 'm.opportunityId', 'o.id')
        .select(['o.title', (eb) => eb.fn.count<string>('m.partnerId').as('n')])
        .groupBy('o.title')
        .execute()
    ).map((r) => [r.title, Number(r.n)]),
  );

beforeAll(async () => {
  t = await createTestStack();
  first = await seedDemo(t.c);
});
afterAll(async () => {
  await t?.close();
});

describe('seedDemo', () => {
  it('seeds about 60 active demo partners with their skills', async () => {
    expect(first.seeded).toBe(true);
    expect(first.partners).toBe(demoPartners.length);
    expect(demoPartners.length).toBeGreaterThanOrEqual(50);
    expect(demoPartners.length).toBeLessThanOrEqual(70);

    const rows = await t.c.db.selectFrom('partners').select(['email', 'status', 'source']).execute();
    expect(rows.map((r) => r.email).sort()).toEqual(demoPartners.map((p) => p.email).sort());
    expect(rows.every((r) => r.status === 'active' && r.source === 'demo')).toBe(true);

    const withoutSkills = await t.c.db
      .selectFrom('partners as p')
      .select('p.email')
      .where((eb) => eb.not(eb.exists(eb.selectFrom('partnerSkills as ps').select('ps.skillId').whereRef('ps.partnerId', '=', 'p.id'))))
      .execute();
    expect(withoutSkills).toEqual([]);
  });

  it('seeds the demo opportunities, published and already matched', async () => {
    expect(first.opportunities.map((o) => o.title)).toEqual(demoOpportunities.map((o) => o.title));
    const rows = await t.c.db.selectFrom('opportunities').select(['title', 'status', 'source', 'matchedAt']).execute();
    expect(rows.map((r) => r.title).sort()).toEqual(demoOpportunities.map((o) => o.title).sort());
    for (const row of rows) {
      expect(row, row.title).toMatchObject({ status: 'published', source: 'demo' });
      expect(row.matchedAt, row.title).toBeInstanceOf(Date);
    }
  });

  it('gives every opportunity at least one match, as reported', async () => {
    const stored = await matchCounts();
    for (const o of first.opportunities) {
      expect(o.matches, o.title).toBeGreaterThanOrEqual(1);
      expect(stored.get(o.title), o.title).toBe(o.matches);
    }
  });

  it('never matches an opportunity to its own submitter', async () => {
    const selfMatches = await t.c.db
      .selectFrom('matches as m')
      .innerJoin('opportunities as o', 'o.id', 'm.opportunityId')
      .innerJoin('partners as p', 'p.id', 'm.partnerId')
      .select(['o.title', 'p.company'])
      .where((eb) =>
        eb.or([
          eb(sql`lower(btrim(p.company))`, '=', sql`lower(btrim(o.submitter_company))`),
          eb(sql`lower(p.email)`, '=', sql`lower(o.submitter_email)`),
        ]),
      )
      .execute();
    expect(selfMatches).toEqual([]);

    // The check above means something: every submitter is one of the demo partners.
    const submitters = await t.c.db.selectFrom('opportunities').select(['submitterCompany', 'submitterEmail']).execute();
    for (const s of submitters) {
      expect(demoPartners.some((p) => p.company === s.submitterCompany && p.email === s.submitterEmail), s.submitterCompany).toBe(true);
    }
  });

  it('seeds nothing the second time', async () => {
    const before = await counts();
    const again = await seedDemo(t.c);
    expect(again).toEqual({ seeded: false, partners: 0, opportunities: [] });
    expect(await counts()).toEqual(before);
  });
});

describe('seedDemo with moderation on', () => {
  let moderated: TestStack;
  beforeAll(async () => {
    moderated = await createTestStack({ MODERATION: 'on' });
  });
  afterAll(async () => {
    await moderated?.close();
  });

  it('still publishes and matches the demo opportunities', async () => {
    const result = await seedDemo(moderated.c);
    expect(result.opportunities.every((o) => o.matches >= 1)).toBe(true);
    const statuses = await moderated.c.db.selectFrom('opportunities').select('status').distinct().execute();
    expect(statuses).toEqual([{ status: 'published' }]);
    const stored = await matchCounts(moderated);
    for (const o of result.opportunities) expect(stored.get(o.title), o.title).toBe(o.matches);
  });
});
