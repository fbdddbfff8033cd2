import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listMatches } from '../../src/matching/match.repository.ts';
import { matchOpportunity, matchPartner } from '../../src/matching/match.service.ts';
import type { OpportunityInput } from '../../src/opportunities/opportunity.schemas.ts';
import type { PartnerInput } from '../../src/partners/partner.schemas.ts';
import { opportunityInput, partnerInput } from '../support/factories.ts';
import { createTestStack, type TestStack } from '../support/test-stack.ts';

// Issue 14: matching finds its candidates through partners.skill_ids and
// partners.profile_skill_ids (GIN-indexed copies of partner_skills and partner_profile_skills,
// kept by triggers) and scores them from those arrays; text relevance ranks against the
// opportunity's lexemes that some kept partner's profile holds. These pin what could drift.

let t: TestStack;

const create = async (key: string, skills: string[], overrides: Partial<PartnerInput> = {}) =>
  (await t.c.partners.createByAdmin(partnerInput(key, skills, overrides))).id;

async function submitAndMatch(input: Partial<OpportunityInput>) {
  const { opportunity: o } = await t.c.opportunities.submit({ source: 'api', input: opportunityInput(input), caller: { kind: 'admin' } });
  await matchOpportunity(t.c.db, o.id, t.c.log);
  return o.id;
}

/** Partners whose arrays differ from their rows in partner_skills / partner_profile_skills. */
async function drifted(): Promise<string[]> {
  const { rows } = await sql<{ company: string }>`
    SELECT p.company FROM partners p
     WHERE p.skill_ids IS DISTINCT FROM ARRAY(SELECT skill_id FROM partner_skills ps WHERE ps.partner_id = p.id ORDER BY skill_id)
        OR p.profile_skill_ids IS DISTINCT FROM ARRAY(SELECT skill_id FROM partner_profile_skills pps WHERE pps.partner_id = p.id ORDER BY skill_id)
     ORDER BY p.company
  `.execute(t.c.db);
  return rows.map((r) => r.company);
}

const arraysOf = async (partnerId: string) =>
  sql<{ listed: number[]; named: number[] }>`SELECT skill_ids AS listed, profile_skill_ids AS named FROM partners WHERE id = ${partnerId}`
    .execute(t.c.db)
    .then((r) => r.rows[0]!);

const skillId = async (slug: string) =>
  (await t.c.db.selectFrom('skills').select('id').where('slug', '=', slug).executeTakeFirstOrThrow()).id;

beforeAll(async () => {
  t = await createTestStack();
});

afterAll(async () => {
  await t?.close();
});

describe('the skill arrays on the partner row', () => {
  it('follow every write to partner_skills and partner_profile_skills, through the service or not', async () => {
    const id = await create('arrays', ['intune', 'sentinel'], { profile: 'We implement Dynamics 365 Business Central for wholesalers.' });
    const [intune, sentinel, bc, w365] = await Promise.all(['intune', 'sentinel', 'd365-business-central', 'windows-365'].map(skillId));
    expect(await arraysOf(id)).toEqual({ listed: [intune, sentinel].sort((a, b) => a! - b!), named: [bc] });

    // The service: a new list, and a profile that names nothing.
    await t.c.partners.update(id, { skills: ['windows-365'], profile: 'Endpoint management.' });
    expect(await arraysOf(id)).toEqual({ listed: [w365], named: [] });

    // Plain SQL: insert, update (also moving a row to another partner), delete, several at once.
    const other = await create('arrays-other', ['sentinel']);
    await sql`INSERT INTO partner_skills (partner_id, skill_id) VALUES (${id}, ${intune}), (${id}, ${sentinel})`.execute(t.c.db);
    await sql`INSERT INTO partner_profile_skills (partner_id, skill_id) VALUES (${id}, ${bc})`.execute(t.c.db);
    await sql`UPDATE partner_skills SET partner_id = ${other} WHERE partner_id = ${id} AND skill_id = ${intune}`.execute(t.c.db);
    await sql`UPDATE partner_skills SET skill_id = ${bc} WHERE partner_id = ${id} AND skill_id = ${w365}`.execute(t.c.db);
    expect(await arraysOf(id)).toEqual({ listed: [bc, sentinel].sort((a, b) => a! - b!), named: [bc] });
    expect((await arraysOf(other)).listed).toEqual([intune, sentinel].sort((a, b) => a! - b!));
    await sql`DELETE FROM partner_skills WHERE partner_id IN (${id}, ${other})`.execute(t.c.db);
    await sql`DELETE FROM partner_profile_skills WHERE partner_id = ${id}`.execute(t.c.db);
    expect(await arraysOf(id)).toEqual({ listed: [], named: [] });
    expect((await arraysOf(other)).listed).toEqual([]);
    expect(await drifted()).toEqual([]);

    // TRUNCATE empties every partner's array.
    await sql`INSERT INTO partner_profile_skills (partner_id, skill_id) VALUES (${id}, ${bc}), (${other}, ${bc})`.execute(t.c.db);
    expect((await arraysOf(other)).named).toEqual([bc]);
    await sql`TRUNCATE partner_profile_skills`.execute(t.c.db);
    expect((await arraysOf(id)).named).toEqual([]);
    expect((await arraysOf(other)).named).toEqual([]);
    expect(await drifted()).toEqual([]);
  });
});

