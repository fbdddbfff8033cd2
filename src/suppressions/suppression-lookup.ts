import type { Database } from '../platform/db/database.ts';
import { suppressionOf, type SuppressionReason } from './suppression.repository.ts';

/** The do-not-email list as the mail service asks it: why an address is suppressed, if it is. */
export function createSuppressionLookup(deps: { db: Database }) {
  return {
    reasonFor: (email: string): Promise<SuppressionReason | undefined> => suppressionOf(deps.db, email),
  };
}

export type SuppressionLookup = ReturnType<typeof createSuppressionLookup>;
