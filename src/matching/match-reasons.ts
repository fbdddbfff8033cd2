import { z } from 'zod';
import { regionLabel } from '../regions/regions.js';

/**
 * Why a partner matched, as stored with the match (structured, so wording can improve without a
 * data migration) and as a person reads it on the API and on digest cards.
 */
export const matchReasonsSchema = z.object({
  skills: z.array(
    z.object({
      skill: z.string(),
      role: z.enum(['required', 'nice']),
      /** exact: the partner lists the skill; related: a closely related one; designation: same family. */
      tier: z.enum(['exact', 'related', 'designation']),
      /** The partner's own skill that made a related or designation match. */
      via: z.string().nullable(),
    }),
  ),
  regions: z.array(z.string()),
  remote: z.boolean(),
  textRelevance: z.number(),
});

export type MatchReasons = z.infer<typeof matchReasonsSchema>;

const list = (items: string[]) => [...new Set(items)].join(', ');

/** Turns stored reasons into sentences: "Matches your skills: Kubernetes on Microsoft Azure". */
export function describeMatch(reasons: MatchReasons): string[] {
  const lines: string[] = [];
  const pick = (role: 'required' | 'nice', tier: 'exact' | 'related' | 'designation') =>
    reasons.skills.filter((s) => s.role === role && s.tier === tier);

  const exact = pick('required', 'exact');
  if (exact.length) lines.push(`Matches your skills: ${list(exact.map((s) => s.skill))}`);
  const related = pick('required', 'related');
  if (related.length) {
    lines.push(`Close to your skills: ${list(related.map((s) => (s.via ? `${s.skill} (you list ${s.via})` : s.skill)))}`);
  }
  const family = pick('required', 'designation');
  if (family.length) {
    lines.push(`In the same field as your skills: ${list(family.map((s) => (s.via ? `${s.skill} (you list ${s.via})` : s.skill)))}`);
  }
  const nice = [...pick('nice', 'exact'), ...pick('nice', 'related')];
  if (nice.length) lines.push(`Nice to have, and you offer it: ${list(nice.map((s) => s.skill))}`);
  if (reasons.regions.length) lines.push(`Serves ${list(reasons.regions.map(regionLabel))}`);
  else if (reasons.remote) lines.push('Remote work is welcome');
  if (reasons.textRelevance >= 0.1) lines.push('Your profile describes similar work');
  return lines;
}
