import type { Selectable } from 'kysely';
import type { Opportunities } from '../platform/db/database.types.ts';

/**
 * What a digest card and an interest page show of an opportunity. Not a repository: the digest
 * feature reads these columns in its own batch SQL (one statement a batch, for speed) and must
 * not import this feature's repository, so the list both agree on lives here.
 */
export const OPPORTUNITY_CARD_COLUMNS = [
  'id',
  'title',
  'description',
  'requiredSkillIds',
  'niceSkillIds',
  'regions',
  'remote',
  'budgetMin',
  'budgetMax',
  'currency',
  'startDate',
  'expiresAt',
  'anonymous',
  'submitterCompany',
] as const;

export type OpportunityCard = Pick<Selectable<Opportunities>, (typeof OPPORTUNITY_CARD_COLUMNS)[number]>;
