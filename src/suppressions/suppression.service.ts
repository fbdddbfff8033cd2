import type { Database, Executor } from '../platform/db/database.ts';
import { liftSuppression, liftUnsubscribe, listSuppressions, suppress, suppressionOf, type SuppressionEntry, type SuppressionReason } from './suppression.repository.ts';

export type { SuppressionEntry, SuppressionReason };

export type SuppressionService = ReturnType<typeof createSuppressionService>;

/**
 * The do-not-email list: addresses that unsubscribed, bounced hard or complained. Each function
 * takes the caller's transaction when the suppression must commit with the caller's change.
 */
export function createSuppressionService(deps: { db: Database }) {
  const { db } = deps;
  return {
    /** Why an address must not be emailed, or undefined. */
    suppressionOf: (email: string, executor: Executor = db) => suppressionOf(executor, email),
    /** Adds an address; an address already on the list keeps its first reason. */
    suppress: (email: string, reason: SuppressionReason, executor: Executor = db) => suppress(executor, email, reason),
    /** A confirmed new sign-up lifts an unsubscribe; bounces and complaints stay. */
    liftUnsubscribe: (email: string, executor: Executor = db) => liftUnsubscribe(executor, email),
    /** The operator takes an address off the list (whatever its reason): what it was, or undefined. */
    lift: (email: string, executor: Executor = db) => liftSuppression(executor, email),
    /** The list for the operator, newest first. */
    list: (options: { limit: number; search?: string }) => listSuppressions(db, options),
  };
}
