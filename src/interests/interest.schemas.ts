import type { NotRelevantReason } from '../platform/db/database.types.ts';
import { enumValues } from '../platform/db/enum-values.ts';

/** Why a partner marked an opportunity "not relevant": the /n/… page's choices, stored as given. */
export const NOT_RELEVANT_REASONS = enumValues<NotRelevantReason>()(['skills', 'region', 'budget', 'mute-submitter']);
export type { NotRelevantReason };
