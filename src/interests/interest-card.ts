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
  regions: string[];
  reasons: string[];
  note: string;
  introduced: boolean;
}

export function interestCard(row: InterestCardRow, catalogue: Pick<SkillCatalogue, 'labels'>): InterestCard {
  // A match row is missing when the partner was never matched (a changed profile); say less, not fail.
  const reasons = row.reasons === null ? undefined : matchReasonsSchema.safeParse(row.reasons);
  return {
    interestId: row.interestId,
    company: row.company,
    skills: catalogue.labels(row.skillIds),
    regions: row.regions.map(regionLabel),
    reasons: reasons?.success ? describeMatch(reasons.data, 'submitter') : [],
    note: row.note.trim(),
    introduced: row.introduced,
  };
}
