/**
 * Finds known names (skills and their synonyms, regions and places) in free text: whole words,
 * case-insensitive, "Entra ID" also as "Entra-ID", the longest name first where names overlap
 * ("Latin America" before "America"). Names of three characters or fewer ("BC", "AKS", "UK")
 * match only as written: "bc" in a sentence is rarely Business Central.
 *
 * One pass over the text through a trie of the names, not a regular expression: an alternation
 * of hundreds of case-insensitive Unicode names cost V8 half a second to compile, again for each
 * kind of string (one text with a U+FFFD in it paid it anew) and again after its code was
 * flushed, so one hostile mail could stall the event loop for seconds. The trie does the same
 * matching the alternation did, `(?<![\p{L}\p{N}])word[\s-]+word(?![\p{L}\p{N}+#])` for each
 * name, longest name first at each position, in time linear in the text: from each position it
 * walks at most one name's length, plus the spaces between a name's words.
 */
export interface NameFinder<T> {
  /** The values of the names found, in the order they were written, once each. */
  find(text: string): T[];
  /** Every name found, in the order written, with where it stands (`text.slice(at, end)` is what was written). */
  hits(text: string): Array<NameHit<T>>;
}

export interface NameHit<T> {
  value: T;
  at: number;
  end: number;
}

const words = (name: string) => name.trim().split(/[\s-]+/).filter(Boolean);
const keyOf = (text: string, exact: boolean) => {
  const key = words(text).join(' ');
  return exact ? key : key.toLowerCase();
};

// JavaScript's \s, and the hyphen: what may stand between the words of a name.
const SEPARATORS = new Set([...'\t\n\v\f\r \u00a0\u1680\u2028\u2029\u202f\u205f\u3000\ufeff-'].map((c) => c.codePointAt(0)!));
for (let cp = 0x2000; cp <= 0x200a; cp++) SEPARATORS.add(cp);
/** The trie's edge for the run of separators between two words; no word contains a space. */
const GAP = ' ';

