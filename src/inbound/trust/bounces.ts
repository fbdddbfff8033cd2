/**
 * Reading delivery-status notifications (RFC 3464) and complaint reports (ARF, RFC 5965) out of
 * a raw message. mailparser folds a message/delivery-status part into the text, so we read the
 * report part ourselves: find its header in the raw bytes and take its body up to the next MIME
 * boundary. Reports are 7-bit text by definition; an encoded one is simply not understood (the
 * message is still rejected as a bounce, only nothing is suppressed).
 */

/** How far into a message we look for the report part; reports come first, the original last. */
const SCAN_LIMIT = 256 * 1024;

export interface FailedRecipient {
  address: string;
  status: string;
}

/** The body of the first MIME part of this content type, or null. */
export function reportPart(raw: Buffer, contentType: 'message/delivery-status' | 'message/feedback-report'): string | null {
  const text = raw.subarray(0, SCAN_LIMIT).toString('latin1');
  const header = new RegExp(`^content-type:[ \\t]*${contentType.replace('/', '\\/')}\\b[^\\n]*\\n(?:[ \\t][^\\n]*\\n)*`, 'im').exec(text);
  if (!header) return null;
  // The part's own headers end at the first empty line after its Content-Type.
  const rest = text.slice(header.index);
  const bodyStart = rest.search(/\r?\n\r?\n/);
  if (bodyStart < 0) return null;
  const body = rest.slice(bodyStart).replace(/^\r?\n\r?\n/, '');
  const end = body.search(/^--/m);
  return end < 0 ? body : body.slice(0, end);
}

/** "Name: value" fields of a report, grouped by blank lines (per-message, then per-recipient). */
export function reportFieldGroups(body: string): Array<Map<string, string>> {
  const groups: Array<Map<string, string>> = [];
  for (const block of body.replace(/\r\n/g, '\n').split(/\n[ \t]*\n/)) {
    const fields = new Map<string, string>();
    for (const line of block.replace(/\n[ \t]+/g, ' ').split('\n')) {
      const m = line.match(/^([A-Za-z0-9-]+)[ \t]*:[ \t]*(.*)$/);
      if (m && !fields.has(m[1]!.toLowerCase())) fields.set(m[1]!.toLowerCase(), m[2]!.trim());
    }
    if (fields.size) groups.push(fields);
  }
  return groups;
}

/** "rfc822; a@b.example" or "<a@b.example>" → "a@b.example", lower-cased; null when not an address. */
function addressField(value: string | undefined): string | null {
  if (!value) return null;
  const address = value.replace(/^[\w-]+\s*;\s*/, '').replace(/[<>]/g, '').trim().toLowerCase();
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(address) ? address : null;
}

/**
 * Recipients whose delivery failed permanently: Action: failed and a 5.x.x Status. A 4.x.x status
 * is a delay (the sender retries), never a reason to stop mailing someone.
 */
export function permanentFailures(raw: Buffer): FailedRecipient[] {
  const body = reportPart(raw, 'message/delivery-status');
  if (!body) return [];
  const failures: FailedRecipient[] = [];
  for (const fields of reportFieldGroups(body)) {
    const address = addressField(fields.get('final-recipient') ?? fields.get('original-recipient'));
    const action = fields.get('action')?.toLowerCase();
    const status = fields.get('status')?.match(/^\d\.\d{1,3}\.\d{1,3}/)?.[0];
    if (address && action === 'failed' && status?.startsWith('5.')) failures.push({ address, status });
  }
  return failures;
}

/**
 * The address a complaint report is about: the report's Original-Rcpt-To, else the To header of
 * the original message it encloses. That is one of our recipients, who marked our mail as spam.
 */
export function complainedAddress(raw: Buffer): string | null {
  const body = reportPart(raw, 'message/feedback-report');
  const fields = body ? reportFieldGroups(body)[0] : undefined;
  const fromReport = addressField(fields?.get('original-rcpt-to'));
  if (fromReport) return fromReport;
  const text = raw.subarray(0, SCAN_LIMIT).toString('latin1');
  const enclosed = /^content-type:[ \t]*(message\/rfc822|text\/rfc822-headers)\b/im.exec(text);
  if (!enclosed) return null;
  const to = /^to:[ \t]*(.*)$/im.exec(text.slice(enclosed.index + enclosed[0].length))?.[1];
  const angled = to?.match(/<([^<>\s]+@[^<>\s]+)>/)?.[1];
  return addressField(angled ?? to?.split(',')[0]);
}
