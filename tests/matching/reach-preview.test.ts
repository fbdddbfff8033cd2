import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refreshSkillCountsIfStale, reachStatement } from '../../src/matching/match.repository.ts';
import { matchOpportunity, previewReach, describeReach, type ReachDraft } from '../../src/matching/match.service.ts';
import type { OpportunityInput } from '../../src/opportunities/opportunity.schemas.ts';
import type { PartnerInput } from '../../src/partners/partner.schemas.ts';
import { databaseFingerprint } from '../support/db-fingerprint.ts';
import { opportunityInput, partnerInput } from '../support/factories.ts';
import { createTestStack, type TestStack } from '../support/test-stack.ts';

let t: TestStack;

const BOTH = ['kubernetes-on-azure', 'identity-access-management'];
const skillId = (slug: string) => t.c.catalogue.resolve(slug)!.id;
const skillLabel = (id: number) => t.c.catalogue.labels([id])[0]!;

/** The draft of an opportunity input, as the submit form or an email draft gives it (nothing stored). */
function draftOf(input: OpportunityInput): ReachDraft {
  return {
    title: input.title,
    description: input.description,
    requiredSkillIds: input.requiredSkills.map(skillId),
    niceSkillIds: input.niceToHaveSkills.map(skillId),
    regions: input.regions,
    remote: input.remote,
    submitterEmail: input.submitter.email,
    submitterCompany: input.submitter.company,
    submitterPartnerId: null,
  };
}

/** Publishes the input, matches it, and reads back what matching stored: every match, and those above the partner's minimum score. */
async function publishAndMatch(input: OpportunityInput) {
  const { opportunity } = await t.c.opportunities.submit({ source: 'api', input, caller: { kind: 'admin' } });
  const outcome = await matchOpportunity(t.c.db, opportunity.id, t.c.log);
  expect(outcome.status).toBe('matched');
  const row = await sql<{ matched: string; reaching: string }>`
    SELECT count(*) AS matched, count(*) FILTER (WHERE m.score >= p.min_score) AS reaching
      FROM matches m JOIN partners p ON p.id = m.partner_id WHERE m.opportunity_id = ${opportunity.id}
  `.execute(t.c.db);
  return { matched: Number(row.rows[0]!.matched), reaching: Number(row.rows[0]!.reaching) };
}

// In DACH, not remote, both skills required: one partner holds both; one holds only AKS and
// wants only strong matches (min score 0.6), so it is matched but would not see it.
const asIs = (overrides: Partial<OpportunityInput> = {}) => opportunityInput({ requiredSkills: BOTH, niceToHaveSkills: [], ...overrides });

beforeAll(async () => {
  t = await createTestStack();
  const create = async (key: string, skills: string[], overrides: Partial<PartnerInput> = {}) =>
    (await t.c.partners.createByAdmin(partnerInput(key, skills, overrides))).id;
  await create('dach-both', BOTH);
  const picky = await create('dach-aks-picky', ['kubernetes-on-azure']);
  await sql`UPDATE partners SET min_score = 0.6 WHERE id = ${picky}`.execute(t.c.db);
  await create('west-a', BOTH, { regions: ['emea-west'], remoteOk: false, timezone: 'Europe/Paris' });
  await create('west-b', BOTH, { regions: ['emea-west'], remoteOk: false, timezone: 'Europe/Paris' });
  await create('nordics', BOTH, { regions: ['nordics'], remoteOk: false, timezone: 'Europe/Oslo' });
  await create('anz-remote', BOTH, { regions: ['anz'], remoteOk: true, timezone: 'Australia/Sydney' });
  // Never matched: the submitter's own company, and a deactivated partner.
  await create('own', BOTH, { company: 'Alpenwolke GmbH' });
  await t.c.partners.deactivate(await create('gone', BOTH));
  // The specificity counts matching reads, as a match job leaves them (the preview reads the same ones).
  await refreshSkillCountsIfStale(t.c.db, 0);
});

afterAll(async () => {
  await t?.close();
});

