import { readFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Container } from '../src/app/container.ts';
import { AppError } from '../src/platform/errors/app-errors.ts';
import { matchOpportunity } from '../src/matching/match.service.ts';
import { opportunityInputSchema } from '../src/opportunities/opportunity.schemas.ts';
import { partnerInputSchema } from '../src/partners/partner.schemas.ts';
import { REGION_SLUGS } from '../src/regions/regions.ts';
import { mean, ndcgAtK, precisionAtK, recallAtK, type Grades } from './metrics.ts';

/**
 * The matching half of `npm run eval`: every labelled partner and opportunity goes in the way
 * an admin's API call would (skills as people write them), opportunities are matched, and the
 * ranked matches are graded against the labels. A partner or opportunity the service refuses is
 * reported, and simply absent from the results: a refused partner never gets a digest.
 */

const partnerSchema = z.object({
  key: z.string().min(1),
  company: z.string(),
  contactName: z.string(),
  email: z.string(),
  regions: z.array(z.enum(REGION_SLUGS)),
  remoteOk: z.boolean(),
  timezone: z.string(),
  skills: z.array(z.string()),
  profile: z.string().default(''),
});

const opportunitySchema = z.object({
  key: z.string().min(1),
  title: z.string(),
  description: z.string(),
  requiredSkills: z.array(z.string()),
  niceToHaveSkills: z.array(z.string()).default([]),
  regions: z.array(z.enum(REGION_SLUGS)),
  remote: z.boolean(),
  budgetMin: z.number().optional(),
  budgetMax: z.number().optional(),
  currency: z.string().optional(),
  submitter: z.object({ name: z.string(), company: z.string(), email: z.string() }),
  gold: z.object({ ideal: z.array(z.string()).min(1), acceptable: z.array(z.string()).default([]), never: z.array(z.string()).default([]) }),
  why: z.string().default(''),
});

export type LabelledPartner = z.infer<typeof partnerSchema>;
export type LabelledOpportunity = z.infer<typeof opportunitySchema>;

export interface MatchingSet {
  partners: LabelledPartner[];
  opportunities: LabelledOpportunity[];
}

/** Reads and checks the set: every key a label names must be a partner of the set. */
export async function loadMatchingSet(dir: URL): Promise<MatchingSet> {
  const read = async (name: string) => JSON.parse(await readFile(new URL(name, dir), 'utf8')) as unknown;
  const partners = z.array(partnerSchema).parse(await read('partners.json'));
  const opportunities = z.array(opportunitySchema).parse(await read('opportunities.json'));
  const keys = new Set(partners.map((p) => p.key));
  if (keys.size !== partners.length) throw new Error('eval/matching/partners.json: partner keys must be unique');
  for (const o of opportunities) {
    for (const key of [...o.gold.ideal, ...o.gold.acceptable, ...o.gold.never]) {
      if (!keys.has(key)) throw new Error(`eval/matching/opportunities.json: ${o.key} names unknown partner ${key}`);
    }
  }
  return { partners, opportunities };
}

export interface OpportunityResult {
  key: string;
  refused?: string;
  ranked: string[];
  precisionAt5: number;
  ndcgAt5: number;
  idealRecallAt10: number;
  violations: string[];
}

export interface MatchingReport {
  partners: number;
  opportunities: number;
  /** Partners and opportunities that went in only after dropping the skills the 422 named. */
  corrected: Array<{ key: string; dropped: string[] }>;
  refusedPartners: Array<{ key: string; error: string }>;
  refusedOpportunities: Array<{ key: string; error: string }>;
  precisionAt5: number;
  ndcgAt5: number;
  idealRecallAt10: number;
  hardFilterViolations: number;
  perOpportunity: OpportunityResult[];
}

type MatchingDeps = Pick<Container, 'db' | 'partners' | 'opportunities'> & { log: Logger };

/** The refusal as the API would word it: the message and, for a 400, what each field got wrong. */
function errorText(error: unknown): string {
  if (error instanceof z.ZodError) return error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
  const message = error instanceof Error ? error.message : String(error);
  const issues = error instanceof AppError ? error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join('; ') : '';
  return (issues ? `${message} (${issues})` : message).slice(0, 500);
}