describe('candidates from the arrays', () => {
  it('reflect a partner changing their skills, both ways', async () => {
    const id = await create('switcher', ['sentinel']);
    const opportunityId = await submitAndMatch({ title: 'Intune rollout', requiredSkills: ['intune'], niceToHaveSkills: [] });
    const companies = async () => (await listMatches(t.c.db, opportunityId)).map((m) => m.company);
    expect(await companies()).not.toContain('switcher Ltd');

    await t.c.partners.update(id, { skills: ['intune'] });
    await matchPartner(t.c.db, id, t.c.log);
    const [match] = (await listMatches(t.c.db, opportunityId)).filter((m) => m.company === 'switcher Ltd');
    expect(match?.reasons.skills).toEqual([{ skill: 'Microsoft Intune', role: 'required', tier: 'exact', via: null }]);

    await t.c.partners.update(id, { skills: ['sentinel'] });
    await matchPartner(t.c.db, id, t.c.log);
    expect(await companies()).not.toContain('switcher Ltd');
  });

  it('still finds a partner who lists only related skills, and names the first of them by label', async () => {
    // Modernize Endpoints work: Intune, Windows 365 and Windows 11 migration each serve it.
    await create('related-two', ['windows-365', 'intune'], { company: 'Related Two Ltd' });
    await create('related-one', ['windows-11-migration'], { company: 'Related One Ltd' });
    await create('unrelated', ['sentinel'], { company: 'Unrelated Ltd' });
    const opportunityId = await submitAndMatch({ title: 'Endpoint modernisation', requiredSkills: ['modernize-endpoints'], niceToHaveSkills: [] });
    const matches = await listMatches(t.c.db, opportunityId);
    const byCompany = new Map(matches.map((m) => [m.company, m]));
    expect(byCompany.has('Unrelated Ltd')).toBe(false);
    // Two related skills listed: the reason names the first by label ("Microsoft Intune" < "Windows 365").
    expect(byCompany.get('Related Two Ltd')?.reasons.skills).toEqual([
      { skill: 'Modernize Endpoints', role: 'required', tier: 'related', via: 'Microsoft Intune' },
    ]);
    expect(byCompany.get('Related One Ltd')?.reasons.skills).toEqual([
      { skill: 'Modernize Endpoints', role: 'required', tier: 'related', via: 'Windows 11 migration' },
    ]);
  });
});

describe('text relevance', () => {
  it('is what ranking against all of the opportunity’s words gives, for every partner stored', async () => {
    // Each profile shares other words with the description, one of them a word no other profile has.
    const profiles = [
      'Sentinel operations for hospitals and clinics.',
      'Sentinel and Defender for logistics companies; we run a 24/7 SOC with threat hunting.',
      'Security operations. Sentinel workbooks, playbooks and threat hunting for insurers in Vienna.',
      'Sentinel.',
    ];
    for (const [i, profile] of profiles.entries()) await create(`text-${i}`, ['sentinel'], { profile });
    const opportunityId = await submitAndMatch({
      title: 'Sentinel for a hospital group',
      description: 'A hospital group in Vienna wants Sentinel playbooks, threat hunting and a 24/7 SOC for its clinics and logistics.',
      requiredSkills: ['sentinel'],
      niceToHaveSkills: [],
    });
    const { rows } = await sql<{ company: string; stored: number; whole: number }>`
      SELECT p.company, (m.reasons ->> 'textRelevance')::float8 AS stored,
             round(coalesce(ts_rank_cd(p.profile_tsv,
               (SELECT string_agg(quote_literal(lexeme), ' | ') FROM unnest(tsvector_to_array(o.search_tsv)) AS lexeme)::tsquery, 32), 0)::numeric, 3)::float8 AS whole
        FROM matches m JOIN partners p ON p.id = m.partner_id JOIN opportunities o ON o.id = m.opportunity_id
       WHERE m.opportunity_id = ${opportunityId}
       ORDER BY p.company
    `.execute(t.c.db);
    expect(rows.map((r) => r.company)).toEqual(expect.arrayContaining(['text-0 Ltd', 'text-1 Ltd', 'text-2 Ltd', 'text-3 Ltd']));
    expect(rows.filter((r) => r.company.startsWith('text-')).every((r) => r.whole > 0)).toBe(true);
    expect(rows.map((r) => [r.company, r.stored])).toEqual(rows.map((r) => [r.company, r.whole]));
  });
});
