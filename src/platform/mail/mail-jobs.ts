import { z } from 'zod';

/**
 * The most interests one summary email carries. The notifier never batches more; anything beyond
 * waits for the next email. It keeps the job payload small (ids only) and the email readable.
 */
export const INTEREST_SUMMARY_MAX = 100;

/** Every email the service sends, by kind, with the ids its job needs to render it. */
export const mailJobSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('partner-confirm'), partnerId: z.uuid() }),
  z.object({ kind: z.literal('opportunity-confirm'), opportunityId: z.uuid() }),
  z.object({ kind: z.literal('opportunity-receipt'), opportunityId: z.uuid() }),
  /** To the submitter: the partners who said "I'm interested" in one batching window. */
  z.object({
    kind: z.literal('interest-summary'),
    opportunityId: z.uuid(),
    interestIds: z.array(z.uuid()).min(1).max(INTEREST_SUMMARY_MAX),
  }),
  /** The submitter picked a partner: each side gets the other's contact details. */
  z.object({ kind: z.literal('introduction'), introductionId: z.uuid(), side: z.enum(['submitter', 'partner']) }),
  /** To an interested partner who was not introduced, once the opportunity has ended. */
  z.object({ kind: z.literal('not-picked'), opportunityId: z.uuid(), partnerId: z.uuid() }),
  /** To the sender of an email opportunity: "Here is what we understood", with a link to correct or see it. */
  z.object({ kind: z.literal('email-acknowledgement'), inboundId: z.uuid() }),
  /** To a partner whose reply to a digest we could not read: one short answer pointing at the buttons. */
  z.object({ kind: z.literal('digest-reply-help'), partnerId: z.uuid() }),
]);

export type MailJob = z.infer<typeof mailJobSchema>;
