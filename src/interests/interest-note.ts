/** The most characters a note may hold: the interests.note CHECK constraint says the same. */
export const NOTE_MAX_CHARS = 2000;

// Control characters (Cc: C0, DEL and C1, except tab and newline) and the invisible direction
// overrides that could make a note read differently in the submitter's email than it was typed.
const UNWANTED = /(?![\t\n])[\p{Cc}\u202a-\u202e\u2066-\u2069]/gu;

/**
 * "How we can help", as we store it: line breaks normalised, unwanted characters removed,
 * trimmed. Its length is counted in characters (code points), as Postgres counts them.
 */
export function cleanNote(raw: string): string {
  return raw.replace(/\r\n?/g, '\n').replace(UNWANTED, '').trim();
}

export const noteLength = (note: string): number => [...note].length;
