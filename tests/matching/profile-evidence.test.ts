import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeMatch } from '../../src/matching/match-reasons.ts';
import { listMatches } from '../../src/matching/match.repository.ts';
import { matchOpportunity } from '../../src/matching/match.service.ts';
import type { OpportunityInput } from '../../src/opportunities/opportunity.schemas.ts';
import { importPartnersCsv } from '../../src/partners/partner-import.ts';
import type { PartnerInput } from '../../src/partners/partner.schemas.ts';
import { skillsMentionedIn } from '../../src/skills/claimed-skills.ts';
import { fileCatalogue } from '../support/file-catalogue.ts';
import { opportunityInput, partnerInput } from '../support/factories.ts';
import { createTestStack, type TestStack } from '../support/test-stack.ts';

// Issue 11: the profile text as evidence where the skill list is thin, skill specificity, and
// partners who share only a designation.

let t: TestStack;

const BC_PROSE = 'We implement Dynamics 365 Business Central for wholesalers, including upgrades from older NAV versions.';

async function submitAndMatch(input: Partial<OpportunityInput>) {
  const { opportunity: o } = await t.c.opportunities.submit({ source: 'api', input: opportunityInput(input), caller: { kind: 'admin' } });
  await matchOpportunity(t.c.db, o.id, t.c.log);
  return listMatches(t.c.db, o.id);
}

const companies = (matches: Array<{ company: string }>) => matches.map((m) => m.company);

beforeAll(async () => {
  t = await createTestStack();
  const create = (key: string, skills: string[], overrides: Partial<PartnerInput> = {}) => t.c.partners.createByAdmin(partnerInput(key, skills, overrides));
  // Business Central work: one partner lists it, one only writes about it.
  await create('bc-listed', ['d365-business-central']);
  await create('bc-in-profile', [], { profile: BC_PROSE });
  await create('bc-denied', ['d365-finance-operations'], { profile: "Finance & Operations for groups. We don't do Business Central or CRM." });
  // The same prose, but each kept out by a hard filter.
  await create('bc-prose-far', [], { profile: BC_PROSE, regions: ['anz'], remoteOk: false, timezone: 'Australia/Sydney' });
  await create('bc-prose-own', [], { profile: BC_PROSE, company: 'Kornhaus Handel GmbH' });
  // Specificity: Intune is listed by many, Windows 365 by one; each candidate holds one of the two.
  for (let i = 0; i < 6; i++) await create(`intune-${i}`, ['intune', 'citrix']);
  await create('common', ['intune'], { company: 'AAA Common Skill Ltd' });
  await create('rare', ['windows-365'], { company: 'ZZZ Rare Skill Ltd' });
  // A partner known only by its designation, in the region and elsewhere.
  await create('designation-here', ['Solutions Partner for Security'], { company: 'AAA Designation Here Ltd' });
  await create('designation-far', ['Solutions Partner for Security'], { company: 'AAA Designation Far Ltd', regions: ['north-america'], timezone: 'America/Chicago' });
  await create('purview-listed', ['purview'], { company: 'ZZZ Purview Ltd' });
  // Remote work: the same skill, one partner in the work's region, one elsewhere.
  await create('arc-elsewhere', ['azure-arc'], { company: 'AAA Arc Elsewhere Ltd', regions: ['nordics'], timezone: 'Europe/Oslo' });
  await create('arc-here', ['azure-arc'], { company: 'ZZZ Arc Here Ltd' });
});

afterAll(async () => {
  await t?.close();
});