/**
 * What a person does with a 422 for unknown skills, at its simplest: leave out the names it
 * named (a suggestion is never taken blindly) and send again, once. Returns the lists without
 * them and what was dropped, or null when the error was not about skills.
 */
function withoutUnknownSkills<T extends Record<string, unknown>>(input: T, error: unknown): { input: T; dropped: string[] } | null {
  if (!(error instanceof AppError) || error.code !== 'unknown_skills') return null;
  const copy: Record<string, unknown> = { ...input };
  const dropped: string[] = [];
  for (const field of new Set(error.issues.map((i) => String(i.path[0])))) {
    const names = input[field] as string[];
    const gone = new Set(error.issues.filter((i) => i.path[0] === field).map((i) => Number(i.path[1])));
    copy[field] = names.filter((_, i) => !gone.has(i));
    dropped.push(...names.filter((_, i) => gone.has(i)));
  }
  return { input: copy as T, dropped };
}

/** Sends once; after a 422 for unknown skills, sends again without them. */
async function withCorrection<T extends Record<string, unknown>, R>(input: T, send: (input: T) => Promise<R>, corrected: (dropped: string[]) => void): Promise<R> {
  try {
    return await send(input);
  } catch (error) {
    const retry = withoutUnknownSkills(input, error);
    if (!retry) throw error;
    const result = await send(retry.input);
    corrected(retry.dropped);
    return result;
  }
}

function gradesOf(o: LabelledOpportunity): Grades {
  const grades = new Map<string, 0 | 1 | 2>();
  for (const key of o.gold.acceptable) grades.set(key, 1);
  for (const key of o.gold.ideal) grades.set(key, 2);
  return grades;
}

export async function evaluateMatching(deps: MatchingDeps, set: MatchingSet): Promise<MatchingReport> {
  const keyOfPartnerId = new Map<string, string>();
  const corrected: MatchingReport['corrected'] = [];
  const refusedPartners: MatchingReport['refusedPartners'] = [];
  for (const { key, ...input } of set.partners) {
    try {
      // Parsed by the API's own schema first, as POST /api/partners would.
      const partner = await withCorrection(input, (i) => deps.partners.createByAdmin(partnerInputSchema.parse(i)), (dropped) => corrected.push({ key, dropped }));
      keyOfPartnerId.set(partner.id, key);
    } catch (error) {
      refusedPartners.push({ key, error: errorText(error) });
    }
  }

  const refusedOpportunities: MatchingReport['refusedOpportunities'] = [];
  const perOpportunity: OpportunityResult[] = [];
  for (const o of set.opportunities) {
    const grades = gradesOf(o);
    const { key, gold: _gold, why: _why, ...input } = o;
    let ranked: string[] = [];
    let refused: string | undefined;
    try {
      const submit = (i: typeof input) => deps.opportunities.submit({ source: 'api', caller: { kind: 'admin' }, input: opportunityInputSchema.parse({ ...i, anonymous: false }) });
      const { opportunity } = await withCorrection(input, submit, (dropped) => corrected.push({ key, dropped }));
      await matchOpportunity(deps.db, opportunity.id, deps.log);
      const matches = await deps.opportunities.matches(opportunity.id);
      ranked = matches.map((m) => keyOfPartnerId.get(m.partnerId) ?? `unknown:${m.partnerId}`);
    } catch (error) {
      refused = errorText(error);
      refusedOpportunities.push({ key, error: refused });
    }
    const never = new Set(o.gold.never);
    perOpportunity.push({
      key,
      ...(refused ? { refused } : {}),
      ranked,
      precisionAt5: precisionAtK(ranked, grades, 5),
      ndcgAt5: ndcgAtK(ranked, grades, 5),
      idealRecallAt10: recallAtK(ranked, o.gold.ideal, 10),
      violations: ranked.filter((k) => never.has(k)),
    });
  }

  return {
    partners: set.partners.length,
    opportunities: set.opportunities.length,
    corrected,
    refusedPartners,
    refusedOpportunities,
    precisionAt5: mean(perOpportunity.map((r) => r.precisionAt5)),
    ndcgAt5: mean(perOpportunity.map((r) => r.ndcgAt5)),
    idealRecallAt10: mean(perOpportunity.map((r) => r.idealRecallAt10)),
    hardFilterViolations: perOpportunity.reduce((n, r) => n + r.violations.length, 0),
    perOpportunity,
  };
}
