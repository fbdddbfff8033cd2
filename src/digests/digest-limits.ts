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
