/**
 * The end of a message that is about the sender, not the work: sign-off, signature block
 * (name, job title, company, phone, certifications, "Solutions Partner for …" taglines) and legal
 * disclaimer. None of it describes the opportunity, and all of it is full of skill names
 * ("Microsoft Certified: Azure Security Engineer Associate", "ISO 27001 certified"), so it is cut
 * before anything is read. Line-based, like the quote finder: that is all a plain-text part tells.
 */

const SIGN_OFF =
  /^\s*(?:best|best regards|kind regards|warm regards|regards|many thanks|thanks|thank you|thanks in advance|thx|cheers|sincerely|yours sincerely|yours|all the best|mit freundlichen grüßen|mit freundlichen grüssen|freundliche grüße|freundliche grüsse|liebe grüße|liebe grüsse|viele grüße|beste grüße|grüße|gruß|cordialement|bien cordialement|bien à vous|merci d'avance|merci|saludos|saludos cordiales|un saludo|atentamente|met vriendelijke groet|vriendelijke groet|groet|groeten|venlig hilsen|med vänlig hälsning|vänliga hälsningar|med vennlig hilsen|s pozdravem|pozdrawiam|cordiali saluti)\b[\s\p{L},.!]{0,20}$/iu;
const SENT_FROM_DEVICE = /^\s*(?:sent from my\b|sent from mail for\b|get outlook for\b|von meinem\b.*\bgesendet|envoyé de mon\b)/i;
/** A line of dashes, underscores or equals signs: mail gateways put one above their disclaimer. */
const RULE_LINE = /^\s*(?:-{4,}|_{4,}|={4,})\s*$/;
/**
 * Phrases of the legal text mail gateways and companies append, in the languages of our senders.
 * Phrases, not words: "- Confidential data must be labelled" or "- Privileged Identity Management"
 * at the end of a list are work. A line with one is a disclaimer only at the end of a message
 * (see `tailStart`).
 */
const DISCLAIMER = new RegExp(
  [
    String.raw`\b(?:is|are|be|remain)(?: strictly)? confidential\b|\bconfidential (?:and|or)\b|\b(?:and|or),? confidential\b|\bconfidentiality notice\b`,
    String.raw`\b(?:legally|may be) privileged\b|\bprivileged(?:,| and| or) confidential\b`,
    String.raw`\bintended (?:solely|only|exclusively) for\b|\bintended recipient|\bif you are not the\b|\baccepts? no liability\b|\bregistered (?:in england|office)\b|\bbefore printing\b`,
    String.raw`\bvertrauliche informationen\b|\b(?:ist|sind) vertraulich\b|\bnicht der (?:richtige|beabsichtigte) (?:adressat|empfänger)`,
    String.raw`\b(?:sont|est) confidentiel|\bà l'attention exclusive\b|\bexclusive de (?:leurs|ses) destinataires`,
    String.raw`\bes confidencial\b|\binformación confidencial\b|\bno es el destinatario\b`,
    String.raw`\bis vertrouwelijk\b|\buitsluitend bestemd\b|\brechten (?:worden|kunnen worden) ontleend\b`,
  ].join('|'),
  'iu',
);
/**
 * A person's name alone on a line: one to four words, each a capital and a small letter first
 * ("Hannah", "Fiona MacLeod", "Jean-Luc Dupont"); "Power BI" or "AKS" alone on a line is no name.
 */
const NAME_LINE = /^\s*\p{Lu}\p{Ll}[\p{L}'’.-]*(?: \p{Lu}\p{Ll}[\p{L}'’.-]*){0,3}\s*$/u;
/**
 * What only a signature block has: a company form, a job title, a phone, mail or web address, a
 * certification or a partner tagline. Not "|" or "·": lists of skills have them too.
 */
