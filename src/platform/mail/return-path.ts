import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signed return paths (VERP): every mail we send has its own envelope sender,
 * `bounce+<day>.<mac>@<intake domain>`, where `day` is the day it was sent (base 36, days since
 * 1970) and `mac` an HMAC of the day and the one recipient the message went to.
 *
 * A delivery report or complaint only changes whom we mail when it proves it answers a message we
 * sent: it must name (by its envelope recipient, or a header of the message it encloses) a return
 * path we signed, and the address it reports must be the one that return path was signed for.
 * Anyone can write a delivery report naming any address; no one else can sign one.
 *
 * The recipient is in the MAC, not in the address: an address's local part has 64 characters at
 * most (RFC 5321) and a mailbox may have 254. So a report that hides the recipient (some feedback
 * loops redact it) proves nothing, and is stored for the operator rather than obeyed.
 */

/** The header that carries the return path inside the message too, for complaint reports (ARF). */
export const RETURN_PATH_HEADER = 'X-P2P-Return-Path';

/** Bounces come back within days (MTAs retry for up to five); a report for older mail is not acted on. */
export const RETURN_PATH_MAX_AGE_DAYS = 30;

const LOCAL_PART = /^bounce\+([0-9a-z]{1,6})\.([0-9a-f]{20})$/;
const DAY_MS = 86_400_000;

export type ReturnPathCheck = { valid: true } | { valid: false; why: string };

export interface ReturnPaths {
  /** The envelope sender for one message to `recipient`, signed with the current secret. */
  returnPathFor(recipient: string, sentAt?: Date): string;
  /** Whether `address` has the shape of one of our return paths (signed or not). */
  looksLikeReturnPath(address: string): boolean;
  /** Whether `returnPath` was signed by us for `recipient` within the last RETURN_PATH_MAX_AGE_DAYS. */
  verify(returnPath: string, recipient: string, now?: Date): ReturnPathCheck;
}

function keyOf(secret: string): Buffer {
  return createHmac('sha256', secret).update('p2p-digest return path v1').digest();
}

function macOf(key: Buffer, day: string, recipient: string): string {
  return createHmac('sha256', key).update(`${day}:${recipient.trim().toLowerCase()}`).digest('hex').slice(0, 20);
}

function localPartOf(address: string): string {
  const at = address.lastIndexOf('@');
  return (at < 0 ? address : address.slice(0, at)).trim().toLowerCase().replace(/^<|>$/g, '');
}

/**
 * `secrets[0]` signs; every listed secret verifies, so a rotated APP_SECRET keeps honouring the
 * bounces of mail sent before the rotation.
 */
export function createReturnPaths(secrets: readonly string[], domain: string): ReturnPaths {
  if (secrets.length === 0) throw new Error('return paths need at least one secret');
  const keys = secrets.map(keyOf);
  const dayOf = (date: Date) => Math.floor(date.getTime() / DAY_MS);

  return {
    returnPathFor(recipient, sentAt = new Date()) {
      const day = dayOf(sentAt).toString(36);
      return `bounce+${day}.${macOf(keys[0]!, day, recipient)}@${domain}`;
    },

    looksLikeReturnPath(address) {
      return LOCAL_PART.test(localPartOf(address));
    },

    verify(returnPath, recipient, now = new Date()) {
      const [, day, mac] = LOCAL_PART.exec(localPartOf(returnPath)) ?? [];
      if (!day || !mac) return { valid: false, why: 'not one of our return paths' };
      const age = dayOf(now) - parseInt(day, 36);
      // A day ahead is clock skew between two of our machines; more is no date we wrote.
      if (age < -1 || age > RETURN_PATH_MAX_AGE_DAYS) return { valid: false, why: `return path dated ${age} days ago` };
      const given = Buffer.from(mac, 'hex');
      const signed = keys.some((key) => timingSafeEqual(Buffer.from(macOf(key, day, recipient), 'hex'), given));
      return signed ? { valid: true } : { valid: false, why: `return path not signed for ${recipient.trim().toLowerCase()}` };
    },
  };
}
