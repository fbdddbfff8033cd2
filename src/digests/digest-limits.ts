/**
 * The most cards one digest carries, whatever a partner's preference says: about 6 KB of HTML a
 * card, and Gmail clips messages past 102 KB, hiding the footer with the unsubscribe link.
 * What does not fit waits for the next digest (digest_items keeps it unsent, not lost).
 */
export const MAX_CARDS_PER_DIGEST = 12;

/**
 * Ledger rows per build or send job. One statement builds a whole batch and one claims it, so a
 * digest costs a fraction of a round trip instead of ten; small enough that a batch is sent in
 * well under the lease, and that a crashed worker leaves few rows waiting for the reconciler.
 */
export const DIGEST_BATCH_SIZE = 50;
/** The most a job payload may carry (a job from elsewhere is validated against it). */
export const DIGEST_BATCH_MAX = 500;

/** Rows `digest run` builds and sends at once in its own process. */
export const DIGEST_RUN_CONCURRENCY = 8;

/**
 * How many rows one send claims at a time. A claimed row's lease runs while it waits its turn,
 * and only rows being handed to SMTP have their leases renewed: so a claim takes no more than
 * can be sent within half a lease at the SMTP rate, shared by the sends a process runs at once
 * (at least one row, at most a batch). Without a rate limit, a whole batch.
 */
export function claimSize(settings: { ratePerSecond: number; leaseSeconds: number; concurrentSends: number }): number {
  if (!settings.ratePerSecond) return DIGEST_BATCH_SIZE;
  const fits = Math.floor((settings.ratePerSecond * settings.leaseSeconds) / 2 / Math.max(1, settings.concurrentSends));
  return Math.max(1, Math.min(DIGEST_BATCH_SIZE, fits));
}

/**
 * The most partners one digest round carries an opportunity to (MAX_REACH_PER_ROUND), best
 * first: a submitter is not buried under replies, and the top partners do not take every
 * opportunity. The rest may get it in a later round, while it is open and nobody was introduced.
 */
export const DEFAULT_MAX_REACH_PER_ROUND = 25;
