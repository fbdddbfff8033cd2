import { sql } from 'kysely';
import type { Executor } from '../platform/db/database.ts';
import type { TaxonomySkill } from './taxonomy.ts';

/** Serialises concurrent taxonomy syncs (every role syncs at start) until the transaction ends. */
export async function lockTaxonomySync(trx: Executor): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtext('p2p-digest:sync-taxonomy'))`.execute(trx);
}

/** Inserts a skill of the taxonomy file, or updates the one with its slug. */
export async function upsertSkill(trx: Executor, skill: TaxonomySkill): Promise<void> {
  const values = {
    slug: skill.slug,
    label: skill.label,
    kind: skill.kind,
    synonyms: skill.synonyms,
    retiredAt: skill.retiredAt ? new Date(skill.retiredAt) : null,
  };
  await trx
    .insertInto('skills')
    .values(values)
    .onConflict((oc) => oc.column('slug').doUpdateSet({ ...values, updatedAt: sql`now()` }))
    .execute();
}

/** slug → id of every stored skill, retired ones included. */
export async function skillIdsBySlug(trx: Executor): Promise<Map<string, number>> {
  return new Map((await trx.selectFrom('skills').select(['id', 'slug']).execute()).map((r) => [r.slug, r.id]));
}

/** Points a skill at its designation and its related skills (by id, once every skill has one). */
export async function linkSkill(trx: Executor, slug: string, links: { designationId: number | null; relatedIds: number[] }): Promise<void> {
  await trx.updateTable('skills').set(links).where('slug', '=', slug).execute();
}

/** Marks retired every skill whose slug is not in the list and that is not retired yet. */
export async function retireSkillsNotIn(trx: Executor, slugs: string[]): Promise<void> {
  await trx
    .updateTable('skills')
    .set({ retiredAt: sql`now()` })
    .where('slug', 'not in', slugs)
    .where('retiredAt', 'is', null)
    .execute();
}

export async function listSkills(db: Executor) {
  return db.selectFrom('skills').selectAll().orderBy('id').execute();
}
