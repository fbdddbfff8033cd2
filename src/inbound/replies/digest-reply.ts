import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Replies to a digest: the digest's Reply-To is `reply+<digest id><mac>@<intake domain>`, and a
 * reply saying "interested" with exactly one card number ("#3") records interest in that card.
 *
 * The token is not a link token: a link token is ~130 characters and an address's local part
 * may have 64 at most (RFC 5321), and intake lower-cases recipients. So it is lower-case hex: the
 * digest id (32) and 16 hex digits of an HMAC of it (64 bits; a guess costs one email each). It
 * never expires: the digest row says when it was sent, and interest re-checks the opportunity.
 */
const TOKEN = /^reply\+([0-9a-f]{32})([0-9a-f]{16})@/;

function macOf(secret: string, digestHex: string): string {
  const key = createHmac('sha256', secret).update('p2p-digest reply address v1').digest();
  return createHmac('sha256', key).update(digestHex).digest('hex').slice(0, 16);
}

/** The Reply-To local part and domain for a digest; `secrets[0]` signs. */
export function replyAddressFor(secrets: readonly string[], digestId: string, domain: string): string {
  const hex = digestId.replace(/-/g, '').toLowerCase();
  return `reply+${hex}${macOf(secrets[0]!, hex)}@${domain}`;
}

/** The digest id a reply address names, when its MAC checks out with any listed secret; else null. */
export function digestIdOfReplyAddress(secrets: readonly string[], address: string): string | null {
  const [, hex, mac] = TOKEN.exec(address.trim().toLowerCase()) ?? [];
  if (!hex || !mac) return null;
  const given = Buffer.from(mac, 'hex');
  const valid = secrets.some((s) => timingSafeEqual(Buffer.from(macOf(s, hex), 'hex'), given));
  if (!valid) return null;
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The reply's own words: quoted lines and everything from the "On … wrote:" line or an Outlook
 * "-----Original Message-----" / "From:" block down are the digest we sent, not the partner.
 */
export function ownWords(text: string): string {
  const lines: string[] = [];
  for (const line of text.slice(0, REPLY_READ_MAX).replace(/\r\n/g, '\n').split('\n')) {
    if (startsQuotedMessage(line)) break;
    if (/^\s*>/.test(line)) continue;
    lines.push(line);
  }
  return lines.join('\n').slice(0, 5000);
}

/** A reply is read this far: its own words come first, and are kept to 5,000 characters. */
const REPLY_READ_MAX = 64 * 1024;

/**
 * "On … wrote:", "Am … schrieb …:", "-----Original Message-----" or "From: ". Tested piece by piece:
 * as one pattern, `am\b.*\bschrieb.*:` backtracked over every "schrieb" of a long line, once each.
 */
function startsQuotedMessage(line: string): boolean {
  if (/^\s*(?:-{2,}\s*original message\s*-{2,}|from:\s)/i.test(line)) return true;
  const opening = /^\s*(on|am)\b/i.exec(line);
  if (!opening) return false;
  const rest = line.slice(opening[0].length);
  if (opening[1]!.toLowerCase() === 'on') return /\bwrote:/i.test(rest);
  const schrieb = /\bschrieb/i.exec(rest);
  return schrieb !== null && rest.includes(':', schrieb.index + schrieb[0].length);
}

export type DigestReplyIntent = { kind: 'interest'; card: number } | { kind: 'unclear'; why: string };

/**
 * Kept simple on purpose: "interested" (not "not interested") and exactly one card number
 * "#N" (1 = the first card from the top). Anything else is unclear, and the buttons are the way.
 */
export function readDigestReply(text: string): DigestReplyIntent {
  const words = ownWords(text);
  if (!/\binterested\b/i.test(words)) return { kind: 'unclear', why: 'no "interested"' };
  if (/\b(not|no longer|nicht)\s+interested\b/i.test(words)) return { kind: 'unclear', why: '"not interested"' };
  const cards = new Set([...words.matchAll(/#\s?(\d{1,2})\b/g)].map((m) => Number(m[1])));
  if (cards.size !== 1) return { kind: 'unclear', why: cards.size ? 'more than one card number' : 'no card number' };
  const card = [...cards][0]!;
  return card >= 1 ? { kind: 'interest', card } : { kind: 'unclear', why: 'no card #0' };
}
