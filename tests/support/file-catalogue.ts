import { catalogueFromTaxonomyFile } from '../../src/skills/load-taxonomy.ts';
import type { SkillCatalogue } from '../../src/skills/skill-catalogue.ts';

/** The skill catalogue straight from taxonomy.json, for unit tests that need no database. */
export async function fileCatalogue(): Promise<SkillCatalogue> {
  return catalogueFromTaxonomyFile();
}
