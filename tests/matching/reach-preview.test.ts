import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refreshSkillCountsIfStale, reachStatement } from '../../src/matching/match.repository.ts';
import { countMatchesOf, describeReach, matchOpportunity, previewReach, type ReachDraft } from '../../src/matching/match.service.ts';
import type { OpportunityInput } from '../../src/opportunities/opportunity.schemas.ts';
import type { PartnerInput } from '../../src/partners/partner.schemas.ts';
import { databaseFingerprint } from '../support/db-fingerprint.ts';
import { opportunityInput, partnerInput } from '../support/factories.ts';
import { createTestStack, type TestStack } from '../support/test-stack.ts';

let t: TestStack;

const BOTH = ['kubernetes-on-azure', 'identity-access-management'];
const skillId = (slug: string) => t.c.catalogue.resolve(slug)!.id;

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

/** Publishes the input, matches it, and counts the matches matching stored. */
async function publishAndMatch(input: OpportunityInput): Promise<number> {
  const { opportunity } = await t.c.opportunities.submit({ source: 'api', input, caller: { kind: 'admin' } });
  const outcome = await matchOpportunity(t.c.db, opportunity.id, t.c.log);
  if (outcome.status !== 'matched') throw new Error(`not matched: ${outcome.reason}`);
  expect(await countMatchesOf(t.c.db, opportunity.id)).toBe(outcome.matches);
  return outcome.matches;
}

// In DACH, not remote, both skills required: two partners there hold one or both.
const asIs = (overrides: Partial<OpportunityInput> = {}) => opportunityInput({ requiredSkills: BOTH, niceToHaveSkills: [], ...overrides });

beforeAll(async () => {
  t = await createTestStack();
  const create = async (key: string, skills: string[], overrides: Partial<PartnerInput> = {}) =>
    (await t.c.partners.createByAdmin(partnerInput(key, skills, overrides))).id;
  await create('dach-both', BOTH);
  await create('dach-aks', ['kubernetes-on-azure']);
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
  it('counts what matching then stores, and names the changes that match more', async () => {
    const preview = await previewReach(t.c.db, draftOf(asIs()));
    expect(preview).toEqual({
      matched: 2,
      changes: [
        { kind: 'remote', matched: 3 },
        { kind: 'region', region: 'emea-west', matched: 4 },
        // Australia & New Zealand and the Nordics add one each: the first by name.
        { kind: 'region', region: 'anz', matched: 3 },
      ],
    });
    expect(await publishAndMatch(asIs())).toBe(preview!.matched);
  });

  it('gives each change the number matching stores for the opportunity changed that way', async () => {
    const cases: Array<[Partial<OpportunityInput>, number]> = [
      [{ remote: true }, 3],
      [{ regions: ['dach', 'emea-west'] }, 4],
      [{ regions: ['dach', 'anz'] }, 3],
    ];
    const preview = await previewReach(t.c.db, draftOf(asIs()));
    for (const [change, expected] of cases) {
      const changed = preview!.changes.find((c) => (change.remote ? c.kind === 'remote' : c.kind === 'region' && (change.regions as string[]).includes(c.region) && c.region !== 'dach'));
      const stored = await publishAndMatch(asIs(change));
      expect({ change, preview: changed?.matched }).toEqual({ change, preview: stored });
      expect(stored).toBe(expected);
      // And the changed draft, previewed itself, says the same.
      expect((await previewReach(t.c.db, draftOf(asIs(change))))!.matched).toBe(stored);
    }
  });

  it('says it in one sentence', async () => {
    expect(await describeReach(t.c.db, draftOf(asIs()))).toBe(
      '2 partners match now. Allowing remote work: 3. Adding Western Europe: 4. Adding Australia & New Zealand: 3.',
    );
  });

  it('with no partner, says so and names the change that helps most', async () => {
    const nowhere = asIs({ requiredSkills: ['kubernetes-on-azure'], regions: ['latin-america'] });
    expect((await previewReach(t.c.db, draftOf(nowhere)))?.matched).toBe(0);
    expect(await describeReach(t.c.db, draftOf(nowhere))).toBe(
      'No partner matches this opportunity now. The change that helps most: allowing remote work would reach 3 partners.',
    );
    expect(await publishAndMatch(nowhere)).toBe(0);
  });

  it('with no partner and no change that helps, says that too', async () => {
    expect(await describeReach(t.c.db, draftOf(asIs({ requiredSkills: ['sap-on-azure'] })))).toMatch(/^No partner matches this opportunity now, and no single change/);
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
