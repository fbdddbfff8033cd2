import { z } from 'zod';
import { enumValues } from '../platform/db/enum-values.ts';
import type { SkillKind } from '../platform/db/database.types.ts';

/**
 * The shape of `taxonomy.json`, the skill taxonomy's source of truth in the repository.
 * A designation is one of Microsoft's six Solutions Partner designations; a specialization
 * belongs to one; a practice is a practical skill partners list (Intune, Power BI…), filed
 * under a designation and related to the specializations it serves.
 */
export const taxonomySkillSchema = z.object({
  slug: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/),
  label: z.string().min(1),
  kind: z.enum(enumValues<SkillKind>()(['designation', 'specialization', 'practice'])),
  /** Slug of the designation this skill belongs to; null for a designation itself. */
  designation: z.string().nullable(),
  /** Other names people write for this skill: abbreviations, product names, old names. */
  synonyms: z.array(z.string()),
  /** Slugs of closely related skills (a practice → the specializations it serves). */
  related: z.array(z.string()),
  /** Set when Microsoft retired the name; the skill still resolves, but is not offered. */
  retiredAt: z.string().date().nullable().optional(),
});

export const taxonomySchema = z.object({
  version: z.number().int(),
  skills: z.array(taxonomySkillSchema),
});

export type TaxonomySkill = z.infer<typeof taxonomySkillSchema>;
export type Taxonomy = z.infer<typeof taxonomySchema>;
