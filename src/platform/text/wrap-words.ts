/** The width of every plain-text part we send: what mail clients show without wrapping again. */
export const TEXT_WIDTH = 72;

/**
 * Words wrapped to `width` columns; the first line starts with `first`, the rest with `rest`.
 * Long words (links) stay whole. `between` says what separates words: the digest folds any
 * whitespace; the notice cards keep a line break inside a word run (a partner's note as typed).
 */
export function wrapWords(text: string, first: string, rest: string, between: RegExp = /\s+/, width = TEXT_WIDTH): string[] {
  const lines: string[] = [];
  let line = first;
  let empty = true;
  for (const word of text.split(between).filter(Boolean)) {
    if (!empty && line.length + 1 + word.length > width) {
      lines.push(line);
      line = rest;
      empty = true;
    }
    line += empty ? word : ` ${word}`;
    empty = false;
  }
  lines.push(line);
  return lines;
}
