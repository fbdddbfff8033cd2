import { z } from 'zod';
import type { Links } from '../platform/links/links.ts';
import type { MailDraft, MailKinds } from '../platform/mail/mail-kinds.ts';
import { formatDay } from '../platform/text/dates.ts';
import { ANSWER_LABELS, OUTCOME_ANSWERS } from './outcome.schemas.ts';
import type { OutcomeService, Question } from './outcome.service.ts';

/** The outcome loop's mail: one question to each side of an introduction, and one reminder at most. */
export const outcomeMailJob = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('outcome-question'), requestId: z.uuid() }),
  z.object({ kind: z.literal('outcome-reminder'), requestId: z.uuid() }),
]);

export type OutcomeMailJob = z.infer<typeof outcomeMailJob>;

export interface OutcomeMailsDeps {
  outcomes: Pick<OutcomeService, 'question'>;
  links: Pick<Links, 'outcome'>;
}

/** "Did you and <other company> work together?", with a button per answer (each opens the page, preselected). */
function draft(q: Question, reminder: boolean, links: Pick<Links, 'outcome'>): MailDraft {
  const n = q.introduction;
  const question = `Did you and ${q.other.company} work together?`;
  return {
    to: q.me.email,
    view: {
      subject: reminder ? `Reminder: ${question.charAt(0).toLowerCase()}${question.slice(1)}` : question,
      preheader: `One click: yes, still talking, or no. About "${n.title}".`,
      heading: question,
      paragraphs: [
        `Hello ${q.me.name}, on ${formatDay(n.createdAt)} we introduced you to ${q.other.name} of ${q.other.company} about "${n.title}". Did anything come of it?`,
        'Choose an answer below: it opens a page where you can add a rough amount and a note if you like, and nothing is recorded until you press its button. You can change your answer later from the same link.',
        reminder
          ? 'This is our only reminder. If you would rather not answer, there is nothing to do.'
          : 'Your answer helps us bring you and others better matches.',
      ],
      details: [],
      action: null,
      choices: OUTCOME_ANSWERS.map((answer) => ({ label: ANSWER_LABELS[answer], url: links.outcome(q.request.id, answer) })),
      footerReason: `You receive this because we introduced you to ${q.other.company} through p2p-digest.`,
    },
  };
}

export function createOutcomeMails({ outcomes, links }: OutcomeMailsDeps): MailKinds<OutcomeMailJob> {
  const drafted = async (requestId: string, reminder: boolean): Promise<MailDraft | undefined> => {
    const q = await outcomes.question(requestId);
    // Gone with its introduction, answered meanwhile, or the partner left: nothing to ask.
    if (!q || q.request.answer !== null || !q.reachable) return undefined;
    return draft(q, reminder, links);
  };
  return {
    'outcome-question': { draft: (job) => drafted(job.requestId, false) },
    'outcome-reminder': { draft: (job) => drafted(job.requestId, true) },
  };
}
