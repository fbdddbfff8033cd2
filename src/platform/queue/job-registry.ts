import type { z } from 'zod';

/**
 * A job registry maps job names to their queue and payload schema. Each feature declares its own
 * jobs next to it (`<feature>.jobs.ts`); src/app/jobs.ts joins them into the one registry that
 * the queues and workers are built from, so enqueueing and consuming both validate a payload, and
 * a job without a handler is a type error (and a start-up error).
 */
export interface JobDefinition<Q extends string = string, S extends z.ZodType = z.ZodType> {
  queue: Q;
  schema: S;
  /** BullMQ attempts for this job; DEFAULT_JOB_OPTIONS.attempts when left out. */
  attempts?: number;
}

export type JobRegistry = Record<string, JobDefinition>;

export type JobName<R extends JobRegistry> = keyof R & string;
export type JobData<R extends JobRegistry, N extends JobName<R>> = z.output<R[N]['schema']>;
export type QueueName<R extends JobRegistry> = R[JobName<R>]['queue'];

/** Retries with exponential backoff; finished jobs are dropped so a job id can be reused. */
export const DEFAULT_JOB_OPTIONS = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 2_000 },
  removeOnComplete: true,
  removeOnFail: { age: 7 * 24 * 3600 },
} as const;

/** How often BullMQ runs a job before it stays failed: the handler's "last attempt" agrees with it. */
export function attemptsOf<R extends JobRegistry>(registry: R, name: JobName<R>): number {
  return registry[name]!.attempts ?? DEFAULT_JOB_OPTIONS.attempts;
}

/** The registry's queues, each once. */
export function queueNamesOf<R extends JobRegistry>(registry: R): Array<QueueName<R>> {
  return [...new Set(Object.values(registry).map((j) => j.queue))] as Array<QueueName<R>>;
}