describe('the skills a profile names', () => {
  it('are found as written, one-word names only with their capitals, and never after a negation', async () => {
    const catalogue = await fileCatalogue();
    const found = (text: string) => catalogue.labels(skillsMentionedIn(catalogue, text));
    expect(found(BC_PROSE)).toEqual(['Dynamics 365 Business Central']);
    expect(found('We build chat assistants with Azure OpenAI and .NET back ends.')).toEqual(['Azure OpenAI', '.NET development']);
    expect(found("Finance & Operations only. We don't do Business Central or CRM.")).toEqual(['Finance']);
    expect(found('Keine Business-Central-Projekte. Wir machen Sentinel.')).toEqual(['Microsoft Sentinel']);
    expect(found('Power BI reporting for finance teams')).toEqual(['Power BI']);
    // A designation in prose is a field of work, not the designation.
    expect(found('Modern Work and Security consultants')).toEqual([]);
  });
});

describe('profile evidence in matching', () => {
  it('matches a partner whose list is empty but whose profile names the skill, and says so', async () => {
    const matches = await submitAndMatch({ title: 'Business Central rollout', requiredSkills: ['d365-business-central'], niceToHaveSkills: [] });
    const fromProfile = matches.find((m) => m.company === 'bc-in-profile Ltd');
    expect(fromProfile).toBeDefined();
    expect(describeMatch(fromProfile!.reasons)).toContain('Your profile mentions Dynamics 365 Business Central');
    expect(describeMatch(fromProfile!.reasons, 'submitter')).toContain('Their profile mentions Dynamics 365 Business Central');
    expect(describeMatch(fromProfile!.reasons).join(' ')).not.toMatch(/Matches your skills/);
    // "We don't do Business Central" is no evidence.
    expect(companies(matches)).not.toContain('bc-denied Ltd');
  });

  it('never ranks a profile mention above the same skill listed', async () => {
    const matches = await submitAndMatch({ title: 'Second Business Central rollout', requiredSkills: ['d365-business-central'], niceToHaveSkills: [] });
    const names = companies(matches);
    expect(names.indexOf('bc-listed Ltd')).toBeGreaterThanOrEqual(0);
    expect(names.indexOf('bc-listed Ltd')).toBeLessThan(names.indexOf('bc-in-profile Ltd'));
    expect(matches.find((m) => m.company === 'bc-listed Ltd')!.score).toBeGreaterThan(matches.find((m) => m.company === 'bc-in-profile Ltd')!.score);
  });

  it('leaves the hard filters as they are: elsewhere without remote work, and the own company, stay out', async () => {
    const remote = await submitAndMatch({ title: 'Remote Business Central work', requiredSkills: ['d365-business-central'], niceToHaveSkills: [], regions: ['dach'], remote: true });
    expect(companies(remote)).not.toContain('bc-prose-far Ltd');
    const own = await submitAndMatch({
      title: 'Business Central for the own company',
      requiredSkills: ['d365-business-central'],
      niceToHaveSkills: [],
      submitter: { name: 'Kai Korn', company: 'Kornhaus Handel Ltd.', email: 'kai@kornhaus.example' },
    });
    expect(companies(own)).toContain('bc-in-profile Ltd');
    expect(companies(own)).not.toContain('Kornhaus Handel GmbH');
  });
});

describe('skill specificity', () => {
  it('ranks a partner with the rare wanted skill above one with the common wanted skill, at equal coverage', async () => {
    const matches = await submitAndMatch({ title: 'Cloud PCs and device management', requiredSkills: ['intune', 'windows-365'], niceToHaveSkills: [] });
    const rare = matches.find((m) => m.company === 'ZZZ Rare Skill Ltd');
    const common = matches.find((m) => m.company === 'AAA Common Skill Ltd');
    expect(rare!.score).toBeGreaterThan(common!.score);
    expect(companies(matches).indexOf('ZZZ Rare Skill Ltd')).toBeLessThan(companies(matches).indexOf('AAA Common Skill Ltd'));
  });
});

describe('remote work', () => {
  it('prefers, at equal skills, the partner who serves the region to one working remotely from elsewhere', async () => {
    const matches = await submitAndMatch({ title: 'Arc onboarding', requiredSkills: ['azure-arc'], niceToHaveSkills: [], regions: ['dach'], remote: true });
    expect(companies(matches)).toEqual(['ZZZ Arc Here Ltd', 'AAA Arc Elsewhere Ltd']);
    expect(matches[0]!.score).toBeGreaterThan(matches[1]!.score);
  });
});

