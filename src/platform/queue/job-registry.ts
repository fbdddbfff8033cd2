import { z } from 'zod';
import { DIGEST_BATCH_MAX } from '../../digests/digest-limits.ts';
import { mailJobSchema } from '../mail/mail-jobs.ts';

const digestBatch = z.array(z.uuid()).min(1).max(DIGEST_BATCH_MAX);

/**
 * The one list of queues, job names and payload schemas. Enqueueing and consuming both go
 * through it, so a payload is validated on the way in and on the way out, and a job without a
 * handler is a type error (and a start-up error).
 */
export const JOBS = {
  'match-opportunity': { queue: 'match', schema: z.object({ opportunityId: z.uuid() }) },
  'match-partner': { queue: 'match', schema: z.object({ partnerId: z.uuid() }) },
  'send-mail': { queue: 'mail', schema: mailJobSchema },
  /** Added hourly by a BullMQ job scheduler (see digest-scheduler.ts). */
  'digest-tick': { queue: 'digest', schema: z.object({}).passthrough() },
  /** Ledger rows are built and sent in batches: one statement builds a batch (see digest-limits.ts). */
  'digest-build': { queue: 'digest', schema: z.object({ digestIds: digestBatch }) },
  'digest-send': { queue: 'digest-send', schema: z.object({ digestIds: digestBatch }) },
  /** A stored inbound message (email intake) to classify, authenticate and understand. */
  'inbound-process': { queue: 'inbound', schema: z.object({ inboundId: z.uuid() }) },
} as const;

export type JobName = keyof typeof JOBS;
export type JobData<N extends JobName> = z.infer<(typeof JOBS)[N]['schema']>;
export type QueueName = (typeof JOBS)[JobName]['queue'];

export const QUEUE_NAMES = [...new Set(Object.values(JOBS).map((j) => j.queue))] as QueueName[];

/** Retries with exponential backoff; finished jobs are dropped so a job id can be reused. */
export const DEFAULT_JOB_OPTIONS = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 2_000 },
  removeOnComplete: true,
  removeOnFail: { age: 7 * 24 * 3600 },
} as const;
