/**
 * Finds known names (skills and their synonyms, regions and places) in free text: whole words,
 * case-insensitive, "Entra ID" also as "Entra-ID", the longest name first where names overlap
 * ("Latin America" before "America"). Names of three characters or fewer ("BC", "AKS", "UK")
 * match only as written: "bc" in a sentence is rarely Business Central.
 *
 * All names go into two alternations (compiled once per list), because compiling hundreds of
 * case-insensitive Unicode patterns per mail cost most of a second.
 */
export interface NameFinder<T> {
  /** The values of the names found, in the order they were written, once each. */
  find(text: string): T[];
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const words = (name: string) => name.trim().split(/[\s-]+/).filter(Boolean);
const keyOf = (text: string, exact: boolean) => {
  const key = words(text).join(' ');
  return exact ? key : key.toLowerCase();
};

/** One alternation, longest name first, so that at any position the longest name wins. */
function alternation(names: string[], flags: string): RegExp | null {
  if (names.length === 0) return null;
  const sources = [...names]
    .sort((a, b) => b.length - a.length)
    .map((name) => {
      const body = words(name).map(escapeRegExp).join('[\\s-]+');
      // Scripts written without spaces (Japanese, Korean) have no word boundaries to ask for.
      return /^[\p{Script=Latin}\p{N}]/u.test(name) ? `(?<![\\p{L}\\p{N}])${body}(?![\\p{L}\\p{N}+#])` : body;
    });
  return new RegExp(sources.join('|'), flags);
}

export function createNameFinder<T>(names: ReadonlyArray<{ name: string; value: T }>): NameFinder<T> {
  const short = names.filter((n) => n.name.trim().length <= 3);
  const long = names.filter((n) => n.name.trim().length > 3);
  const values = new Map<string, T>();
  // Longest first, so that of two names with one key the more specific list entry decides.
  for (const n of short) if (!values.has(`=${keyOf(n.name, true)}`)) values.set(`=${keyOf(n.name, true)}`, n.value);
  for (const n of long) if (!values.has(`~${keyOf(n.name, false)}`)) values.set(`~${keyOf(n.name, false)}`, n.value);
  const patterns = [
    { regex: alternation(short.map((n) => n.name), 'gu'), exact: true },
    { regex: alternation(long.map((n) => n.name), 'giu'), exact: false },
  ];

  return {
    find(text) {
      const hits: Array<{ at: number; end: number; value: T }> = [];
      for (const { regex, exact } of patterns) {
        if (!regex) continue;
        regex.lastIndex = 0;
        for (let m = regex.exec(text); m; m = regex.exec(text)) {
          const value = values.get(`${exact ? '=' : '~'}${keyOf(m[0], exact)}`);
          if (value !== undefined) hits.push({ at: m.index, end: m.index + m[0].length, value });
        }
      }
      // Where a short and a long name overlap, the longer one was meant.
      const kept: typeof hits = [];
      for (const hit of hits.sort((a, b) => b.end - b.at - (a.end - a.at))) {
        if (!kept.some((k) => hit.at < k.end && hit.end > k.at)) kept.push(hit);
      }
      return [...new Set(kept.sort((a, b) => a.at - b.at).map((k) => k.value))];
    },
  };
}