describe('reach preview of a draft opportunity', () => {
  it('counts what matching then stores, and names the changes that reach more', async () => {
    const preview = await previewReach(t.c.db, draftOf(asIs()));
    expect(preview).toEqual({
      matched: 2,
      reaching: 1,
      changes: [
        { kind: 'remote', reaching: 2 },
        { kind: 'region', region: 'emea-west', reaching: 3 },
        { kind: 'region', region: 'anz', reaching: 2 },
        // Six active partners list Identity & Access (the own company too; not the deactivated one).
        { kind: 'drop-skill', skillId: skillId('identity-access-management'), holders: 6, reaching: 2 },
      ],
    });
    expect(await publishAndMatch(asIs())).toEqual({ matched: preview!.matched, reaching: preview!.reaching });
  });

  it("gives each change the number matching stores for the opportunity changed that way", async () => {
    const cases: Array<[Partial<OpportunityInput>, number]> = [
      [{ remote: true }, 2],
      [{ regions: ['dach', 'emea-west'] }, 3],
      [{ regions: ['dach', 'anz'] }, 2],
      [{ requiredSkills: ['kubernetes-on-azure'] }, 2],
    ];
    for (const [change, reaching] of cases) {
      const preview = await previewReach(t.c.db, draftOf(asIs(change)));
      const stored = await publishAndMatch(asIs(change));
      expect({ change, preview: { matched: preview!.matched, reaching: preview!.reaching } }).toEqual({ change, preview: stored });
      expect(stored.reaching).toBe(reaching);
    }
  });

  it('says it in one sentence', async () => {
    const sentence = await describeReach(t.c.db, draftOf(asIs()), skillLabel);
    expect(sentence).toBe(
      `1 partner matches now. Allowing remote work: 2. Adding Western Europe: 3. Adding Australia & New Zealand: 2. Dropping '${skillLabel(skillId('identity-access-management'))}' (6 partners hold it): 2.`,
    );
  });

  it('with no partner, says so and names the change that helps most', async () => {
    const nowhere = asIs({ requiredSkills: ['kubernetes-on-azure'], regions: ['latin-america'] });
    const preview = await previewReach(t.c.db, draftOf(nowhere));
    expect(preview?.reaching).toBe(0);
    expect(await describeReach(t.c.db, draftOf(nowhere), skillLabel)).toBe(
      'No partner matches this opportunity now. The change that helps most: allowing remote work would reach 3 partners.',
    );
    expect(await publishAndMatch(nowhere)).toEqual({ matched: 0, reaching: 0 });
  });

  it('with no partner and no change that helps, says that too', async () => {
    const sentence = await describeReach(t.c.db, draftOf(asIs({ requiredSkills: ['sap-on-azure'] })), skillLabel);
    expect(sentence).toMatch(/^No partner matches this opportunity now, and no single change/);
  });

  it('writes nothing', async () => {
    const before = await databaseFingerprint(t.c.db);
    await previewReach(t.c.db, draftOf(asIs()));
    await previewReach(t.c.db, draftOf(asIs({ regions: ['latin-america'] })));
    expect(await databaseFingerprint(t.c.db)).toEqual(before);
  });

  it('has nothing to say before the draft names a required skill', async () => {
    expect(await previewReach(t.c.db, { ...draftOf(asIs()), requiredSkillIds: [] })).toBeUndefined();
  });
});

it('keeps the reach preview SQL under review: a change to it shows in tests/matching/__snapshots__/reach.sql', async () => {
  const draft = { title: 'T', description: 'D', submitterEmail: 'max@alpenwolke.example', submitterCompany: 'Alpenwolke GmbH', submitterPartnerId: null, ownDomain: 'alpenwolke.example' };
  const { sql: text, parameters } = reachStatement(draft, [{ key: 'as-is', requiredSkillIds: [1, 2], niceSkillIds: [], regions: ['dach'], remote: false }]).compile(t.c.db);
  await expect(`${text.trim()}\n\n-- parameters: ${JSON.stringify(parameters)}\n`).toMatchFileSnapshot('./__snapshots__/reach.sql');
});