const SIGNATURE_MARK = new RegExp(
  [
    String.raw`\b(?:Ltd|Limited|GmbH|AG|BV|B\.V\.|S\.L\.|SAS|SARL|S\.A\.|ApS|AB|Oy|s\.r\.o\.|Inc|LLC|plc|Pty|S\.p\.A\.)(?:\W|$)`,
    String.raw`\b(?:manager|director|head of|lead|architect|consultant|engineer|specialist|officer|founder|owner|ceo|cto|cio|vp|leiter\w*|teamleiter\w*|geschäftsführer\w*|directeur|directrice|responsable|director[a]?|directeur)\b`,
    String.raw`(?:^|\s)(?:\+\d|[MTFP]\s*:|tel\b|phone\b|mobile?\b|mob\b)`,
    String.raw`www\.|https?:|@`,
    String.raw`\bcertified\b|\bsolutions partner\b|\bgold partner\b|\bspeciali[sz]ations?\s*:`,
  ].join('|'),
  'iu',
);
/** A list item: signature blocks have none, an "Optional" heading above its items looks like a name. */
const BULLET = /^\s*(?:[-*•◦▪–]|\d+[.)])\s/;
/** Signature lines are short and are not sentences. */
const SIGNATURE_LINE_MAX = 120;
/** How far from the end a signature may start, in lines with text (a heavy one has a dozen). */
const TAIL_LINES = 25;

/**
 * A line that ends as a sentence does: a word of two letters or more, then . ! or ?. A company
 * form ends with a full stop too ("Azteca ERP S.A. de C.V.", "Moselle Secure S.à r.l.", "Ltd.").
 */
const isSentence = (line: string) => /[\p{L}\p{N})]{2}[.!?]\s*$/u.test(line) && !/\b(?:Ltd|Inc|Co|Corp|Pty|Bros|GmbH|Srl|Sàrl)\.\s*$/u.test(line);
const isDisclaimer = (line: string) => DISCLAIMER.test(line);
/** A line a signature block may have: short and no sentence, or legal text. */
const mayBeSignature = (line: string) => isDisclaimer(line) || RULE_LINE.test(line) || (line.trim().length <= SIGNATURE_LINE_MAX && !isSentence(line));

/**
 * Where the signature and disclaimer at the end of `lines` start (lines.length when there is
 * none). The tail is the run of lines at the end that a signature may have; within it the
 * signature starts at the first sign-off ("Best regards,"); without one, at the first disclaimer
 * or rule above one, or the first name line that starts a paragraph and has only signature lines
 * after it, with at least one mark of a signature among them. Bullets and "Budget: €150k" lines
 * at the end of a message are in the tail too, but start nothing: they are kept.
 */
function tailStart(lines: string[]): number {
  const content = lines.map((l, i) => ({ l, i })).filter(({ l }) => l.trim());
  let first = content.length;
  while (first > 0 && content.length - first < TAIL_LINES && mayBeSignature(content[first - 1]!.l)) first--;
  // The first line of a message is never its signature ("Hi Hannah," is not a sign-off).
  const tail = content.slice(Math.max(first, 1));
  const signOff = tail.find(({ l }) => SIGN_OFF.test(l));
  if (signOff) return signOff.i;
  const disclaimerAt = tail.findIndex(({ l }) => isDisclaimer(l));
  for (const [k, { l, i }] of tail.entries()) {
    if (disclaimerAt !== -1 && k <= disclaimerAt && (k === disclaimerAt || RULE_LINE.test(l))) return i;
    // A signature block starts a paragraph: "Remote OK" right under "Budget: €60k" is no name.
    if (NAME_LINE.test(l) && !lines[i - 1]?.trim()) {
      const after = tail.slice(k + 1);
      if (after.some(({ l: a }) => SIGNATURE_MARK.test(a)) && !after.some(({ l: a }) => BULLET.test(a))) return i;
    }
  }
  return lines.length;
}

/**
 * Where a rule with legal text under it starts, near the end (lines.length when there is none):
 * a gateway's disclaimer may hold sentences of any length ("Pennine Shield Ltd is a Microsoft
 * Solutions Partner for Security and is ISO 27001 certified."), all of it below its rule.
 */
function ruledDisclaimerStart(lines: string[]): number {
  const content = lines.map((l, i) => ({ l, i })).filter(({ l }) => l.trim());
  const tail = content.slice(Math.max(1, content.length - TAIL_LINES));
  const rule = tail.findIndex(({ l }, k) => RULE_LINE.test(l) && tail.slice(k + 1).some(({ l: after }) => isDisclaimer(after)));
  return rule === -1 ? lines.length : tail[rule]!.i;
}

/** The lines without the signature: after a "-- " line or a "Sent from my iPhone", and the block at the end. */
export function withoutSignature(lines: string[]): string[] {
  const delimiter = lines.findIndex((l) => /^--\s*$/.test(l) || SENT_FROM_DEVICE.test(l));
  const kept = delimiter === -1 ? lines : lines.slice(0, delimiter);
  const body = kept.slice(0, ruledDisclaimerStart(kept));
  return body.slice(0, tailStart(body));
}
