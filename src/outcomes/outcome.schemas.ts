import { z } from 'zod';
import type { OutcomeAmount, OutcomeAnswer, OutcomeSide } from '../platform/db/database.types.ts';
import { enumValues } from '../platform/db/enum-values.ts';
import { multiLineText } from '../platform/http/input-schemas.ts';

/** The three answers to "Did you and <other company> work together?", as the emails and the page say them. */
export const OUTCOME_ANSWERS = enumValues<OutcomeAnswer>()(['yes', 'talking', 'no']);
export const ANSWER_LABELS: Record<OutcomeAnswer, string> = {
  yes: 'Yes, a project is under way',
  talking: 'Still talking',
  no: 'No',
};

/** How big the work is, roughly; optional, and "rather not say" is an answer too. */
export const OUTCOME_AMOUNTS = enumValues<OutcomeAmount>()(['under_10k', '10k_50k', '50k_200k', 'over_200k', 'undisclosed']);
export const AMOUNT_LABELS: Record<OutcomeAmount, string> = {
  under_10k: 'Less than €10k',
  '10k_50k': '€10k–50k',
  '50k_200k': '€50k–200k',
  over_200k: 'More than €200k',
  undisclosed: 'Rather not say',
};

export const OUTCOME_SIDES = enumValues<OutcomeSide>()(['submitter', 'partner']);

/** The longest note (characters), as the column's CHECK allows. */
export const OUTCOME_NOTE_MAX = 2000;

/** The answer a link preselects (`?answer=yes`); anything else preselects nothing. */
export const preselectQuery = z.object({ answer: z.enum(OUTCOME_ANSWERS).optional().catch(undefined) }).catch({ answer: undefined });

/** What the answer page's form posts; anything else is a 400 page and nothing is written. */
export const answerForm = z.object({
  answer: z.enum(OUTCOME_ANSWERS, { error: 'Choose one of the three answers' }),
  amount: z.enum(OUTCOME_AMOUNTS, { error: 'Choose an amount from the list' }).optional(),
  note: multiLineText()
    .transform((v) => v.replace(/\r\n?/g, '\n').trim())
    .pipe(z.string().max(OUTCOME_NOTE_MAX, `Your note is too long: at most ${OUTCOME_NOTE_MAX} characters fit`))
    .optional(),
});
export type AnswerForm = z.infer<typeof answerForm>;
