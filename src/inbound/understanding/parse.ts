import { simpleParser, type ParsedMail } from 'mailparser';

/**
 * Parsing a stored message, bounded. mailparser survives the hostile samples we test with
 * (a message built to exhaust memory, deeply nested HTML), but a parse has no natural end on a
 * hostile input, so it gets a deadline: past it the message is 'unreadable', not a stuck worker.
 */
const PARSE_TIMEOUT_MS = 20_000;
/** HTML beyond this is not turned into text (html-to-text recurses; a huge tree costs seconds). */
const MAX_HTML_TO_PARSE = 2 * 1024 * 1024;

export type ParseResult = { ok: true; parsed: ParsedMail } | { ok: false; reason: string };

export async function parseStored(raw: Buffer, timeoutMs = PARSE_TIMEOUT_MS): Promise<ParseResult> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<ParseResult>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, reason: `unreadable: parsing took longer than ${timeoutMs} ms` }), timeoutMs);
  });
  const parse = simpleParser(raw, { maxHtmlLengthToParse: MAX_HTML_TO_PARSE, skipImageLinks: true, skipTextLinks: true })
    .then((parsed): ParseResult => ({ ok: true, parsed }))
    .catch((error: unknown): ParseResult => ({ ok: false, reason: `unreadable: ${error instanceof Error ? error.message : String(error)}`.slice(0, 300) }));
  try {
    return await Promise.race([parse, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** A header's value from the top-level header lines, unfolded; undefined when absent. */
export function headerLookup(parsed: Pick<ParsedMail, 'headerLines'>): (name: string) => string | undefined {
  const values = new Map<string, string>();
  for (const { key, line } of parsed.headerLines ?? []) {
    const name = key.toLowerCase();
    if (values.has(name)) continue;
    const colon = line.indexOf(':');
    values.set(name, (colon >= 0 ? line.slice(colon + 1) : '').replace(/\r?\n[ \t]+/g, ' ').trim());
  }
  return (name) => values.get(name.toLowerCase());
}