const LETTER_OR_NUMBER = /^[\p{L}\p{N}]$/u;
const ENDS_WORD = /^[\p{L}\p{N}+#]$/u;
const isLetterOrNumber = (cp: number | undefined) => cp !== undefined && LETTER_OR_NUMBER.test(String.fromCodePoint(cp));
const continuesWord = (cp: number | undefined) => cp !== undefined && ENDS_WORD.test(String.fromCodePoint(cp));

/** The case a case-insensitive match compares in: close to the simple case folding of /iu. */
const ASCII = Array.from({ length: 0x80 }, (_, cp) => String.fromCharCode(cp));
const ASCII_FOLDED = ASCII.map((c) => c.toLowerCase());
const folded = new Map<number, string>();
function foldCase(cp: number): string {
  if (cp < 0x80) return ASCII_FOLDED[cp]!;
  let f = folded.get(cp);
  if (f === undefined) {
    const c = String.fromCodePoint(cp);
    const viaUpper = c.toUpperCase().toLowerCase();
    const lower = c.toLowerCase();
    f = [...viaUpper].length === 1 ? viaUpper : [...lower].length === 1 ? lower : c;
    // Bounded: a mail full of distinct code points must not grow it to all of Unicode.
    if (folded.size < 4096) folded.set(cp, f);
  }
  return f;
}
const asWritten = (cp: number) => (cp < 0x80 ? ASCII[cp]! : String.fromCodePoint(cp));

interface TrieNode {
  next: Map<string, TrieNode>;
  /** Names ending here: their rank (lower wins) and whether they need word boundaries. */
  ends: Array<{ rank: number; bounded: boolean }>;
}

const newNode = (): TrieNode => ({ next: new Map(), ends: [] });

/** The code point that ends just before UTF-16 index `at`; undefined at the start. */
function codePointBefore(text: string, at: number): number | undefined {
  if (at <= 0) return undefined;
  const low = text.charCodeAt(at - 1);
  if (at >= 2 && low >= 0xdc00 && low <= 0xdfff) {
    const high = text.charCodeAt(at - 2);
    if (high >= 0xd800 && high <= 0xdbff) return text.codePointAt(at - 2);
  }
  return low;
}

const width = (cp: number) => (cp > 0xffff ? 2 : 1);

/** One list of names, matched either as written or case-insensitively. */
class NameTrie {
  private readonly root = newNode();
  private readonly fold: (cp: number) => string;

  constructor(names: string[], fold: (cp: number) => string) {
    this.fold = fold;
    // Longest name first (a stable sort: equally long names keep their order), as the alternation was.
    const ranked = names.map((name, index) => ({ name, index })).sort((a, b) => b.name.length - a.name.length || a.index - b.index);
    ranked.forEach(({ name }, rank) => {
      if (words(name).length === 0) return;
      // Scripts written without spaces (Japanese, Korean) have no word boundaries to ask for.
      const bounded = /^[\p{Script=Latin}\p{N}]/u.test(name);
      let node = this.root;
      words(name).forEach((word, i) => {
        if (i > 0) node = this.child(node, GAP);
        for (const c of word) node = this.child(node, this.fold(c.codePointAt(0)!));
      });
      node.ends.push({ rank, bounded });
    });
  }

  private child(node: TrieNode, edge: string): TrieNode {
    let next = node.next.get(edge);
    if (!next) node.next.set(edge, (next = newNode()));
    return next;
  }

  /** The end of the best-ranked name written at `at`; -1 when none is. */
  private matchAt(text: string, at: number): number {
    let boundaryBefore: boolean | undefined;
    let node: TrieNode | undefined = this.root;
    let best = { rank: Infinity, end: -1 };
    let i = at;
    while (node) {
      for (const end of node.ends) {
        if (end.rank >= best.rank) continue;
        if (end.bounded) {
          boundaryBefore ??= !isLetterOrNumber(codePointBefore(text, at));
          if (!boundaryBefore || continuesWord(text.codePointAt(i))) continue;
        }
        best = { rank: end.rank, end: i };
      }
      if (i >= text.length) break;
      const cp = text.codePointAt(i)!;
      if (SEPARATORS.has(cp)) {
        // Only walks that have just read a whole word of a name cross a run: a few at most.
        node = node.next.get(GAP);
        while (node && i < text.length && SEPARATORS.has(text.codePointAt(i)!)) i++;
      } else {
        node = node.next.get(this.fold(cp));
        i += width(cp);
      }
    }
    return best.end;
  }

  /** Every match, left to right, each search going on after the last match (as a /g regex does). */
  *matches(text: string): Generator<{ at: number; end: number }> {
    for (let at = 0; at < text.length; ) {
      const end = this.matchAt(text, at);
      if (end > at) {
        yield { at, end };
        at = end;
      } else {
        at += width(text.codePointAt(at)!);
      }
    }
  }
}

/**
 * `caseSensitive`: every name matches only as written, as short names always do (proper names,
 * such as cities: "Nice" the city, not "nice" the word).
 */
export function createNameFinder<T>(names: ReadonlyArray<{ name: string; value: T }>, options: { caseSensitive?: boolean } = {}): NameFinder<T> {
  const asWrittenOnly = (name: string) => options.caseSensitive === true || name.trim().length <= 3;
  const short = names.filter((n) => asWrittenOnly(n.name));
  const long = names.filter((n) => !asWrittenOnly(n.name));
  const values = new Map<string, T>();
  // Of two names with one key, the one listed first decides.
  for (const n of short) if (!values.has(`=${keyOf(n.name, true)}`)) values.set(`=${keyOf(n.name, true)}`, n.value);
  for (const n of long) if (!values.has(`~${keyOf(n.name, false)}`)) values.set(`~${keyOf(n.name, false)}`, n.value);
  const tries = [
    { trie: short.length ? new NameTrie(short.map((n) => n.name), asWritten) : null, exact: true },
    { trie: long.length ? new NameTrie(long.map((n) => n.name), foldCase) : null, exact: false },
  ];

  const hitsIn = (text: string): Array<NameHit<T>> => {
    const hits: Array<NameHit<T>> = [];
    for (const { trie, exact } of tries) {
      if (!trie) continue;
      for (const { at, end } of trie.matches(text)) {
        const value = values.get(`${exact ? '=' : '~'}${keyOf(text.slice(at, end), exact)}`);
        if (value !== undefined) hits.push({ at, end, value });
      }
    }
    // Where a short and a long name overlap, the longer one was meant. Each trie's matches do
    // not overlap one another, so marking what is taken keeps this linear in the text.
    const taken = new Uint8Array(text.length);
    const kept: typeof hits = [];
    for (const hit of hits.sort((a, b) => b.end - b.at - (a.end - a.at))) {
      if (taken.subarray(hit.at, hit.end).includes(1)) continue;
      taken.fill(1, hit.at, hit.end);
      kept.push(hit);
    }
    return kept.sort((a, b) => a.at - b.at);
  };
  return {
    hits: hitsIn,
    find: (text) => [...new Set(hitsIn(text).map((k) => k.value))],
  };
}
