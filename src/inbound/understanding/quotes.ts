/**
 * Separates what a person wrote in an email from what their mail client added: the quoted
 * history of earlier messages and the signature. Line-based, because that is all a plain-text
 * part (or an HTML part converted to text) still tells us.
 */

// "-----Original Message-----", Gmail's "---------- Forwarded message ---------", and their
// German and French versions; Apple Mail's "Begin forwarded message:".
const SEPARATOR =
  /^\s*(?:-{2,}\s*(?:original message|forwarded message|ursprüngliche nachricht|weitergeleitete nachricht|message d'origine|message transféré)\s*-{2,}|begin forwarded message:)\s*$/i;
// Outlook puts a line of underscores above the header block of the message it quotes.
const RULE = /^\s*_{10,}\s*$/;
const WROTE = String.raw`(?:wrote|schrieb|a écrit|escribió|ha scritto|schreef|skrev|написал|написала)\s*:\s*$`;
const WROTE_ONE_LINE = new RegExp(String.raw`^[\s-]*(?:on|am|le|el|il|op|den|på)\s.*` + WROTE, 'i');
const WROTE_END = new RegExp(WROTE, 'i');
const HEADER = /^\s*\*?(?:from|sent|date|to|cc|subject|reply-to|von|gesendet|an|betreff|datum|de|envoyé|à|objet)\s*:\*?(?:\s|$)/i;
const FROM_HEADER = /^\s*\*?(?:from|von|de)\s*:/i;
const DATE_HEADER = /^\s*\*?(?:sent|date|gesendet|datum|envoyé)\s*:/i;
const SENT_FROM_DEVICE = /^\s*(?:sent from my\b|sent from mail for\b|get outlook for\b|von meinem\b.*\bgesendet|envoyé de mon\b)/i;
const SIGN_OFF =
  /^\s*(?:best|best regards|kind regards|warm regards|regards|many thanks|thanks|thank you|thx|cheers|sincerely|yours sincerely|yours|all the best|mit freundlichen grüßen|viele grüße|beste grüße|grüße|gruß|cordialement|saludos)\b[\s\p{L},.!]{0,20}$/iu;

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

/** Cuts the signature: after a "-- " line, a "Sent from my iPhone", or a sign-off near the end. */
function withoutSignature(lines: string[]): string[] {
  const delimiter = lines.findIndex((l) => /^--\s*$/.test(l) || SENT_FROM_DEVICE.test(l));
  let kept = delimiter === -1 ? lines : lines.slice(0, delimiter);
  const content = kept.map((l, i) => ({ l, i })).filter(({ l }) => l.trim());
  // A sign-off ("Best regards,") among the last few lines, with only a name or contact lines after it.
  const tail = content.slice(-8);
  const signOff = tail.find(({ l, i }) => SIGN_OFF.test(l) && i > (content[0]?.i ?? 0));
  if (signOff) kept = kept.slice(0, signOff.i);
  return kept;
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
