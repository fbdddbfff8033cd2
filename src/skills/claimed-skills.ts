import { createNameFinder, type NameFinder } from '../platform/text/name-finder.ts';
import type { Skill, SkillCatalogue } from './skill-catalogue.ts';

/**
 * The skills a piece of prose claims, such as a partner's profile ("We implement Business Central
 * for wholesalers… and build Power Automate flows"): the taxonomy's names and synonyms found as
 * whole words, with three guards against reading a claim where there is none:
 *
 * - designations are left out: "security" or "modern work" in a sentence is a field, not the
 *   Solutions Partner designation;
 * - a one-word name counts only as written in the taxonomy ("Finance", "Sentinel"): "reporting
 *   for finance teams" names a kind of customer, not the Finance specialization;
 * - what follows a negation in its clause is dropped: "We don't do Business Central or CRM",
 *   "keine Business-Central-Projekte", "pas de Business Central".
 *
 * Returns skill ids, once each, in the order first written.
 */
export function skillsMentionedIn(catalogue: SkillCatalogue, text: string): number[] {
  const finder = finderOf(catalogue);
  const ids: number[] = [];
  for (const clause of text.slice(0, TEXT_READ_MAX).split(CLAUSE_END)) {
    const claimed = clause.slice(0, negationAt(clause));
    for (const { skill, name } of finder.find(claimed)) {
      if (!isOneWord(name) || writtenAsIs(claimed, name)) if (!ids.includes(skill.id)) ids.push(skill.id);
    }
  }
  return ids;
}

/** A profile holds 4,000 characters; more is never read (the finder is linear, this bounds it). */
const TEXT_READ_MAX = 8_000;

/** Sentences and clauses (a dot ends one only before a space: ".NET"): a negation reaches to the end of its own clause only. */
const CLAUSE_END = /[;:!?\n\u2022]+|\.(?=\s|$)|\s[-\u2013\u2014]\s|,\s*(?:but|aber|mais|maar|pero)\s/iu;

/**
 * Words that negate what follows them in a clause, in the languages partners write profiles in
 * (English, German, French, Dutch, Spanish). "only" is no negation ("Australian clients only").
 */
const NEGATION = /(?<![\p{L}\p{N}])(?:not|no|never|without|except|neither|nor|\p{L}+n't|dont|nicht|kein|keine|keinen|keiner|ohne|außer|ausser|pas|jamais|sans|sauf|niet|geen|zonder|behalve|sin|nunca|excepto)(?![\p{L}\p{N}])/iu;

const negationAt = (clause: string) => {
  const found = NEGATION.exec(clause.replace(/[\u2019\u02bc]/g, "'"));
  return found ? found.index : clause.length;
};

const isOneWord = (name: string) => !/[\s-]/.test(name.trim());

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** True when `name` is written in `text` with the taxonomy's own capitals, as a whole word. */
const writtenAsIs = (text: string, name: string) => new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(name)}(?![\\p{L}\\p{N}])`, 'u').test(text);

// Built once per catalogue (the catalogue is loaded once per process).
const finders = new WeakMap<SkillCatalogue, NameFinder<{ skill: Skill; name: string }>>();

function finderOf(catalogue: SkillCatalogue): NameFinder<{ skill: Skill; name: string }> {
  let finder = finders.get(catalogue);
  if (!finder) {
    const claimable = catalogue.skills.filter((s) => !s.retiredAt && s.kind !== 'designation');
    finder = createNameFinder(claimable.flatMap((skill) => [skill.label, ...skill.synonyms].map((name) => ({ name, value: { skill, name } }))));
    finders.set(catalogue, finder);
  }
  return finder;
}