describe('partners who share only a designation', () => {
  it('are matched for work in their region only, after every partner with a real skill match', async () => {
    const matches = await submitAndMatch({ title: 'DLP rollout', requiredSkills: ['purview'], niceToHaveSkills: [], regions: ['dach'], remote: true });
    expect(companies(matches)).toEqual(['ZZZ Purview Ltd', 'AAA Designation Here Ltd']);
    expect(describeMatch(matches[1]!.reasons)).toContain('In the same field as your skills: Microsoft Purview (you list Security)');
    expect(matches[1]!.score).toBeLessThanOrEqual(0.2);
  });
});

describe('a partner with no skills listed', () => {
  const body = (email: string, profile: string) => ({ company: `${email} GmbH`, contactName: 'Lena Lang', email, regions: ['dach'], skills: [], profile });

  it('is accepted by the API when the profile names skills, and refused with the skills message when not', async () => {
    const ok = await t.app.inject({ method: 'POST', url: '/api/partners', headers: t.adminHeaders, payload: body('prose@api.example', BC_PROSE) });
    expect(ok.statusCode).toBe(201);
    expect(ok.json()).toMatchObject({ skills: [], profileSkills: [{ slug: 'd365-business-central' }] });

    for (const profile of ['', 'We are a friendly team of consultants.']) {
      const refused = await t.app.inject({ method: 'POST', url: '/api/partners', headers: t.adminHeaders, payload: body(`none${profile.length}@api.example`, profile) });
      expect(refused.statusCode).toBe(400);
      expect(refused.json<{ error: { issues: unknown[] } }>().error.issues).toContainEqual({ path: ['skills'], message: 'choose at least one skill' });
    }
  });

  it('is imported from CSV when the profile names skills; a line with neither is rejected on its own', async () => {
    const csv = [
      'email,company,contact,regions,skills,profile',
      `prose@csv.example,Prose GmbH,Pia Prose,dach,,"${BC_PROSE}"`,
      'none@csv.example,None GmbH,Nils None,dach,,We are a friendly team.',
    ].join('\n');
    const report = await importPartnersCsv(csv, t.c.partners);
    expect(report.created).toBe(1);
    expect(report.rejected).toEqual([{ line: 3, email: 'none@csv.example', reasons: ['skills: choose at least one skill'] }]);
    const row = await t.c.partners.findRowByEmail('prose@csv.example');
    expect(t.c.catalogue.labels(row!.profileSkillIds)).toEqual(['Dynamics 365 Business Central']);
  });

  it('has profile evidence computed for partners stored before it existed, once', async () => {
    const created = await t.c.partners.createByAdmin(partnerInput('stored-before', ['intune'], { profile: 'We also run Microsoft Sentinel for councils.' }));
    // As the migration leaves partners who joined before: no evidence stored.
    await t.c.db.deleteFrom('partnerProfileSkills').where('partnerId', '=', created.id).execute();
    const first = await t.c.partners.refreshProfileEvidence();
    expect(first.changed).toBe(1);
    expect((await t.c.partners.get(created.id)).profileSkills.map((s) => s.slug)).toEqual(['sentinel']);
    expect((await t.c.partners.refreshProfileEvidence()).changed).toBe(0);
  });

  it('has its profile evidence follow a changed profile', async () => {
    const created = await t.c.partners.createByAdmin(partnerInput('changes', [], { profile: BC_PROSE }));
    await t.c.partners.update(created.id, { profile: 'We run Microsoft Sentinel for councils.' });
    expect((await t.c.partners.get(created.id)).profileSkills.map((s) => s.slug)).toEqual(['sentinel']);
  });
});
