import { beforeAll, describe, expect, it } from 'vitest';
import type { SkillCatalogue } from '../../src/skills/skill-catalogue.ts';
import { UnknownSkillsError, unknownSkillMessage } from '../../src/skills/unknown-skills.ts';
import { fileCatalogue } from '../support/file-catalogue.ts';

let catalogue: SkillCatalogue;
beforeAll(async () => {
  catalogue = await fileCatalogue();
});
const slugOf = (name: string) => catalogue.resolve(name)?.slug;

describe('skill names as partners write them', () => {
  it.each([
    // abbreviations and current product names
    ['D365FO', 'd365-finance-operations'],
    ['Copilot for Microsoft 365', 'copilot-m365-adoption'],
    ['Microsoft Defender for Endpoint', 'defender-xdr'],
    // plurals, either way round
    ['Azure Virtual Desktops', 'azure-virtual-desktop'],
    ['SBCs', 'teams-phone'],
    ['Firewall', 'networking'],
    ['T2T migrations', 'm365-migration'],
    // a version or the kind of work after the product
    ['NAV 2018 upgrades', 'd365-business-central'],
    ['Dynamics CRM 2016', 'd365-customer-engagement'],
    ['Power BI reports', 'power-bi'],
    ['ExpressRoute circuits', 'networking-services-azure'],
    ['Conditional access policies', 'identity-access-management'],
    // a parenthesis, inside or out
    ['Kubernetes (AKS)', 'kubernetes-on-azure'],
    ['SIEM (Sentinel)', 'sentinel'],
    // typos in long names
    ['Business Centrall', 'd365-business-central'],
    ['Dynamics 365 Busines Central', 'd365-business-central'],
    ['Azure landing zone', 'azure-landing-zones'],
  ])('%s → %s', (name, slug) => {
    expect(slugOf(name)).toBe(slug);
  });

  it('does not guess: short names get no typo allowance, and unrelated products stay unknown', () => {
    for (const name of ['BCC', 'AVX', 'Salesforce', 'Sales Cloud', 'Wholesale', 'MYOB migration', 'Okta']) {
      expect(slugOf(name), name).toBeUndefined();
    }
  });

  it('answers what it cannot place with suggestions, every unknown name at once, as a 422', () => {
    expect(unknownSkillMessage(catalogue, 'Dynamics 365 Busines Centre')).toMatch(/^unknown skill "Dynamics 365 Busines Centre" — did you mean "Dynamics 365 Business Central"/);
    let error: unknown;
    try {
      catalogue.resolveOrThrow([
        { path: 'requiredSkills', names: ['AKS', 'Salesforce CPQ'] },
        { path: 'niceToHaveSkills', names: ['Jet Reports'] },
      ]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UnknownSkillsError);
    const { status, code, issues } = error as UnknownSkillsError;
    expect({ status, code }).toEqual({ status: 422, code: 'unknown_skills' });
    expect(issues.map((i) => i.path)).toEqual([
      ['requiredSkills', 1],
      ['niceToHaveSkills', 0],
    ]);
  });
});
