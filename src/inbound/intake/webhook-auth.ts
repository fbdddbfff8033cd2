import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** Mailgun signs each request at most this long before we see it (either way, for clock skew). */
export const MAILGUN_MAX_AGE_SECONDS = 5 * 60;

export interface MailgunSignature {
  timestamp: string;
  token: string;
  signature: string;
}

/**
 * Mailgun's webhook signature: hex HMAC-SHA256 of timestamp + token under the signing key,
 * compared in constant time, with the timestamp within five minutes of now. The token's
 * one-time use is checked separately, when the message is stored.
 */
export function checkMailgunSignature(signingKey: string, given: MailgunSignature, nowMs = Date.now()): 'ok' | 'bad-signature' | 'stale' {
  if (!/^\d{1,12}$/.test(given.timestamp) || !/^[0-9a-f]{64}$/i.test(given.signature) || given.token.length === 0 || given.token.length > 200) {
    return 'bad-signature';
  }
  const expected = createHmac('sha256', signingKey).update(given.timestamp + given.token).digest();
  if (!timingSafeEqual(expected, Buffer.from(given.signature, 'hex'))) return 'bad-signature';
  const ageSeconds = Math.abs(nowMs / 1000 - Number(given.timestamp));
  return ageSeconds <= MAILGUN_MAX_AGE_SECONDS ? 'ok' : 'stale';
}

/** Constant-time equality of a given secret and ours, whatever their lengths (both are hashed first). */
export function sharedSecretMatches(given: string, secret: string): boolean {
  const digest = (v: string) => createHash('sha256').update(v).digest();
  return timingSafeEqual(digest(given), digest(secret));
}
