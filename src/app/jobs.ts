import { digestJobs } from '../digests/digest.jobs.ts';
import { inboundJobs } from '../inbound/inbound.jobs.ts';
import { authBudgetMs } from '../inbound/trust/sender-auth.ts';
import { matchJobs } from '../matching/match.jobs.ts';
import { MAIL_REQUESTED } from '../platform/mail/mail-kinds.ts';
import { outboxRoute, type OutboxRoutes } from '../platform/outbox/outbox-events.ts';
import {
  queueNamesOf,
  type JobData as RegistryJobData,
  type JobName as RegistryJobName,
  type JobRegistry,
  type QueueName as RegistryQueueName,
} from '../platform/queue/job-registry.ts';
import type { JobHandlers as RegistryJobHandlers, Queues } from '../platform/queue/queues.ts';
import { mailJobSchema } from './mails.ts';

/**
 * The one list of jobs: each feature's own, and the mail job whose payload is the union of every
 * feature's mail kinds. Queues and workers are built from it (createQueues, startWorkers).
 */
export const JOBS = {
  ...matchJobs,
  'send-mail': { queue: 'mail', schema: mailJobSchema },
  ...digestJobs,
  ...inboundJobs,
} as const satisfies JobRegistry;

export type Jobs = typeof JOBS;
export type JobName = RegistryJobName<Jobs>;
export type JobData<N extends JobName> = RegistryJobData<Jobs, N>;
export type QueueName = RegistryQueueName<Jobs>;
export type AppQueues = Queues<Jobs>;

export const QUEUE_NAMES = queueNamesOf(JOBS);
export type JobHandlers = RegistryJobHandlers<Jobs>;

/**
 * Jobs one worker process runs at once, per queue. Sending a digest mostly waits on SMTP, so its
 * queue runs more at once than the others.
 */
export const QUEUE_CONCURRENCY: Record<QueueName, number> = {
  match: 4,
  mail: 4,
  digest: 4,
  'digest-send': 8,
  inbound: 4,
};

/**
 * Job locks, per queue, where BullMQ's 30 s would not fit the slowest step. Processing one inbound
 * message may wait on DNS for the whole sender-check budget, then parse and understand up to
 * INBOUND_MAX_KB of text: the lock lasts twice that budget plus a minute, so a job never outlives
 * it and no second worker picks up a message still being processed.
 */
export function queueLockDurations(inboundDnsTimeoutMs: number): Partial<Record<QueueName, number>> {
  return { inbound: 2 * authBudgetMs(inboundDnsTimeoutMs) + 60_000 };
}

/**
 * A digest row is failed after this many claims that never got an answer from SMTP (the worker
 * died or lost the row), across all its jobs. Claims that ended in a transient SMTP failure do not
 * count (the ledger's `deferrals`): an outage costs time, up to the send window, not attempts.
 * It counts claims in the ledger, not BullMQ attempts of one job (DEFAULT_JOB_OPTIONS.attempts).
 */
export const DIGEST_SEND_CLAIMS = 10;

/**
 * Which job each outbox topic becomes, and its job id: the same event always makes the same id,
 * so a publish repeated after a crash is deduplicated while the job is still in Redis.
 */
export function outboxRoutes(queues: Pick<AppQueues, 'enqueue'>): OutboxRoutes {
  return {
    'opportunity.published': outboxRoute(JOBS['match-opportunity'].schema, (p) => queues.enqueue('match-opportunity', p, `match-${p.opportunityId}`)),
    'partner.changed': outboxRoute(JOBS['match-partner'].schema, (p, outboxId) => queues.enqueue('match-partner', p, `match-partner-${outboxId}`)),
    [MAIL_REQUESTED]: outboxRoute(mailJobSchema, (p, outboxId) => queues.enqueue('send-mail', p, `mail-${outboxId}`)),
  };
}
