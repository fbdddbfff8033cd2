import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeMatch } from '../../src/matching/match-reasons.ts';
import { insertMatchesForOpportunity, listMatches, matchingStatement } from '../../src/matching/match.repository.ts';
import { matchOpportunity, matchPartner } from '../../src/matching/match.service.ts';
import type { OpportunityInput } from '../../src/opportunities/opportunity.schemas.ts';
import type { PartnerInput } from '../../src/partners/partner.schemas.ts';
import { createTestStack, type TestStack } from '../support/test-stack.ts';
import { opportunityInput, partnerInput } from '../support/factories.ts';

let t: TestStack;
const ids: Record<string, string> = {};

const partner = (key: string, skills: string[], overrides: Partial<PartnerInput> = {}) =>
  partnerInput(key, skills, { timezone: 'Europe/Vienna', ...overrides });
const opportunity = opportunityInput;

async function submitAndMatch(input: OpportunityInput) {
  const { opportunity: o } = await t.c.opportunities.submit({ source: 'api', input, caller: { kind: 'admin' } });
  const outcome = await matchOpportunity(t.c.db, o.id, t.c.log);
  return { id: o.id, outcome, matches: await listMatches(t.c.db, o.id) };
}

const companies = (matches: Array<{ company: string }>) => matches.map((m) => m.company);

beforeAll(async () => {
  t = await createTestStack();
  const create = async (key: string, skills: string[], overrides: Partial<PartnerInput> = {}) => {
    ids[key] = (await t.c.partners.createByAdmin(partner(key, skills, overrides))).id;
  };
  await create('exact', ['kubernetes-on-azure', 'identity-access-management']);
  await create('exact-plus-nice', ['kubernetes-on-azure', 'identity-access-management', 'sentinel']);
  await create('exact-with-profile', ['kubernetes-on-azure', 'identity-access-management'], {
    profile: 'We build Kubernetes platforms on Azure for manufacturers and machine builders, shop-floor included.',
  });
  await create('related', ['containers', 'identity-access-management']);
  await create('related-only', ['containers']);
  await create('same-designation-only', ['ai-apps-azure', 'cloud-security']);
  await create('far-away', ['kubernetes-on-azure', 'identity-access-management'], { regions: ['anz'], timezone: 'Australia/Sydney' });
  await create('own-company', ['kubernetes-on-azure', 'identity-access-management'], { company: 'ALPENWOLKE GMBH' });
  // The submitter's company again, under other spellings and on its own mail domain.
  await create('own-spelling', ['kubernetes-on-azure', 'identity-access-management'], { company: 'Alpenwolke G.m.b.H. & Co. KG' });
  await create('own-domain', ['kubernetes-on-azure', 'identity-access-management'], { company: 'AW Cloud Services', email: 'team@de.alpenwolke.example' });
  // Not the submitter: a longer name, and a partner that only shares a free mail provider.
  await create('alpenwolke-consulting', ['kubernetes-on-azure', 'identity-access-management'], { company: 'Alpenwolke Consulting Ltd' });
  await create('gmail-partner', ['kubernetes-on-azure', 'identity-access-management'], { company: 'Gmail Partner', email: 'kube.partner@gmail.com' });
  // "Related" has a direction: Business Central partners can do Finance work, not every Finance holder BC work.
  await create('finance-only', ['finance', 'supply-chain']);
  await create('bc-house', ['d365-business-central']);
  // Breadth: the same exact skill says less from a partner who lists twenty.
  await create('sap-specialist', ['sap-on-azure']);
  await create('generalist', [
    'sap-on-azure', 'power-bi', 'power-apps', 'power-automate', 'azure-arc', 'd365-finance-operations', 'd365-customer-engagement',
    'intune', 'windows-365', 'teams-phone', 'exchange-online', 'sharepoint-online', 'm365-migration', 'backup-dr', 'finops',
    'citrix', 'microsoft-fabric', 'azure-sql', 'dotnet-development', 'managed-services',
  ], { company: 'AAA Generalist Ltd' });
  // Equal scores: the partner listing fewer skills comes first, whatever the names say.
  await create('tie-one-skill', ['citrix'], { company: 'ZZZ Citrix Only Ltd' });
  await create('tie-three-skills', ['citrix', 'backup-dr', 'finops'], { company: 'AAA Citrix Plus Ltd' });
  // Serves Australia only and has unticked "we also take remote work anywhere".
  await create('far-away-no-remote', ['kubernetes-on-azure', 'identity-access-management'], { regions: ['anz'], timezone: 'Australia/Sydney', remoteOk: false });
  await create('deactivated', ['kubernetes-on-azure', 'identity-access-management']);
  await t.c.partners.deactivate(ids.deactivated!);
  await create('suppressed', ['kubernetes-on-azure', 'identity-access-management']);
  await t.c.suppressions.suppress('SUPPRESSED@partners.example', 'hard_bounce');
  await t.c.partners.signUp(partner('pending', ['kubernetes-on-azure', 'identity-access-management']));
});

