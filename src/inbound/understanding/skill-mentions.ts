import type { SkillCatalogue } from '../../skills/skill-catalogue.ts';
import { createNameFinder, type NameFinder, type NameHit } from '../../platform/text/name-finder.ts';

/**
 * The skills a mail asks for, read from the sender's own text (quotes and signature already cut):
 * every taxonomy name and synonym written in it, except names that are also ordinary words used
 * as words, each required unless every mention of it stands in a nice-to-have clause.
 */
export interface SkillMentions {
  requiredSkills: string[];
  niceToHaveSkills: string[];
}

/**
 * Names of skills that are also ordinary words of a mail ("BC finance, purchasing and warehouse",
 * "a security project", "Service is delivered remotely", "Security clearance not required",
 * "row-level security", "Purview for data governance"). Lower case, words one space apart. A name
 * here counts only when written as the name of a skill (`writtenAsName`); typed into a skill
 * field it is a skill as ever (the catalogue's `resolve` does not read this list).
 */
export const ORDINARY_WORDS: ReadonlySet<string> = new Set([
  'finance',
  'service',
  'sales',
  'security',
  'supply chain',
  'data governance',
  'business applications',
  'modern work',
  'modern workplace',
]);

const LETTER = /\p{L}/u;
const UPPER = /^\p{Lu}/u;
/** What ends a sentence, a list item's marker or a table cell (two spaces or more) before a name. */
const STARTS_HERE = /(?:^|[.!?:;•*·–—-]|\d[.)]|\s{2,})\s*$/u;

/** The word just before `at` on its line, and the one just after `end`, each one space away; or ''. */
function neighbours(text: string, at: number, end: number): { before: string; after: string } {
  const lead = text.slice(Math.max(0, at - 40), at);
  const trail = text.slice(end, end + 40);
  const before = / $/.test(lead) && !/\s $/.test(lead) ? lead.slice(0, -1).split(/\s/).pop()! : '';
  const after = /^ \S/.test(trail) ? trail.slice(1).split(/\s/, 1)[0]! : '';
  return { before, after };
}

/**
 * True when a name that is also an ordinary word is written as a skill's name: capitalised as a
 * name is, inside a sentence (a capital at the start of a sentence, a list item or a table cell
 * says nothing), and not one word of a longer capitalised name ("Customer Service", "Security
 * Architect", "Pennine Shield Security Ltd"). "Partners with the Security and Modern Work
 * designations" passes; "BC finance", "Service is delivered remotely" do not.
 */
export function writtenAsName(text: string, at: number, end: number): boolean {
  if (!UPPER.test(text.slice(at, end))) return false;
  // Only the 40 characters before it are looked at: a long line must not be read again for each name.
  const lead = text.slice(Math.max(0, at - 40), at);
  if (STARTS_HERE.test(lead.slice(lead.lastIndexOf('\n') + 1))) return false;
  const { before, after } = neighbours(text, at, end);
  const capitalisedWord = (word: string) => LETTER.test(word[0] ?? '') && UPPER.test(word);
  return !capitalisedWord(before) && !capitalisedWord(after);
}

const NICE_WORDS = [
  // English
  'nice to have',
  'a plus',
  'optional',
  'optionally',
  'preferred',
  'would be good',
  'would be nice',
  'desirable',
  'an advantage',
  'advantageous',
  'bonus',
  'not a must',
  'not essential',
  'phase 2',
  'later phase',
  'later stage',
  // German
  'wünschenswert',
  'von vorteil',
  'ein plus',
  'pluspunkt',
  'spätere phase',
  // French
  'un plus',
  'optionnel',
  'optionnelle',
  'souhaité',
  'souhaitée',
  'souhaités',
  'souhaitées',
  'apprécié',
  'appréciée',
  'appréciés',
  'appréciées',
  'facultatif',
  'facultative',
  'en option',
  'phase ultérieure',
  // Spanish
  'deseable',
  'valorable',
  'se valorará',
  'opcional',
  // Dutch
  'pré',
  'gewenst',
  'mooi meegenomen',
  'latere fase',
  'optioneel',
];
// The words of a marker may stand apart by spaces or hyphens ("nice-to-have", "must have").
const alternation = (words: string[]) => words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/[ -]/g, String.raw`[\s-]+`)).join('|');
// A whole word, not part of a hyphenated one: "pré-requis" is a prerequisite, "non-optional" a must.
const WORD_BEFORE = String.raw`(?<![\p{L}\p{N}]|[\p{L}\p{N}]-)`;
const WORD_AFTER = String.raw`(?![\p{L}\p{N}]|-[\p{L}\p{N}])`;
const NICE = new RegExp(`${WORD_BEFORE}(?:${alternation(NICE_WORDS)})${WORD_AFTER}`, 'iu');
/** "Not optional", "kein Plus", "pas optionnel": the marker denied, the skill a must. */
const DENIED = new RegExp(
  `${WORD_BEFORE}(?:not|nicht|kein|keine|pas|no|niet|geen)\\s+(?:${alternation(['optional', 'optionnel', 'opcional', 'optioneel', 'a plus', 'ein plus', 'un plus', 'plus', 'nice to have'])})${WORD_AFTER}`,
  'giu',
);
/**
 * "Later" makes a skill nice-to-have only as something that may come later ("can come later",
 * "could be considered later", "kann später kommen", "pourra venir plus tard"): "start later this
 * month with Intune" asks for Intune.
 */
