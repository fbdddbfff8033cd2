import { readFile } from 'node:fs/promises';
import { taxonomySchema, type Taxonomy } from './taxonomy.ts';

const TAXONOMY_FILE = new URL('./taxonomy.json', import.meta.url);

/** Reads and validates `taxonomy.json`; a broken file stops the start with the zod issues. */
export async function loadTaxonomyFile(file: URL = TAXONOMY_FILE): Promise<Taxonomy> {
  return taxonomySchema.parse(JSON.parse(await readFile(file, 'utf8')));
}
