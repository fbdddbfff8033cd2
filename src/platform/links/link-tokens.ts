import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signed, purpose-scoped tokens for every link we email. A mail scanner may fetch the link, so a
 * token only ever opens a page; the page's POST acts. A token names one purpose and one subject
 * (a partner id, an opportunity id…) and expires.
 *
 * Format: `<keyId>.<payload>.<signature>`, all base64url without padding. The key id lets us
 * rotate APP_SECRET: tokens signed with a previous secret keep verifying while it is listed.
 *
 * The payload is packed (since 2026-12): one byte for the purpose (its place in PURPOSE_CODES,
 * high bit set), four for the expiry (seconds, big-endian), then the subject: one or two uuids as
 * 16 bytes each, or else its UTF-8; the signature is HMAC-SHA256 cut to 16 bytes (128 bits). A
 * digest button's URL is about 110 characters instead of 225, and a digest carries twenty of them
 * in each of its two parts. Tokens of the first format (a JSON payload `{"p","s","e"}` and the
 * whole 32-byte HMAC) still verify: links already sent keep working.
 */
export type LinkPurpose =
  | 'confirm-partner'
  | 'confirm-opportunity'
  | 'opportunity-status'
  /** The correction page of an opportunity that came in by email (subject: opportunity id). */
  | 'email-draft'
  | 'unsubscribe'
  | 'preferences'
  | 'interest'
  | 'not-relevant'
  /** "Did you work together?" after an introduction (subject: the outcome request id, one per side). */
  | 'outcome'
  /** An operator's one-time sign-in to the console (subject: the sign-in request id). */
  | 'admin-sign-in';

export interface LinkClaims {
  purpose: LinkPurpose;
  subject: string;
  /** Expiry, seconds since the epoch. */
  expiresAt: number;
}

export type VerifyResult =
  | { ok: true; claims: LinkClaims }
  | { ok: false; reason: 'malformed' | 'bad-signature' | 'expired' | 'wrong-purpose' };

export interface LinkSigner {
  sign(purpose: LinkPurpose, subject: string, ttlSeconds: number, now?: Date): string;
  verify(token: string, purpose: LinkPurpose, now?: Date): VerifyResult;
}

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const ADDRESS_PART = '[^\\s@\\u0000-\\u001f\\u007f]+';

/**
 * What each purpose's subject looks like. A token is only as good as the secret that signed it:
 * should a subject of another shape ever be signed (a bug, a leaked secret), it is refused here
 * like a tampered token instead of reaching SQL as a uuid that is not one.
 */
const SUBJECT_SHAPES: Record<LinkPurpose, RegExp> = {
  'confirm-partner': new RegExp(`^${UUID}$`, 'i'),
  'confirm-opportunity': new RegExp(`^${UUID}$`, 'i'),
  'opportunity-status': new RegExp(`^${UUID}$`, 'i'),
  'email-draft': new RegExp(`^${UUID}$`, 'i'),
  preferences: new RegExp(`^${UUID}$`, 'i'),
  /** "<partnerId>:<opportunityId>" */
  interest: new RegExp(`^${UUID}:${UUID}$`, 'i'),
  'not-relevant': new RegExp(`^${UUID}:${UUID}$`, 'i'),
  outcome: new RegExp(`^${UUID}$`, 'i'),
  'admin-sign-in': new RegExp(`^${UUID}$`, 'i'),
  /** The lower-cased address. */
  unsubscribe: new RegExp(`^(?=.{3,254}$)${ADDRESS_PART}@${ADDRESS_PART}$`),
};

/** Whether a subject has the shape its purpose signs (a uuid, two uuids, an address). */
export const subjectFits = (purpose: LinkPurpose, subject: string): boolean => SUBJECT_SHAPES[purpose].test(subject);

/**
 * The packed payload's purpose codes: a purpose's place in this list, for ever. A new purpose is
 * added at the end; none is ever removed or moved (links already sent name them by place).
 */
const PURPOSE_CODES: readonly LinkPurpose[] = [
  'confirm-partner',
  'confirm-opportunity',
  'opportunity-status',
  'email-draft',
  'unsubscribe',
  'preferences',
  'interest',
  'not-relevant',
  'admin-sign-in',
  // Appended only: a code is a purpose's place here, in every token already sent.
  'outcome',
];

/** Every purpose, as SUBJECT_SHAPES (a Record over the type) lists them. */
export const LINK_PURPOSES = Object.keys(SUBJECT_SHAPES) as LinkPurpose[];
/** A purpose left out of PURPOSE_CODES would silently fall back to the long JSON tokens. */
const UNPACKED = LINK_PURPOSES.filter((p) => !PURPOSE_CODES.includes(p));
if (UNPACKED.length > 0) throw new Error(`link purposes without a packed code: ${UNPACKED.join(', ')} (append them to PURPOSE_CODES)`);
/** Set in a packed payload's first byte; a JSON payload starts with "{" (0x7b). */
const PACKED_FLAG = 0x80;
/** In the first byte: the subject is one or two uuids, 16 bytes each (else UTF-8). */
const UUID_SUBJECT = 0x40;
const PACKED_MAC_BYTES = 16;
const LOWER_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})?$/;

