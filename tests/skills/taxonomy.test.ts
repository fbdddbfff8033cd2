import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { taxonomySchema, type TaxonomySkill } from '../../src/skills/taxonomy.ts';
import { REGION_SLUGS } from '../../src/regions/regions.ts';
import { demoOpportunities, demoPartners } from '../../src/seed/demo-data.ts';

const raw: unknown = JSON.parse(
  readFileSync(new URL('../../src/skills/taxonomy.json', import.meta.url), 'utf8'),
);

/** The same loose comparison people expect: case, punctuation and spaces do not matter. */
const normalize = (text: string): string => text.toLowerCase().replace(/[^a-z0-9]/g, '');

const DESIGNATIONS = [
  'Data & AI (Azure)',
  'Digital & App Innovation (Azure)',
  'Infrastructure (Azure)',
  'Business Applications',
  'Modern Work',
  'Security',
];

/** Specialization label → label of the designation it belongs to. */
const SPECIALIZATIONS: Record<string, string> = {
  'Analytics on Microsoft Azure': 'Data & AI (Azure)',
  'Data Warehouse Migration to Microsoft Azure': 'Data & AI (Azure)',
  'AI and Machine Learning on Microsoft Azure': 'Data & AI (Azure)',
  'Build and Modernize AI Apps with Microsoft Azure': 'Digital & App Innovation (Azure)',
  'Kubernetes on Microsoft Azure': 'Digital & App Innovation (Azure)',
  'DevOps with GitHub on Microsoft Azure': 'Digital & App Innovation (Azure)',
  'Modernization of Web Applications to Microsoft Azure': 'Digital & App Innovation (Azure)',
  'Infra and Database Migration to Microsoft Azure': 'Infrastructure (Azure)',
  'Microsoft Azure Virtual Desktop': 'Infrastructure (Azure)',
  'Migrate Enterprise Applications to Microsoft Azure': 'Infrastructure (Azure)',
  'Hybrid Cloud Infrastructure with Microsoft Azure Stack HCI': 'Infrastructure (Azure)',
  'Microsoft Azure VMware Solution': 'Infrastructure (Azure)',
  'Networking Services in Microsoft Azure': 'Infrastructure (Azure)',
  'SAP on Microsoft Azure': 'Infrastructure (Azure)',
  'Low Code Application Development': 'Business Applications',
  'Small and Midsize Business Management': 'Business Applications',
  Sales: 'Business Applications',
  Service: 'Business Applications',
  Finance: 'Business Applications',
  'Supply Chain': 'Business Applications',
  'Intelligent Automation': 'Business Applications',
  'Business Intelligence': 'Business Applications',
  'Adoption and Change Management': 'Modern Work',
  'Calling for Microsoft Teams': 'Modern Work',
  'Custom Solutions for Microsoft Teams': 'Modern Work',
  'Meetings and Meeting Rooms for Microsoft Teams': 'Modern Work',
  'Modernize Endpoints': 'Modern Work',
  'Teamwork Deployment': 'Modern Work',
  'Threat Protection': 'Security',
  'Information Protection and Governance': 'Security',
  'Cloud Security': 'Security',
  'Identity and Access Management': 'Security',
};

