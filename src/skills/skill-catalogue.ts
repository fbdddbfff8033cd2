import type { Selectable } from 'kysely';
import type { Skills } from '../platform/db/database.types.ts';

/**
 * The skill taxonomy as loaded from Postgres, with the look-ups every input path needs:
 * forms, the JSON API and CSV import all name skills by slug, label or synonym ("AKS",
 * "Business Central", "Entra ID"), and all of them resolve through `resolve`.
 */
export type Skill = Omit<Selectable<Skills>, 'updatedAt'>;

export interface SkillGroup {
  designation: Skill;
  skills: Skill[];
}

/** Folds case, accents, punctuation and spacing: "Entra-ID" and "entra id" are one name. */
export function normalizeSkillName(text: string): string {
  return text
    .normalize('NFKD')
    .toLowerCase()
    .replace(/&/g, 'and')
    .replace(/[^a-z0-9+#]/g, '');
}

export interface ResolvedSkills {
  ids: number[];
  unknown: string[];
}

export class SkillCatalogue {
  private readonly byId = new Map<number, Skill>();
  private readonly byName = new Map<string, Skill>();

  readonly skills: readonly Skill[];

  constructor(skills: readonly Skill[]) {
    this.skills = skills;
    for (const skill of skills) this.byId.set(skill.id, skill);
    // Slugs and labels win over synonyms when a name is both.
    for (const skill of skills) {
      for (const synonym of skill.synonyms) this.byName.set(normalizeSkillName(synonym), skill);
    }
    for (const skill of skills) {
      this.byName.set(normalizeSkillName(skill.label), skill);
      this.byName.set(normalizeSkillName(skill.slug), skill);
    }
  }

  get(id: number): Skill | undefined {
    return this.byId.get(id);
  }

  /** The skill a person meant by a slug, label or synonym; undefined when nothing fits. */
  resolve(name: string): Skill | undefined {
    const key = normalizeSkillName(name);
    return key ? this.byName.get(key) : undefined;
  }

  /** Resolves a list, keeping order, dropping duplicates and reporting what was not recognised. */
  resolveMany(names: readonly string[]): ResolvedSkills {
    const ids: number[] = [];
    const unknown: string[] = [];
    for (const name of names) {
      const skill = this.resolve(name);
      if (!skill) unknown.push(name);
      else if (!ids.includes(skill.id)) ids.push(skill.id);
    }
    return { ids, unknown };
  }

  labels(ids: readonly number[]): string[] {
    return ids.map((id) => this.byId.get(id)?.label ?? `skill ${id}`);
  }

  /** Slug and label of each skill, as the API shows skills. */
  refs(ids: readonly number[]): Array<{ slug: string; label: string }> {
    return ids.map((id) => ({ slug: this.byId.get(id)?.slug ?? String(id), label: this.byId.get(id)?.label ?? `skill ${id}` }));
  }


  /** Current (not retired) skills grouped under their designation, for the forms' pickers. */
  groups(): SkillGroup[] {
    const current = this.skills.filter((s) => !s.retiredAt);
    return current
      .filter((s) => s.kind === 'designation')
      .map((designation) => ({
        designation,
        skills: current
          .filter((s) => s.designationId === designation.id)
          .sort((a, b) => (a.kind === b.kind ? a.label.localeCompare(b.label) : a.kind === 'specialization' ? -1 : 1)),
      }));
  }
}
