/** How much of a title a subject carries: the inbox list of a phone shows about the first 40 characters. */
export const SUBJECT_TITLE_MAX = 60;

/**
 * A title cut to `max` characters at a word boundary, with "…" ("Azure landing zone and
 * identity…"); a single long word is cut where it must.
 */
export function shortTitle(title: string, max = SUBJECT_TITLE_MAX): string {
  const flat = title.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  const kept = space >= max * 0.6 ? cut.slice(0, space) : cut;
  return `${kept.replace(/[\s,;:.·&+\-–—(]+$/u, '')}…`;
}
