import { describeMatch, matchReasonsSchema } from '../matching/match-reasons.ts';
import { regionLabel } from '../regions/regions.ts';
import type { SkillCatalogue } from '../skills/skill-catalogue.ts';
import type { InterestCardRow } from './introduction.repository.ts';

/**
 * An interested partner as the submitter sees them before picking: what they offer and why they
 * fit, never how to reach them. The email and the status page show the same card.
 */
export interface InterestCard {
  interestId: string;
  company: string;
  skills: string[];
  /**
   * The skills as the summary email's chips: those the opportunity asks for first, marked `yours`
   * (the submitter's "✓"), then up to OTHER_SKILLS_SHOWN others, then "+ N more".
   */
  skillChips: Array<{ label: string; yours: boolean }>;
  regions: string[];
  reasons: string[];
  note: string;
  introduced: boolean;
}

/**
 * The id of an interest's box to tick on the status page ("pick-<interestId>"): the summary
 * email's "Choose <company>" links end in `#` and this, so the page opens at that partner.
 */
export const pickAnchor = (interestId: string) => `pick-${interestId}`;

/** How many of a partner's other skills (not asked for) a card shows before "+ N more". */
export const OTHER_SKILLS_SHOWN = 4;

/**
 * A partner's skills as chips: those in `askedSkillIds` (the opportunity's required and
 * nice-to-have skills) first, marked `yours` (the "✓"), then up to OTHER_SKILLS_SHOWN others, then
 * "+ N more". The summary email's cards and the status page's cards show the same.
 */
export function skillChipsOf(skillIds: readonly number[], catalogue: Pick<SkillCatalogue, 'labels'>, askedSkillIds: readonly number[] = []): InterestCard['skillChips'] {
  const asked = new Set(askedSkillIds);
  const matching = skillIds.filter((id) => asked.has(id));
  const others = skillIds.filter((id) => !asked.has(id));
  const shown = others.slice(0, OTHER_SKILLS_SHOWN);
  return [
    ...catalogue.labels(matching).map((label) => ({ label, yours: true })),
    ...catalogue.labels(shown).map((label) => ({ label, yours: false })),
    ...(others.length > shown.length ? [{ label: `+ ${others.length - shown.length} more`, yours: false }] : []),
  ];
}

/** `askedSkillIds`: the opportunity's required and nice-to-have skills, which get the "✓". */
export function interestCard(row: InterestCardRow, catalogue: Pick<SkillCatalogue, 'labels'>, askedSkillIds: readonly number[] = []): InterestCard {
  // A match row is missing when the partner was never matched (a changed profile); say less, not fail.
  const reasons = row.reasons === null ? undefined : matchReasonsSchema.safeParse(row.reasons);
  return {
    interestId: row.interestId,
    company: row.company,
    skills: catalogue.labels(row.skillIds),
    skillChips: skillChipsOf(row.skillIds, catalogue, askedSkillIds),
    regions: row.regions.map(regionLabel),
    reasons: reasons?.success ? describeMatch(reasons.data, 'submitter') : [],
    note: row.note.trim(),
    introduced: row.introduced,
  };
}
