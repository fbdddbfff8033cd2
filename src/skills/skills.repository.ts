import { sql } from 'kysely';
import type { Database } from '../platform/db/database.ts';
import { SkillCatalogue } from './skill-catalogue.ts';
import type { Taxonomy } from './taxonomy.ts';

/**
 * Makes the skills table match the taxonomy file: new skills are added, changed ones updated,
 * and skills that left the file are marked retired (partners and opportunities may still point
 * at them). Safe to run at every start.
 */
export async function syncTaxonomy(db: Database, taxonomy: Taxonomy): Promise<void> {
  await db.transaction().execute(async (trx) => {
    // Serialise concurrent starts: two processes syncing at once would race on the upserts.
    await sql`SELECT pg_advisory_xact_lock(hashtext('p2p-digest:sync-taxonomy'))`.execute(trx);
    for (const skill of taxonomy.skills) {
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
    const ids = new Map(
      (await trx.selectFrom('skills').select(['id', 'slug']).execute()).map((r) => [r.slug, r.id]),
    );
    for (const skill of taxonomy.skills) {
      await trx
        .updateTable('skills')
        .set({
          designationId: skill.designation ? (ids.get(skill.designation) ?? null) : null,
          relatedIds: skill.related.map((slug) => ids.get(slug)).filter((id): id is number => id !== undefined),
        })
        .where('slug', '=', skill.slug)
        .execute();
    }
    const inFile = taxonomy.skills.map((s) => s.slug);
    await trx
      .updateTable('skills')
      .set({ retiredAt: sql`now()` })
      .where('slug', 'not in', inFile)
      .where('retiredAt', 'is', null)
      .execute();
  });
}

export async function loadSkillCatalogue(db: Database): Promise<SkillCatalogue> {
  const rows = await db.selectFrom('skills').selectAll().orderBy('id').execute();
  return new SkillCatalogue(
    rows.map((r) => ({
      id: r.id,
      slug: r.slug,
      label: r.label,
      kind: r.kind,
      designationId: r.designationId,
      synonyms: r.synonyms,
      relatedIds: r.relatedIds,
      retiredAt: r.retiredAt,
    })),
  );
}
