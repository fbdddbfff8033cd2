import { distance } from 'fastest-levenshtein';
import Fuse from 'fuse.js';
import type { Selectable } from 'kysely';
import type { Skills } from '../platform/db/database.types.ts';
import { nameVariants, singularWords } from './name-variants.ts';
import { resolveSkillsOrThrow } from './unknown-skills.ts';

/**
 * The skill taxonomy as loaded from Postgres, with the look-ups every input path needs:
 * forms, the JSON API and CSV import all name skills by slug, label or synonym ("AKS",
 * "Business Central", "Entra ID"), and all of them resolve through `resolve`, which also takes
 * the ways people actually write them: plurals, a version or "upgrades" after the name, a
 * parenthesis, and a typo or two in a long name. What it cannot place gets `suggest`ions.
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

/** Typos accepted without asking: one in a name of 6+ characters, two from 12 (normalised). */
const typosAllowed = (key: string) => (key.length >= 12 ? 2 : key.length >= 6 ? 1 : 0);

export class SkillCatalogue {
  private readonly byId = new Map<number, Skill>();
  private readonly byName = new Map<string, Skill>();
  /** The same names with each word's plural "s" dropped. */
  private readonly bySingularName = new Map<string, Skill>();
  private readonly fuzzy: Fuse<{ name: string; skill: Skill }>;

  readonly skills: readonly Skill[];

  constructor(skills: readonly Skill[]) {
    this.skills = skills;
    for (const skill of skills) this.byId.set(skill.id, skill);
    // Slugs and labels win over synonyms when a name is both.
    // "D365 F&O" is also written "D365FO": an ampersand may be left out as well as spelt "and".
    const named = (skill: Skill, name: string) => {
      this.byName.set(normalizeSkillName(name), skill);
      if (name.includes('&') && !this.byName.has(normalizeSkillName(name.replace(/&/g, '')))) this.byName.set(normalizeSkillName(name.replace(/&/g, '')), skill);
      this.bySingularName.set(normalizeSkillName(singularWords(name)), skill);
    };
    for (const skill of skills) for (const synonym of skill.synonyms) named(skill, synonym);
    for (const skill of skills) {
      named(skill, skill.label);
      this.byName.set(normalizeSkillName(skill.slug), skill);
    }
    const current = skills.filter((s) => !s.retiredAt);
    this.fuzzy = new Fuse(
      current.flatMap((skill) => [skill.label, ...skill.synonyms].map((name) => ({ name, skill }))),
      { keys: ['name'], includeScore: true, threshold: 0.45, ignoreLocation: true },
    );
  }

  get(id: number): Skill | undefined {
    return this.byId.get(id);
  }

  /**
   * The skill a person meant by a slug, label or synonym, as written or in one of its variants
   * (`nameVariants`), else with a typo or two in a long name when exactly one skill is that close;
   * undefined when nothing fits.
   */
  resolve(name: string): Skill | undefined {
    for (const variant of nameVariants(name)) {
      const key = normalizeSkillName(variant);
      if (!key) continue;
      const skill = this.byName.get(key) ?? this.bySingularName.get(normalizeSkillName(singularWords(variant)));
      if (skill) return skill;
    }
    return this.closeByTypo(normalizeSkillName(name));
  }

  /** The one skill whose name is within a typo or two of `key`; undefined when none or several. */
  private closeByTypo(key: string): Skill | undefined {
    const allowed = typosAllowed(key);
    if (allowed === 0) return undefined;
    let best = allowed + 1;
    let found = new Set<Skill>();
    for (const [name, skill] of this.byName) {
      if (Math.abs(name.length - key.length) > allowed) continue;
      const d = distance(name, key);
      if (d > allowed) continue;
      if (d < best) {
        best = d;
        found = new Set([skill]);
      } else if (d === best) found.add(skill);
    }
    return found.size === 1 ? [...found][0] : undefined;
  }

  /** Up to `limit` current skills a name that did not resolve may have meant, best first. */
  suggest(name: string, limit = 3): Skill[] {
    const seen = new Set<number>();
    const out: Skill[] = [];
    for (const hit of this.fuzzy.search(name.slice(0, 100))) {
      if (seen.has(hit.item.skill.id)) continue;
      seen.add(hit.item.skill.id);
      out.push(hit.item.skill);
      if (out.length === limit) break;
    }
    return out;
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

  /**
   * Resolves each field's names to skill ids (deduplicated, in order); throws UnknownSkillsError
   * (422) naming every name it could not place, with suggestions.
   */
  resolveOrThrow(fields: Array<{ path: string; names: readonly string[] }>): number[][] {
    return resolveSkillsOrThrow(this, fields);
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