describe('taxonomy.json', () => {
  const parsed = taxonomySchema.safeParse(raw);

  it('parses with taxonomySchema', () => {
    expect(parsed.error).toBeUndefined();
    expect(parsed.data?.version).toBe(1);
  });

  const skills: TaxonomySkill[] = parsed.data?.skills ?? [];
  const bySlug = new Map(skills.map((s) => [s.slug, s]));
  const byLabel = new Map(skills.map((s) => [s.label, s]));

  it('has unique slugs and unique labels', () => {
    expect(skills.length).toBeGreaterThan(0);
    expect(bySlug.size).toBe(skills.length);
    expect(byLabel.size).toBe(skills.length);
  });

  it('only refers to slugs that exist', () => {
    for (const skill of skills) {
      if (skill.designation !== null) {
        expect(bySlug.has(skill.designation), `${skill.slug} → designation ${skill.designation}`).toBe(true);
      }
      for (const related of skill.related) {
        expect(bySlug.has(related), `${skill.slug} → related ${related}`).toBe(true);
        expect(related, `${skill.slug} relates to itself`).not.toBe(skill.slug);
      }
    }
  });

  it('files every specialization and practice under a designation, and designations under nothing', () => {
    for (const skill of skills) {
      if (skill.kind === 'designation') {
        expect(skill.designation, skill.slug).toBeNull();
      } else {
        expect(skill.designation, skill.slug).not.toBeNull();
        expect(bySlug.get(skill.designation ?? '')?.kind, skill.slug).toBe('designation');
      }
    }
  });

  it('has exactly the six Solutions Partner designations, none retired', () => {
    const designations = skills.filter((s) => s.kind === 'designation');
    expect(designations.map((s) => s.label).sort()).toEqual([...DESIGNATIONS].sort());
    for (const d of designations) expect(d.retiredAt ?? null, d.slug).toBeNull();
  });

  it('has every specialization, under the right designation, none retired', () => {
    for (const [label, designationLabel] of Object.entries(SPECIALIZATIONS)) {
      const skill = byLabel.get(label);
      expect(skill, label).toBeDefined();
      expect(skill?.kind, label).toBe('specialization');
      expect(skill?.designation, label).toBe(byLabel.get(designationLabel)?.slug);
      expect(skill?.retiredAt ?? null, label).toBeNull();
    }
  });

  // The review of every related link (issue 11) asked "would a buyer accept this partner?" and
  // found nothing a LAN/WAN, SD-WAN and Wi-Fi house would be accepted for: Azure networking
  // (ExpressRoute, hub-and-spoke) is cloud architecture work. Named here so the exception stays one.
  const RELATED_TO_NOTHING = new Set(['networking']);
  it('has a good set of current practices, each related to something', () => {
    const practices = skills.filter((s) => s.kind === 'practice' && !s.retiredAt);
    expect(practices.length).toBeGreaterThanOrEqual(30);
    for (const p of practices.filter((s) => !RELATED_TO_NOTHING.has(s.slug))) expect(p.related.length, p.slug).toBeGreaterThan(0);
  });

  it('relates the practices the review found no acceptable link for to nothing at all', () => {
    for (const slug of RELATED_TO_NOTHING) expect(skills.find((s) => s.slug === slug)?.related, slug).toEqual([]);
  });

  it('keeps retired names resolvable and points them at their successor designation', () => {
    const retired = skills.filter((s) => s.retiredAt);
    expect(retired.length).toBeGreaterThan(0);
    for (const r of retired) {
      expect(r.kind, r.slug).toBe('practice');
      expect(r.related, r.slug).toEqual([r.designation]);
    }
  });

  it('maps every label, slug and synonym, normalized, to exactly one skill', () => {
    const owners = new Map<string, Set<string>>();
    for (const skill of skills) {
      for (const name of [skill.slug, skill.label, ...skill.synonyms]) {
        const key = normalize(name);
        expect(key, `${skill.slug}: "${name}" normalizes to nothing`).not.toBe('');
        const set = owners.get(key) ?? new Set<string>();
        set.add(skill.slug);
        owners.set(key, set);
      }
    }
    const clashes = [...owners].filter(([, set]) => set.size > 1).map(([key, set]) => `${key}: ${[...set].join(', ')}`);
    expect(clashes).toEqual([]);
  });

  it('does not repeat a synonym within a skill', () => {
    for (const skill of skills) {
      const keys = [skill.label, ...skill.synonyms].map(normalize);
      expect(new Set(keys).size, skill.slug).toBe(keys.length);
    }
  });

  it('keeps synonyms specific', () => {
    const generic = ['azure', 'cloud', 'security', 'data', 'microsoft', 'ai', 'it', 'migration', 'apps'];
    for (const skill of skills) {
      for (const synonym of skill.synonyms) {
        expect(generic, `${skill.slug}: "${synonym}"`).not.toContain(normalize(synonym));
      }
    }
  });
});