const LATER =
  /(?<![\p{L}\p{N}])(?:can|could|may|might|will|would|kann|könnte|können|kommt|pourra|pourrait|peut|viendra|puede|podría|podrá|kan|kunnen|mag|volgt)(?![\p{L}\p{N}])[^.;!?]{0,80}?(?<![\p{L}\p{N}])(?:later|später|plus tard|más adelante)(?![\p{L}\p{N}])/iu;
const LATER_WORD = /later|später|plus tard|más adelante/i;
// LATER only where a "later" is written: a long clause of modals alone costs it 20 ms.
function isNiceClause(clause: string): boolean {
  const said = clause.replace(DENIED, ' ');
  return NICE.test(said) || (LATER_WORD.test(said) && LATER.test(said));
}
const MUST_WORDS = ['must have', 'must haves', 'required', 'requirements', 'mandatory', 'muss', 'erforderlich', 'obligatoire', 'requis', 'imprescindible', 'obligatorio', 'vereist', 'verplicht'];
/** A heading above a list, the marker alone on its line: "Optional", "Nice to have:", "Must have". */
const heading = (words: string[]) => new RegExp(String.raw`^\s*(?:${alternation(words)})(?:\s+(?:skills|skill))?\s*:?\s*$`, 'iu');
const NICE_HEADING = heading(NICE_WORDS);
const MUST_HEADING = heading(MUST_WORDS);
const BULLET = /^\s*(?:[-*•◦▪–]|\d+[.)])\s/;

interface Span {
  start: number;
  end: number;
  nice: boolean;
}

/**
 * The text's clauses, each marked nice-to-have or not. A clause is a sentence (up to . ! ? or ;)
 * within a line: "Power BI would be a plus" makes Power BI nice, and the sentence before it keeps
 * its skills required. The lines under an "Optional" / "Nice to have:" heading are nice, up to a
 * blank line or the next heading.
 */
function clauses(text: string): Span[] {
  const spans: Span[] = [];
  let section: 'none' | 'heading' | 'items' = 'none';
  let offset = 0;
  for (const line of text.split('\n')) {
    const lineStart = offset;
    offset += line.length + 1;
    if (!line.trim() || MUST_HEADING.test(line)) {
      section = 'none';
      continue;
    }
    if (NICE_HEADING.test(line)) {
      section = 'heading';
      continue;
    }
    // The section is its list: the first line that is no item after the items ends it.
    if (BULLET.test(line)) {
      if (section === 'heading') section = 'items';
    } else if (section === 'items') section = 'none';
    const pieces = line.split(/(?<=[.!?;])\s+/u);
    let from = 0;
    for (const piece of pieces) {
      const start = line.indexOf(piece, from);
      from = start + piece.length;
      spans.push({ start: lineStart + start, end: lineStart + from, nice: section !== 'none' || isNiceClause(piece) });
    }
  }
  return spans;
}

/** The skills written in `text` (the subject's line first, then the sender's own text). */
export function findSkillMentions(finder: NameFinder<string>, text: string): SkillMentions {
  const spans = clauses(text);
  const required = new Set<string>();
  const nice = new Set<string>();
  // Hits and clauses both run left to right: one walk over the clauses places every hit.
  let k = 0;
  const isNice = (hit: NameHit<string>) => {
    while (k < spans.length && spans[k]!.end <= hit.at) k++;
    const span = spans[k];
    return span !== undefined && span.start <= hit.at && span.nice;
  };
  for (const hit of finder.hits(text)) {
    const written = text.slice(hit.at, hit.end).toLowerCase().split(/[\s-]+/).join(' ');
    if (ORDINARY_WORDS.has(written) && !writtenAsName(text, hit.at, hit.end)) continue;
    (isNice(hit) ? nice : required).add(hit.value);
  }
  return { requiredSkills: [...required], niceToHaveSkills: [...nice].filter((slug) => !required.has(slug)) };
}

// Built once per catalogue (the catalogue is loaded once per process).
const skillFinders = new WeakMap<SkillCatalogue, NameFinder<string>>();

/** The name finder over the catalogue's current skills: labels and synonyms. */
export function skillFinder(catalogue: SkillCatalogue): NameFinder<string> {
  let finder = skillFinders.get(catalogue);
  if (!finder) {
    const current = catalogue.skills.filter((s) => !s.retiredAt);
    finder = createNameFinder(current.flatMap((s) => [s.label, ...s.synonyms].map((name) => ({ name, value: s.slug }))));
    skillFinders.set(catalogue, finder);
  }
  return finder;
}
