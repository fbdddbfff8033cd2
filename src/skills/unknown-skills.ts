import { ValidationError, type FieldIssue } from '../platform/errors/app-errors.ts';
import type { SkillCatalogue } from './skill-catalogue.ts';

/**
 * Skills we could not place, every one at once, each with what it may have meant. A 422: the
 * request was well formed, only its skill names need a second look. It is a ValidationError,
 * so the forms show each message next to its field and the CSV import on its line.
 */
export class UnknownSkillsError extends ValidationError {
  override readonly status = 422;
  override readonly code = 'unknown_skills';

  constructor(issues: FieldIssue[]) {
    super('Some skills are not in our taxonomy', issues);
  }
}

/** `unknown skill "D365 Fiance" — did you mean "Dynamics 365 Finance & Operations" or "Finance"?` */
export function unknownSkillMessage(catalogue: SkillCatalogue, name: string): string {
  const labels = catalogue.suggest(name).map((s) => `"${s.label}"`);
  const meant = labels.length > 1 ? `${labels.slice(0, -1).join(', ')} or ${labels.at(-1)}` : labels[0];
  return meant ? `unknown skill "${name}" — did you mean ${meant}?` : `unknown skill "${name}"`;
}

/** Resolves a field's names; throws UnknownSkillsError naming every one it could not place. */
export function resolveSkillsOrThrow(catalogue: SkillCatalogue, fields: Array<{ path: string; names: readonly string[] }>): number[][] {
  const issues: FieldIssue[] = [];
  const resolved = fields.map(({ path, names }) =>
    names.flatMap((name, i) => {
      const skill = catalogue.resolve(name);
      if (!skill) issues.push({ path: [path, i], message: unknownSkillMessage(catalogue, name) });
      return skill ? [skill.id] : [];
    }),
  );
  if (issues.length) throw new UnknownSkillsError(issues);
  return resolved.map((ids) => [...new Set(ids)]);
}
