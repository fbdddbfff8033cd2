import { z } from 'zod';

/** Every email the service sends, by kind, with the ids its job needs to render it. */
export const mailJobSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('partner-confirm'), partnerId: z.uuid() }),
  z.object({ kind: z.literal('opportunity-confirm'), opportunityId: z.uuid() }),
  z.object({ kind: z.literal('opportunity-receipt'), opportunityId: z.uuid() }),
]);

export type MailJob = z.infer<typeof mailJobSchema>;
