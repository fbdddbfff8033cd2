import { ValidationError } from '../platform/errors/app-errors.ts';
import type { SkillCatalogue } from '../skills/skill-catalogue.ts';
import { skillsMentionedIn } from '../skills/claimed-skills.ts';
import type { PartnerSkillIds } from './partner.repository.ts';

/**
 * A partner's skills as matching reads them: the ones they list, and the ones only their profile
 * names (profile evidence, weighted lower by matching). A partner whose list is empty, or held
 * only generic words that were left out, is accepted when the profile names skills ("We
 * implement Business Central for wholesalers"): that is what a person would expect. With neither,
 * the answer is the one the forms have always given, next to the skills field.
 */
export function withProfileEvidence(catalogue: SkillCatalogue, listed: number[], profile: string): PartnerSkillIds {
  const fromProfile = skillsMentionedIn(catalogue, profile).filter((id) => !listed.includes(id));
  if (listed.length === 0 && fromProfile.length === 0) {
    throw new ValidationError('The body is not valid', [{ path: ['skills'], message: 'choose at least one skill' }]);
  }
  return { listed, fromProfile };
}