describe('demo data', () => {
  const skills = taxonomySchema.parse(raw).skills;
  const current = new Set(skills.filter((s) => !s.retiredAt).map((s) => s.slug));
  const regions = new Set<string>(REGION_SLUGS);

  const isTimeZone = (zone: string): boolean => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: zone });
      return true;
    } catch {
      return false;
    }
  };

  it('has about sixty partners with unique emails and companies', () => {
    expect(demoPartners.length).toBeGreaterThanOrEqual(50);
    const emails = demoPartners.map((p) => p.email.toLowerCase());
    expect(new Set(emails).size).toBe(emails.length);
    const companies = demoPartners.map((p) => p.company);
    expect(new Set(companies).size).toBe(companies.length);
  });

  it('uses reserved domains only', () => {
    for (const p of demoPartners) {
      expect(p.email, p.company).toMatch(/^[a-z0-9.]+@[a-z0-9-]+\.(example|example\.com|example\.org|example\.net)$/);
      expect(p.website, p.company).toMatch(/^https:\/\/[a-z0-9.-]+\.example(\.com|\.org|\.net)?\/?$/);
    }
  });

  it('gives every partner 2–6 current skills, known regions, a real time zone and a profile', () => {
    for (const p of demoPartners) {
      expect(p.skills.length, p.company).toBeGreaterThanOrEqual(2);
      expect(p.skills.length, p.company).toBeLessThanOrEqual(6);
      expect(new Set(p.skills).size, p.company).toBe(p.skills.length);
      for (const slug of p.skills) expect(current.has(slug), `${p.company}: ${slug}`).toBe(true);
      expect(p.regions.length, p.company).toBeGreaterThan(0);
      for (const r of p.regions) expect(regions.has(r), `${p.company}: ${r}`).toBe(true);
      expect(isTimeZone(p.timezone), `${p.company}: ${p.timezone}`).toBe(true);
      expect(p.profile.length, p.company).toBeGreaterThan(20);
    }
  });

  it('covers every region and every designation', () => {
    const served = new Set(demoPartners.flatMap((p) => p.regions));
    expect([...served].sort()).toEqual([...REGION_SLUGS].sort());
    const bySlug = new Map(skills.map((s) => [s.slug, s]));
    const designations = new Set(
      demoPartners.flatMap((p) => p.skills.map((slug) => bySlug.get(slug)?.designation ?? slug)),
    );
    for (const d of skills.filter((s) => s.kind === 'designation')) {
      expect(designations.has(d.slug), d.slug).toBe(true);
    }
  });

  it('has 6–8 opportunities that are valid', () => {
    expect(demoOpportunities.length).toBeGreaterThanOrEqual(6);
    expect(demoOpportunities.length).toBeLessThanOrEqual(8);
    for (const o of demoOpportunities) {
      expect(o.requiredSkills.length, o.title).toBeGreaterThan(0);
      for (const slug of [...o.requiredSkills, ...o.niceToHaveSkills]) {
        expect(current.has(slug), `${o.title}: ${slug}`).toBe(true);
      }
      for (const r of o.regions) expect(regions.has(r), `${o.title}: ${r}`).toBe(true);
      expect(o.remote || o.regions.length > 0, o.title).toBe(true);
      if (o.budgetMin !== undefined && o.budgetMax !== undefined) {
        expect(o.budgetMin, o.title).toBeLessThanOrEqual(o.budgetMax);
      }
      if (o.currency !== undefined) expect(o.currency, o.title).toMatch(/^[A-Z]{3}$/);
      expect(demoPartners[o.submitterIndex], o.title).toBeDefined();
    }
  });

  it('gives every opportunity at least two matching partners besides its submitter', () => {
    for (const o of demoOpportunities) {
      const submitter = demoPartners[o.submitterIndex];
      expect(submitter, o.title).toBeDefined();
      const coversAll = (skillsHeld: string[]) => o.requiredSkills.every((s) => skillsHeld.includes(s));
      expect(coversAll(submitter?.skills ?? []), `${o.title}: submitter already has the skills`).toBe(false);
      const holders = demoPartners.filter((p, i) => i !== o.submitterIndex && coversAll(p.skills));
      expect(holders.length, o.title).toBeGreaterThanOrEqual(2);
    }
  });
});
