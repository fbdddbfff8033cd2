import type { Database } from '../platform/db/database.ts';
import { suppress, unsubscribeEmail, type SuppressionReason } from './suppression.repository.ts';

export type SuppressionService = ReturnType<typeof createSuppressionService>;

/** Whom we must not mail any more, and why. */
export function createSuppressionService(deps: { db: Database }) {
  const { db } = deps;
  return {
    /** A hard bounce or a complaint: the address gets no mail from us again. Idempotent. */
    suppress: (email: string, reason: SuppressionReason) => suppress(db, email, reason),
    /** The address unsubscribed (also unsubscribing the partner who uses it). Idempotent. */
    unsubscribe: (email: string) => unsubscribeEmail(db, email),
  };
}
