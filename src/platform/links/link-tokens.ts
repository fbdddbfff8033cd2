import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signed, purpose-scoped tokens for every link we email. A mail scanner may fetch the link, so a
 * token only ever opens a page; the page's POST acts. A token names one purpose and one subject
 * (a partner id, an opportunity id…) and expires.
 *
 * Format: `<keyId>.<payload>.<signature>`, all base64url without padding. The key id lets us
 * rotate APP_SECRET: tokens signed with a previous secret keep verifying while it is listed.
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
      const claims = { p: purpose, s: subject, e: Math.floor(now.getTime() / 1000) + ttlSeconds };
      const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
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
      const expected = mac(key, `${keyId}.${payload}`);
      const given = Buffer.from(signature, 'base64url');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        return { ok: false, reason: 'bad-signature' };
      }
      let claims: { p?: unknown; s?: unknown; e?: unknown };
      try {
        claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as typeof claims;
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