/** The packed payload, or undefined when the claims do not fit it (then the JSON format is used). */
function packClaims(purpose: LinkPurpose, subject: string, expiresAt: number): Buffer | undefined {
  const code = PURPOSE_CODES.indexOf(purpose);
  if (code < 0 || code >= UUID_SUBJECT || !Number.isInteger(expiresAt) || expiresAt < 0 || expiresAt > 0xffffffff) return undefined;
  const uuids = LOWER_UUID.test(subject);
  const subjectBytes = uuids ? Buffer.from(subject.replace(/[-:]/g, ''), 'hex') : Buffer.from(subject, 'utf8');
  const head = Buffer.alloc(5);
  head[0] = PACKED_FLAG | (uuids ? UUID_SUBJECT : 0) | code;
  head.writeUInt32BE(expiresAt, 1);
  return Buffer.concat([head, subjectBytes]);
}

const uuidOf = (hex: string) => `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;

/** The claims of a packed payload (its signature already checked); throws on a payload of no known shape. */
function unpackClaims(bytes: Buffer): { p: string; s: string; e: number } {
  const code = bytes[0]! & ~(PACKED_FLAG | UUID_SUBJECT);
  const purpose = PURPOSE_CODES[code];
  if (!purpose || bytes.length < 5) throw new Error('unknown packed payload');
  const subject = bytes.subarray(5);
  let s: string;
  if (bytes[0]! & UUID_SUBJECT) {
    if (subject.length !== 16 && subject.length !== 32) throw new Error('bad uuid subject');
    const hex = subject.toString('hex');
    s = hex.length === 32 ? uuidOf(hex) : `${uuidOf(hex.slice(0, 32))}:${uuidOf(hex.slice(32))}`;
  } else {
    s = new TextDecoder('utf-8', { fatal: true }).decode(subject);
  }
  return { p: purpose, s, e: bytes.readUInt32BE(1) };
}

interface Key {
  id: string;
  secret: Buffer;
}

function keyFrom(secret: string): Key {
  // The id is a short hash of the secret: public, stable, and different for every secret.
  const id = createHash('sha256').update(`p2p-link-key:${secret}`).digest('base64url').slice(0, 6);
  const derived = createHmac('sha256', secret).update('p2p-digest link tokens v1').digest();
  return { id, secret: derived };
}

/** `secrets[0]` signs; every listed secret verifies. */
export function createLinkSigner(secrets: string[]): LinkSigner {
  if (secrets.length === 0) throw new Error('createLinkSigner needs at least one secret');
  const keys = secrets.map(keyFrom);
  const signingKey = keys[0]!;
  const mac = (key: Key, data: string) => createHmac('sha256', key.secret).update(data).digest();

  return {
    sign(purpose, subject, ttlSeconds, now = new Date()) {
      const expiresAt = Math.floor(now.getTime() / 1000) + ttlSeconds;
      const packed = packClaims(purpose, subject, expiresAt);
      if (packed) {
        const signed = `${signingKey.id}.${packed.toString('base64url')}`;
        return `${signed}.${mac(signingKey, signed).subarray(0, PACKED_MAC_BYTES).toString('base64url')}`;
      }
      const payload = Buffer.from(JSON.stringify({ p: purpose, s: subject, e: expiresAt })).toString('base64url');
      const signed = `${signingKey.id}.${payload}`;
      return `${signed}.${mac(signingKey, signed).toString('base64url')}`;
    },

    verify(token, purpose, now = new Date()) {
      const parts = typeof token === 'string' ? token.split('.') : [];
      if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]+$/.test(p))) {
        return { ok: false, reason: 'malformed' };
      }
      const [keyId, payload, signature] = parts as [string, string, string];
      const key = keys.find((k) => k.id === keyId);
      if (!key) return { ok: false, reason: 'bad-signature' };
      const bytes = Buffer.from(payload, 'base64url');
      const packed = bytes.length > 0 && (bytes[0]! & PACKED_FLAG) !== 0;
      const full = mac(key, `${keyId}.${payload}`);
      const expected = packed ? full.subarray(0, PACKED_MAC_BYTES) : full;
      const given = Buffer.from(signature, 'base64url');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        return { ok: false, reason: 'bad-signature' };
      }
      let claims: { p?: unknown; s?: unknown; e?: unknown };
      try {
        claims = packed ? unpackClaims(bytes) : (JSON.parse(bytes.toString('utf8')) as typeof claims);
      } catch {
        return { ok: false, reason: 'malformed' };
      }
      if (typeof claims.p !== 'string' || typeof claims.s !== 'string' || typeof claims.e !== 'number') {
        return { ok: false, reason: 'malformed' };
      }
      if (claims.p !== purpose) return { ok: false, reason: 'wrong-purpose' };
      if (claims.e * 1000 <= now.getTime()) return { ok: false, reason: 'expired' };
      if (!subjectFits(claims.p, claims.s)) return { ok: false, reason: 'malformed' };
      return { ok: true, claims: { purpose: claims.p, subject: claims.s, expiresAt: claims.e } };
    },
  };
}
