import type { Database } from '../platform/db/database.ts';
import { SkillCatalogue } from './skill-catalogue.ts';
import { linkSkill, listSkills, lockTaxonomySync, retireSkillsNotIn, skillIdsBySlug, upsertSkill } from './skills.repository.ts';
import type { Taxonomy } from './taxonomy.ts';

/**
 * Makes the skills table match the taxonomy file: new skills are added, changed ones updated,
 * and skills that left the file are marked retired (partners and opportunities may still point
 * at them). Safe to run at every start.
 */
export async function syncTaxonomy(db: Database, taxonomy: Taxonomy): Promise<void> {
  await db.transaction().execute(async (trx) => {
    // Serialise concurrent starts: two processes syncing at once would race on the upserts.
    await lockTaxonomySync(trx);
    for (const skill of taxonomy.skills) await upsertSkill(trx, skill);
    // Designations and related skills are named by slug in the file and stored by id.
    const ids = await skillIdsBySlug(trx);
    for (const skill of taxonomy.skills) {
      await linkSkill(trx, skill.slug, {
        designationId: skill.designation ? (ids.get(skill.designation) ?? null) : null,
        relatedIds: skill.related.map((slug) => ids.get(slug)).filter((id): id is number => id !== undefined),
      });
    }
    await retireSkillsNotIn(trx, taxonomy.skills.map((s) => s.slug));
  });
}

/** The skill catalogue every feature resolves names with, read once per process. */
export async function loadSkillCatalogue(db: Database): Promise<SkillCatalogue> {
  const rows = await listSkills(db);
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
