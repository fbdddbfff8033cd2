/** Why a partner marked an opportunity "not relevant": the /n/… page's choices, stored as given. */
export const NOT_RELEVANT_REASONS = ['skills', 'region', 'budget', 'mute-submitter'] as const;
export type NotRelevantReason = (typeof NOT_RELEVANT_REASONS)[number];
