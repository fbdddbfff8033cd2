import { loadTaxonomyFile } from '../../src/skills/load-taxonomy.ts';
import { SkillCatalogue } from '../../src/skills/skill-catalogue.ts';

/** The skill catalogue straight from taxonomy.json, for unit tests that need no database. */
export async function fileCatalogue(): Promise<SkillCatalogue> {
  const taxonomy = await loadTaxonomyFile();
  const ids = new Map(taxonomy.skills.map((s, i) => [s.slug, i + 1]));
  return new SkillCatalogue(
    taxonomy.skills.map((s) => ({
      id: ids.get(s.slug)!,
      slug: s.slug,
      label: s.label,
      kind: s.kind,
      designationId: s.designation ? (ids.get(s.designation) ?? null) : null,
      synonyms: s.synonyms,
      relatedIds: [],
      retiredAt: s.retiredAt ? new Date(s.retiredAt) : null,
    })),
  );
}
