/**
 * The most cards one digest carries, whatever a partner's preference says: about 6 KB of HTML a
 * card, and Gmail clips messages past 102 KB, hiding the footer with the unsubscribe link.
 * What does not fit waits for the next digest (digest_items keeps it unsent, not lost).
 */
export const MAX_CARDS_PER_DIGEST = 12;
