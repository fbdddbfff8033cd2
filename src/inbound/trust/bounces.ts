/**
 * Reading delivery-status notifications (RFC 3464) and complaint reports (ARF, RFC 5965) out of
 * a raw message. mailparser folds a message/delivery-status part into the text, so we read the
 * report part ourselves: find its header in the raw bytes and take its body up to the next MIME
 * boundary. Reports are 7-bit text by definition; an encoded one is simply not understood (the
 * message is still rejected as a bounce, only nothing is suppressed).
 */

import { RETURN_PATH_HEADER } from '../../platform/mail/return-path.ts';

/** How far into a message we look for the report part; reports come first, the original last. */
const SCAN_LIMIT = 256 * 1024;

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

/** A recipient the report says failed for good, by every name the report gives it. */
export interface FailedRecipient {
  /** Final-Recipient first, then Original-Recipient (they differ when mail was forwarded). */
  addresses: string[];
  status: string;
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
    const addresses = [addressField(fields.get('final-recipient')), addressField(fields.get('original-recipient'))].filter((a): a is string => a !== null);
    const action = fields.get('action')?.toLowerCase();
    const status = fields.get('status')?.match(/^\d\.\d{1,3}\.\d{1,3}/)?.[0];
    if (addresses.length && action === 'failed' && status?.startsWith('5.')) failures.push({ addresses: [...new Set(addresses)], status });
  }
  return failures;
}

/** What a complaint report (ARF) says about the message complained of. */
export interface ComplaintEvidence {
  /** Whom it was about: the report's Original-Rcpt-To, then the enclosed message's To addresses. */
  recipients: string[];
  /** Return paths named in the enclosed message's headers (Return-Path, our signed header). */
  returnPaths: string[];
}

/** The header block of the message an ARF report encloses (message/rfc822 or text/rfc822-headers). */
function enclosedHeaders(raw: Buffer): Map<string, string[]> {
  const text = raw.subarray(0, SCAN_LIMIT).toString('latin1').replace(/\r\n/g, '\n');
  const headers = new Map<string, string[]>();
  const part = /^content-type:[ \t]*(message\/rfc822|text\/rfc822-headers)\b/im.exec(text);
  if (!part) return headers;
  // Skip the part's own headers (up to the first empty line), then read the enclosed ones.
  const partBody = text.indexOf('\n\n', part.index);
  if (partBody < 0) return headers;
  const blockEnd = text.indexOf('\n\n', partBody + 2);
  const block = text.slice(partBody + 2, blockEnd < 0 ? undefined : blockEnd);
  for (const line of block.replace(/\n[ \t]+/g, ' ').split('\n')) {
    const m = /^([A-Za-z0-9-]+)[ \t]*:[ \t]*(.*)$/.exec(line);
    if (!m) continue;
    const name = m[1]!.toLowerCase();
    headers.set(name, [...(headers.get(name) ?? []), m[2]!.trim()]);
  }
  return headers;
}

/** Addresses in a header value: the <angled> ones, else the bare comma-separated ones. */
function addressesIn(value: string): string[] {
  const angled = [...value.matchAll(/<([^<>\s]+@[^<>\s]+)>/g)].map((m) => m[1]!);
  const candidates = angled.length ? angled : value.split(',');
  return candidates.map((a) => addressField(a)).filter((a): a is string => a !== null);
}

/**
 * What a complaint report names: the recipient (one of ours, who marked our mail as spam) and
 * the return paths of the enclosed original, which prove (or not) that the original was ours.
 */
export function complaintEvidence(raw: Buffer): ComplaintEvidence {
  const body = reportPart(raw, 'message/feedback-report');
  const fields = body ? reportFieldGroups(body)[0] : undefined;
  const enclosed = enclosedHeaders(raw);
  const recipients = [
    addressField(fields?.get('original-rcpt-to')),
    ...(enclosed.get('to') ?? []).flatMap(addressesIn),
  ].filter((a): a is string => a !== null);
  // Return paths are read by their own shape: ours may be on a dotless development domain.
  const returnPaths = [...(enclosed.get('return-path') ?? []), ...(enclosed.get(RETURN_PATH_HEADER.toLowerCase()) ?? [])].flatMap(
    (value) => value.match(/bounce\+[^\s<>@]+@[^\s<>]+/gi) ?? [],
  );
  return { recipients: [...new Set(recipients)], returnPaths: [...new Set(returnPaths)] };
}
