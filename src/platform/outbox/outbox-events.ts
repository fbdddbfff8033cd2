import { z } from 'zod';
import { mailJobSchema } from '../mail/mail-jobs.ts';

/**
 * What the outbox can announce. Each event becomes exactly one BullMQ job (see outbox-relay.ts);
 * the payloads are ids, never rows or rendered mail, so a job always works on current data.
 */
export const outboxEventSchema = z.discriminatedUnion('topic', [
  z.object({ topic: z.literal('opportunity.published'), payload: z.object({ opportunityId: z.uuid() }) }),
  z.object({ topic: z.literal('mail.requested'), payload: mailJobSchema }),
  z.object({ topic: z.literal('partner.changed'), payload: z.object({ partnerId: z.uuid() }) }),
]);

export type OutboxEvent = z.infer<typeof outboxEventSchema>;
