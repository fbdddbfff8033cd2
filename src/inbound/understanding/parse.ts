import { Readable } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { simpleParser, type ParsedMail } from 'mailparser';

/**
 * Parsing a stored message, bounded. mailparser survives the hostile samples we test with
 * (a message built to exhaust memory, deeply nested HTML), but a parse has no natural end on a
 * hostile input, so it gets a deadline: past it the message is 'unreadable', not a stuck worker.
 */
const PARSE_TIMEOUT_MS = 20_000;
/**
 * The parser is fed this much at a time, the event loop turning in between: given a whole
 * megabyte of short lines at once, it splits them all before anything else runs (150 ms).
 */
const PARSE_CHUNK_BYTES = 16 * 1024;

async function* inTurns(raw: Buffer): AsyncGenerator<Buffer> {
  for (let at = 0; at < raw.length; at += PARSE_CHUNK_BYTES) {
    yield raw.subarray(at, at + PARSE_CHUNK_BYTES);
    await nextTurn();
  }
}

export type ParseResult = { ok: true; parsed: ParsedMail } | { ok: false; reason: string };

export async function parseStored(raw: Buffer, timeoutMs = PARSE_TIMEOUT_MS): Promise<ParseResult> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<ParseResult>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, reason: `unreadable: parsing took longer than ${timeoutMs} ms` }), timeoutMs);
  });
  // No conversions while parsing: they run on the event loop in one piece (a megabyte of U+FFFD
  // turned into `textAsHtml` took 350 ms, a megabyte of HTML into `text` 1.6 s). `textAsHtml` is
  // never read, and HTML becomes text in `readBody`, bounded and off the event loop; so `text`
  // here is only ever what a text part says.
  const parse = simpleParser(Readable.from(inTurns(raw)), { skipHtmlToText: true, skipTextToHtml: true, skipImageLinks: true, skipTextLinks: true })
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