afterAll(async () => {
  await t?.close();
});

describe('matching an opportunity against partner profiles', () => {
  it('ranks exact skills above related ones, and rewards nice-to-haves and a fitting profile', async () => {
    const { matches } = await submitAndMatch(opportunity());
    expect(companies(matches)).toEqual([
      'exact-plus-nice Ltd',
      'exact-with-profile Ltd',
      'Alpenwolke Consulting Ltd',
      'Gmail Partner',
      'exact Ltd',
      'related Ltd',
      'related-only Ltd',
    ]);
    const scores = matches.map((m) => m.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    expect(scores.every((s) => s > 0 && s <= 1)).toBe(true);
  });

  it('leaves out partners who share only the designation, are inactive, suppressed, elsewhere or the submitter', async () => {
    const { matches } = await submitAndMatch(opportunity({ title: 'Second AKS platform' }));
    const names = companies(matches);
    for (const excluded of ['same-designation-only', 'far-away', 'own-company', 'deactivated', 'suppressed', 'pending']) {
      expect(names).not.toContain(`${excluded} Ltd`);
    }
    expect(names).not.toContain('ALPENWOLKE GMBH');
  });

  it("never matches the submitter's own company under another spelling or on its own mail domain", async () => {
    const { matches } = await submitAndMatch(opportunity({ title: 'Own company AKS', submitter: { name: 'Max Huber', company: 'Alpenwolke Limited', email: 'Max@Alpenwolke.example' } }));
    const names = companies(matches);
    expect(names).not.toContain('ALPENWOLKE GMBH');
    expect(names).not.toContain('Alpenwolke G.m.b.H. & Co. KG');
    expect(names).not.toContain('AW Cloud Services');
    // Another company whose name only starts the same way is not the submitter.
    expect(names).toContain('Alpenwolke Consulting Ltd');
  });

  it('a shared free mail provider says nothing about a shared company', async () => {
    const { matches } = await submitAndMatch(opportunity({ title: 'Gmail AKS', submitter: { name: 'Sole Trader', company: 'Sole Trader', email: 'sole.trader@gmail.com' } }));
    expect(companies(matches)).toContain('Gmail Partner');
  });

  it('ranks a specialist above a twenty-skill generalist with the same exact skill, whatever their names', async () => {
    const { matches } = await submitAndMatch(opportunity({ title: 'SAP landing on Azure', requiredSkills: ['sap-on-azure'], niceToHaveSkills: [] }));
    expect(companies(matches)).toEqual(['sap-specialist Ltd', 'AAA Generalist Ltd']);
    expect(matches[0]!.score).toBeGreaterThan(matches[1]!.score);
  });

  it('breaks equal scores by fewer skills listed, then by name', async () => {
    const { matches } = await submitAndMatch(opportunity({ title: 'Citrix estate review', requiredSkills: ['citrix'], niceToHaveSkills: [] }));
    const ties = matches.filter((m) => ['ZZZ Citrix Only Ltd', 'AAA Citrix Plus Ltd'].includes(m.company));
    expect(ties.map((m) => m.score)).toEqual([ties[0]!.score, ties[0]!.score]);
    expect(companies(ties)).toEqual(['ZZZ Citrix Only Ltd', 'AAA Citrix Plus Ltd']);
  });

  it('a related skill counts in its direction only: a Business Central house for Finance work, not a Finance holder for Business Central work', async () => {
    const bcWork = await submitAndMatch(opportunity({ title: 'Business Central rollout', requiredSkills: ['d365-business-central'], niceToHaveSkills: [] }));
    expect(companies(bcWork.matches)).toEqual(['bc-house Ltd']);
    const financeWork = await submitAndMatch(opportunity({ title: 'Finance process review', requiredSkills: ['finance'], niceToHaveSkills: [] }));
    expect(companies(financeWork.matches)).toEqual(expect.arrayContaining(['finance-only Ltd', 'bc-house Ltd']));
  });

  it('lets remote work reach partners in other regions, only those who take remote work', async () => {
    const { matches } = await submitAndMatch(opportunity({ title: 'Remote AKS review', regions: [], remote: true }));
    const farAway = matches.find((m) => m.company === 'far-away Ltd');
    expect(farAway).toBeDefined();
    expect(describeMatch(farAway!.reasons)).toContain('Remote work is welcome');
    expect(companies(matches)).not.toContain('far-away-no-remote Ltd');
  });

  it('a partner who does not take remote work still gets remote work in its own regions', async () => {
    const { matches } = await submitAndMatch(opportunity({ title: 'Remote AKS in ANZ', regions: ['anz'], remote: true }));
    expect(companies(matches)).toContain('far-away-no-remote Ltd');
  });

  it('stores reasons a person can read', async () => {
    const { matches } = await submitAndMatch(opportunity({ title: 'Third AKS platform' }));
    const byCompany = new Map(matches.map((m) => [m.company, describeMatch(m.reasons)]));
    expect(byCompany.get('exact-plus-nice Ltd')).toEqual([
      'Matches your skills: Identity and Access Management, Kubernetes on Microsoft Azure',
      'Nice to have, and you offer it: Microsoft Sentinel',
      'Serves DACH (Germany, Austria, Switzerland)',
    ]);
    expect(byCompany.get('related Ltd')).toEqual(
      expect.arrayContaining([
        'Matches your skills: Identity and Access Management',
        expect.stringMatching(/^Close to your skills: Kubernetes on Microsoft Azure \(you list .+\)$/),
      ]),
    );
    expect(byCompany.get('exact-with-profile Ltd')).toContain('Your profile describes similar work');
  });

  it('changes nothing when the same opportunity is matched again', async () => {
    const { id, matches } = await submitAndMatch(opportunity({ title: 'Fourth AKS platform' }));
    const again = await matchOpportunity(t.c.db, id, t.c.log);
    expect(again).toEqual({ status: 'skipped', reason: 'already-matched' });
    // Even the bare statement, run twice, adds nothing and changes no score.
    expect(await insertMatchesForOpportunity(t.c.db, { id, ownDomain: 'alpenwolke.example' })).toBe(0);
    expect(await listMatches(t.c.db, id)).toEqual(matches);
  });

  it('does not match an opportunity that is not published', async () => {
    const { opportunity: o } = await t.c.opportunities.submit({ source: 'form', input: opportunity({ title: 'Unconfirmed AKS work' }) });
    expect(await matchOpportunity(t.c.db, o.id, t.c.log)).toEqual({ status: 'skipped', reason: 'not-published' });
    expect(await listMatches(t.c.db, o.id)).toEqual([]);
  });
});

it('keeps the matching SQL under review: a change to it shows in tests/matching/__snapshots__/matching.sql', async () => {
  const { sql: text, parameters } = matchingStatement({ id: '00000000-0000-4000-8000-000000000000', ownDomain: 'submitter.example' }).compile(t.c.db);
  await expect(`${text.trim()}\n\n-- parameters: ${JSON.stringify(parameters)}\n`).toMatchFileSnapshot('./__snapshots__/matching.sql');
});

describe('matching a partner who joins or changes their profile', () => {
  it('finds the open opportunities matched before they joined, and follows a change of skills', async () => {
    const { id } = await submitAndMatch(opportunity({ title: 'AKS work before the newcomer joined' }));
    const newcomer = await t.c.partners.createByAdmin(partner('newcomer', ['kubernetes-on-azure', 'identity-access-management']));
    expect(companies(await listMatches(t.c.db, id))).not.toContain('newcomer Ltd');
    expect(await matchPartner(t.c.db, newcomer.id, t.c.log)).toBeGreaterThan(0);
    expect(companies(await listMatches(t.c.db, id))).toContain('newcomer Ltd');

    // The newcomer drops Kubernetes and IAM for Business Central: the unsent matches go.
    await t.c.partners.update(newcomer.id, { skills: ['Business Central'] });
    await matchPartner(t.c.db, newcomer.id, t.c.log);
    expect(companies(await listMatches(t.c.db, id))).not.toContain('newcomer Ltd');
  });

  it('announces the change in the outbox, for the match worker', async () => {
    const created = await t.c.partners.createByAdmin(partner('announced', ['kubernetes-on-azure']));
    const events = await t.c.db.selectFrom('outbox').select(['topic', 'payload']).where('topic', '=', 'partner.changed').execute();
    expect(events.map((e) => e.payload)).toContainEqual({ partnerId: created.id });
  });
});
