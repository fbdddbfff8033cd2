import { readFile } from 'node:fs/promises';
import { SkillCatalogue } from './skill-catalogue.ts';
import { taxonomySchema, type Taxonomy } from './taxonomy.ts';

const TAXONOMY_FILE = new URL('./taxonomy.json', import.meta.url);

/** Reads and validates `taxonomy.json`; a broken file stops the start with the zod issues. */
export async function loadTaxonomyFile(file: URL = TAXONOMY_FILE): Promise<Taxonomy> {
  return taxonomySchema.parse(JSON.parse(await readFile(file, 'utf8')));
}

/**
 * The catalogue straight from `taxonomy.json`, without a database: ids are the file's order and
 * related links are left out (they live in Postgres). For tests and benchmarks of name and text
 * reading, which need no matching.
 */
export async function catalogueFromTaxonomyFile(file: URL = TAXONOMY_FILE): Promise<SkillCatalogue> {
  const taxonomy = await loadTaxonomyFile(file);
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
