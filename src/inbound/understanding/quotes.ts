/**
 * Separates what a person wrote in an email from what their mail client added: the quoted
 * history of earlier messages and the signature. Line-based, because that is all a plain-text
 * part (or an HTML part converted to text) still tells us.
 */

import { withoutSignature } from './signature.ts';

// "-----Original Message-----", Gmail's "---------- Forwarded message ---------", and their
// German and French versions; Apple Mail's "Begin forwarded message:".
const SEPARATOR =
  /^\s*(?:-{2,}\s*(?:original message|forwarded message|ursprüngliche nachricht|weitergeleitete nachricht|message d'origine|message transféré)\s*-{2,}|begin forwarded message:)\s*$/i;
// Outlook puts a line of underscores above the header block of the message it quotes.
const RULE = /^\s*_{10,}\s*$/;
const WROTE = String.raw`(?:wrote|schrieb|a écrit|escribió|ha scritto|schreef|skrev|написал|написала)\s*:\s*$`;
const WROTE_ONE_LINE = new RegExp(String.raw`^[\s-]*(?:on|am|le|el|il|op|den|på)\s.*` + WROTE, 'i');
const WROTE_END = new RegExp(WROTE, 'i');
// Outlook's header block in English, German, French, Spanish and Dutch.
const HEADER =
  /^\s*\*?(?:from|sent|date|to|cc|subject|reply-to|von|gesendet|an|betreff|datum|de|envoyé|à|objet|enviado(?: el)?|para|asunto|fecha|van|verzonden|aan|onderwerp)\s*:\*?(?:\s|$)/i;
const FROM_HEADER = /^\s*\*?(?:from|von|de|van)\s*:/i;
const DATE_HEADER = /^\s*\*?(?:sent|date|gesendet|datum|envoyé|enviado(?: el)?|fecha|verzonden)\s*:/i;
/** True when line `i` starts a block of mail headers ("From: … Sent: … Subject: …"). */
function isHeaderBlock(lines: string[], i: number): boolean {
  if (!FROM_HEADER.test(lines[i] ?? '')) return false;
  return lines.slice(i + 1, i + 5).some((l) => DATE_HEADER.test(l));
}

/** Where the quoted history of an earlier message starts; lines.length when there is none. */
function quoteStart(lines: string[], from = 0): number {
  for (let i = from; i < lines.length; i++) {
    const line = lines[i]!;
    if (SEPARATOR.test(line) || WROTE_ONE_LINE.test(line) || isHeaderBlock(lines, i)) return i;
    if (RULE.test(line) && lines.slice(i + 1, i + 3).some((l) => FROM_HEADER.test(l))) return i;
    // Clients wrap a long "On Mon, 2 Dec 2026 at 10:00, Jane Doe <jane@…> wrote:" in two, and
    // some start it with the date instead ("02.04.2012 14:20 Bob <bob@…> wrote:").
    const next = lines[i + 1] ?? '';
    const looksLikeHeader = /@|<|\d/.test(line) || /^\s*(?:on|am|le)\s/i.test(line);
    if (looksLikeHeader && !/[.!?]\s*$/.test(line) && !/^\s*>/.test(next) && WROTE_END.test(next) && next.length < 80) return i;
    if (WROTE_END.test(line) && line.length < 160) return i;
  }
  return lines.length;
}

/** The index just past a forwarding header block that starts at `start` (separator and headers). */
function headerBlockEnd(lines: string[], start: number): number {
  let i = start;
  if (SEPARATOR.test(lines[i]!) || RULE.test(lines[i]!)) i++;
  while (i < lines.length && !lines[i]!.trim()) i++;
  let sawHeader = false;
  // A header value may wrap onto the next line ("To: a@x, b@y,\n c@z"): keep going until a blank line.
  while (i < lines.length && (HEADER.test(lines[i]!) || (sawHeader && lines[i]!.trim()))) {
    sawHeader = true;
    i++;
  }
  return i;
}

/**
 * A line without its trailing spaces and tabs. By hand, because `/[ \t]+$/gm` tries the run again
 * from each of its characters when something follows it: 50,000 spaces inside a line took seconds.
 */
function trimLineEnd(line: string): string {
  let end = line.length;
  while (end > 0 && (line[end - 1] === ' ' || line[end - 1] === '\t')) end--;
  return line.slice(0, end);
}

const tidy = (lines: string[]) =>
  lines
    .filter((l) => !/^\s*>/.test(l))
    .map(trimLineEnd)
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();

/**
 * What the sender wrote, without quoted history and signature. For a forwarded message the
 * forwarded content is the point: its header block is dropped and its text kept, after the
 * forwarder's own note, each without its signature and history.
 */
export function mainText(text: string, options: { forwarded: boolean }): string {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const start = quoteStart(lines);
  if (start === lines.length) return tidy(withoutSignature(lines));
  const forwarded = options.forwarded || /forward/i.test(lines[start]!);
  if (!forwarded) {
    const before = lines.slice(0, start);
    if (before.some((l) => l.trim())) return tidy(withoutSignature(before));
    // Nothing above the quote: the reply is written below it (bottom-posting).
    const below = lines.slice(start + 1).filter((l) => !/^\s*>/.test(l));
    return tidy(withoutSignature(below.slice(0, quoteStart(below))));
  }
  const note = withoutSignature(lines.slice(0, start));
  const body = lines.slice(headerBlockEnd(lines, start));
  const inner = body.slice(0, quoteStart(body));
  return tidy([...note, '', ...withoutSignature(inner)]);
}

/**
 * The first message quoted below the sender's text, as its author wrote it: without the "On …
 * wrote:" line or header block above it, one level of "> " taken off, and without its own
 * history and signature. '' when nothing is quoted. For a reply whose own text only points at it.
 */
export function quotedText(text: string): string {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const start = quoteStart(lines);
  if (start === lines.length) return '';
  // "On … wrote:" may take two lines; else a separator and header block stand above the message.
  const wrote = lines.slice(start, start + 2).findIndex((l) => WROTE_END.test(l));
  const from = wrote === -1 ? headerBlockEnd(lines, start) : start + wrote + 1;
  const unquoted = lines.slice(from).map((l) => l.replace(/^\s*> ?/, ''));
  return tidy(withoutSignature(unquoted.slice(0, quoteStart(unquoted))));
}
