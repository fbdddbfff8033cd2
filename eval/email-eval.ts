import { readFile } from 'node:fs/promises';
import { simpleParser } from 'mailparser';
import { z } from 'zod';
import { understand } from '../src/inbound/understanding/understand.ts';
import { REGION_SLUGS } from '../src/regions/regions.ts';
import type { SkillCatalogue } from '../src/skills/skill-catalogue.ts';
import { addCounts, prf, setCounts, type SetCounts } from './metrics.ts';

/**
 * The email half of `npm run eval`: each labelled mail is parsed and read exactly as the intake
 * reads it (`understand`, with "now" the mail's own Date), and every field is compared with the
 * label. A field the reader does not produce (day rates) counts as empty, so the figures say
 * what a submitter would see on the correction page.
 */

const money = z.object({ min: z.number(), max: z.number(), currency: z.string() });
const goldSchema = z.object({
  file: z.string().regex(/^[\w.-]+\.eml$/),
  title: z.string(),
  requiredSkills: z.array(z.string()),
  niceToHaveSkills: z.array(z.string()).default([]),
  regions: z.array(z.enum(REGION_SLUGS)),
  remote: z.boolean(),
  budget: money.nullable(),
  dayRate: z.object({ amount: z.number(), currency: z.string() }).nullable().default(null),
  startDate: z.iso.date().nullable(),
  why: z.string().default(''),
});

export type EmailGold = z.infer<typeof goldSchema>;

export async function loadEmailSet(dir: URL, catalogue: SkillCatalogue): Promise<EmailGold[]> {
  const gold = z.array(goldSchema).parse(JSON.parse(await readFile(new URL('gold.json', dir), 'utf8')));
  for (const g of gold) {
    for (const slug of [...g.requiredSkills, ...g.niceToHaveSkills]) {
      if (!catalogue.skills.some((s) => s.slug === slug)) throw new Error(`${new URL('gold.json', dir).pathname}: ${g.file} names unknown skill slug ${slug}`);
    }
  }
  return gold;
}

type Field = 'title' | 'regions' | 'remote' | 'budget' | 'startDate';
const FIELDS: Field[] = ['title', 'regions', 'remote', 'budget', 'startDate'];

export interface EmailMiss {
  file: string;
  field: Field | 'skills';
  expected: unknown;
  got: unknown;
}

export interface EmailReport {
  mails: number;
  skills: { precision: number; recall: number; f1: number };
  /** Required vs nice-to-have, among the skills found that are right. */
  skillRoleAccuracy: number;
  accuracy: Record<Field, number>;
  misses: EmailMiss[];
}

const normaliseTitle = (t: string) => t.replace(/\s+/g, ' ').trim().toLowerCase();
const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && [...a].sort().join() === [...b].sort().join();

export async function evaluateEmail(dir: URL, catalogue: SkillCatalogue): Promise<EmailReport> {
  const gold = await loadEmailSet(dir, catalogue);
  let skillCounts: SetCounts = { truePositives: 0, falsePositives: 0, falseNegatives: 0 };
  let rolesRight = 0;
  let rolesJudged = 0;
  const right: Record<Field, number> = { title: 0, regions: 0, remote: 0, budget: 0, startDate: 0 };
  const misses: EmailMiss[] = [];

  for (const g of gold) {
    const parsed = await simpleParser(await readFile(new URL(g.file, dir)));
    const u = understand(parsed, catalogue, { now: parsed.date ?? new Date('2026-11-15T12:00:00Z') });
    const found = [...u.requiredSkills, ...u.niceToHaveSkills];
    const wanted = [...g.requiredSkills, ...g.niceToHaveSkills];
    skillCounts = addCounts(skillCounts, setCounts(found, wanted));
    if (!sameSet([...new Set(found)], [...new Set(wanted)])) misses.push({ file: g.file, field: 'skills', expected: wanted, got: found });
    for (const slug of found.filter((s) => wanted.includes(s))) {
      rolesJudged++;
      if (g.requiredSkills.includes(slug) === u.requiredSkills.includes(slug)) rolesRight++;
    }

    const got: Record<Field, unknown> = {
      title: u.title,
      regions: u.regions,
      remote: u.remote,
      budget: u.budgetMin === undefined && u.budgetMax === undefined ? null : { min: u.budgetMin ?? null, max: u.budgetMax ?? null, currency: u.currency ?? null },
      startDate: u.startDate ?? null,
    };
    const ok: Record<Field, boolean> = {
      title: normaliseTitle(u.title) === normaliseTitle(g.title),
      regions: sameSet(u.regions, g.regions),
      remote: u.remote === g.remote,
      budget: g.budget === null ? got.budget === null : u.budgetMin === g.budget.min && u.budgetMax === g.budget.max && u.currency === g.budget.currency,
      startDate: (u.startDate ?? null) === g.startDate,
    };
    for (const field of FIELDS) {
      if (ok[field]) right[field]++;
      else misses.push({ file: g.file, field, expected: field === 'budget' ? g.budget : g[field], got: got[field] });
    }
  }

  const n = gold.length || 1;
  return {
    mails: gold.length,
    skills: prf(skillCounts),
    skillRoleAccuracy: rolesJudged === 0 ? 1 : rolesRight / rolesJudged,
    accuracy: Object.fromEntries(FIELDS.map((f) => [f, right[f] / n])) as Record<Field, number>,
    misses,
  };
}
