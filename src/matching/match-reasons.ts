import { z } from 'zod';
import { regionLabel } from '../regions/regions.ts';

/**
 * Why a partner matched, as stored with the match (structured, so wording can improve without a
 * data migration) and as a person reads it on the API and on digest cards.
 */
export const matchReasonsSchema = z.object({
  skills: z.array(
    z.object({
      skill: z.string(),
      role: z.enum(['required', 'nice']),
      /**
       * exact: the partner lists the skill; profile: only the partner's profile text names it;
       * related: the partner lists a closely related one; designation: same family.
       */
      tier: z.enum(['exact', 'profile', 'related', 'designation']),
      /** The partner's own skill that made a related or designation match. */
      via: z.string().nullable(),
    }),
  ),
  regions: z.array(z.string()),
  remote: z.boolean(),
  textRelevance: z.number(),
  /**
   * How many of the partner's introductions either side confirmed as work together (the outcome
   * loop): a small bonus in the score. Matches stored before it existed have none.
   */
  workedWith: z.number().int().min(0).optional(),
});

export type MatchReasons = z.infer<typeof matchReasonsSchema>;

/** Labels joined for reading; with a comma inside a label ("Networking (LAN/WAN, SD-WAN…)"), by semicolons. */
const list = (items: string[]) => {
  const unique = [...new Set(items)];
  return unique.join(unique.some((item) => item.includes(',')) ? '; ' : ', ');
};

/**
 * Who reads the reasons: the partner themselves (digest cards), the submitter (about a partner),
 * or the operator (the admin API's matches, about a partner).
 */
export type ReasonReader = 'partner' | 'submitter' | 'operator';

const WORDS: Record<ReasonReader, { your: string; Your: string; you: string }> = {
  partner: { your: 'your', Your: 'Your', you: 'you' },
  submitter: { your: 'their', Your: 'Their', you: 'they' },
  operator: { your: 'their', Your: 'Their', you: 'they' },
};

/**
 * Turns stored reasons into sentences: "Matches your skills: Kubernetes on Microsoft Azure" for
 * the partner, "Matches their skills: …" for the submitter reading about that partner.
 */
export function describeMatch(reasons: MatchReasons, reader: ReasonReader = 'partner'): string[] {
  const { your, Your, you } = WORDS[reader];
  const lines: string[] = [];
  const pick = (role: 'required' | 'nice', tier: MatchReasons['skills'][number]['tier']) =>
    reasons.skills.filter((s) => s.role === role && s.tier === tier);
  const via = (s: MatchReasons['skills'][number]) => (s.via ? `${s.skill} (${you} list ${s.via})` : s.skill);

  const exact = pick('required', 'exact');
  if (exact.length) lines.push(`Matches ${your} skills: ${list(exact.map((s) => s.skill))}`);
  // Named only in the profile text: said so, never as a skill they list.
  const profile = pick('required', 'profile');
  if (profile.length) lines.push(`${Your} profile mentions ${list(profile.map((s) => s.skill))}`);
  const related = pick('required', 'related');
  if (related.length) lines.push(`Close to ${your} skills: ${list(related.map(via))}`);
  const family = pick('required', 'designation');
  if (family.length) lines.push(`In the same field as ${your} skills: ${list(family.map(via))}`);
  // Only what the partner lists is "offered"; a related skill is said to be close, no more.
  const nice = pick('nice', 'exact');
  if (nice.length) lines.push(`Nice to have, and ${you} offer it: ${list(nice.map((s) => s.skill))}`);
  const niceProfile = pick('nice', 'profile');
  if (niceProfile.length) lines.push(`Nice to have, and ${your} profile mentions it: ${list(niceProfile.map((s) => s.skill))}`);
  const niceClose = pick('nice', 'related');
  if (niceClose.length) lines.push(`Nice to have, close to ${your} skills: ${list(niceClose.map(via))}`);
  if (reasons.regions.length) lines.push(`Serves ${list(reasons.regions.map(regionLabel))}`);
  else if (reasons.remote) lines.push('Remote work is welcome');
  if (reasons.textRelevance >= 0.1) lines.push(`${Your} profile describes similar work`);
  if (reasons.workedWith) lines.push(`Worked with ${reasons.workedWith} ${reasons.workedWith === 1 ? 'partner' : 'partners'} through p2p-digest`);
  return lines;
}
