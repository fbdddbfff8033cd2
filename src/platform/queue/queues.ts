import { Queue, Worker, UnrecoverableError, type ConnectionOptions, type Job } from 'bullmq';
import type { Logger } from 'pino';
import { DEFAULT_JOB_OPTIONS, JOBS, QUEUE_NAMES, type JobData, type JobName, type QueueName } from './job-registry.ts';

export interface QueueSettings {
  connection: ConnectionOptions;
  /** BullMQ key prefix: several instances (or test runs) can share one Redis. */
  prefix: string;
}

export interface Queues {
  /** Validates and adds a job. A job id that is still in Redis is not added twice. */
  enqueue<N extends JobName>(name: N, data: JobData<N>, jobId: string, options?: { delayMs?: number }): Promise<void>;
  /** The same for many jobs of one name, in bulk (one Redis round trip per thousand). */
  enqueueMany<N extends JobName>(name: N, jobs: Array<{ data: JobData<N>; jobId: string }>): Promise<void>;
  queue(name: QueueName): Queue;
  close(): Promise<void>;
}

export function createQueues(settings: QueueSettings): Queues {
  const queues = new Map<QueueName, Queue>(
    QUEUE_NAMES.map((name) => [
      name,
      new Queue(name, { connection: settings.connection, prefix: settings.prefix, defaultJobOptions: DEFAULT_JOB_OPTIONS }),
    ]),
  );
  const queue = (name: QueueName) => queues.get(name)!;
  return {
    async enqueue(name, data, jobId, options) {
      const payload = JOBS[name].schema.parse(data);
      await queue(JOBS[name].queue).add(name, payload, { jobId, ...(options?.delayMs ? { delay: options.delayMs } : {}) });
    },
    async enqueueMany(name, jobs) {
      const q = queue(JOBS[name].queue);
      for (let i = 0; i < jobs.length; i += 1000) {
        await q.addBulk(
          jobs.slice(i, i + 1000).map(({ data, jobId }) => ({ name, data: JOBS[name].schema.parse(data), opts: { jobId } })),
        );
      }
    },
    queue,
    async close() {
      await Promise.all([...queues.values()].map((q) => q.close()));
    },
  };
}

export type JobHandlers = { [N in JobName]: (data: JobData<N>, job: Job) => Promise<void> };

export interface WorkerSettings extends QueueSettings {
  concurrency: Partial<Record<QueueName, number>>;
}

/**
 * One BullMQ worker per queue, dispatching by job name. A payload that fails its schema can never
 * succeed, so it fails at once (UnrecoverableError) instead of being retried; any other error
 * reaches BullMQ so `attempts` and `backoff` apply.
 */
export function startWorkers(settings: WorkerSettings, handlers: JobHandlers, log: Logger): Worker[] {
  for (const name of Object.keys(JOBS) as JobName[]) {
    if (typeof handlers[name] !== 'function') throw new Error(`job '${name}' has no handler`);
  }
  return QUEUE_NAMES.map((queueName) => {
    const worker = new Worker(
      queueName,
      async (job: Job) => {
        const name = job.name as JobName;
        const definition = JOBS[name];
        if (!definition || definition.queue !== queueName) {
          throw new UnrecoverableError(`unknown job '${job.name}' on queue '${queueName}'`);
        }
        const parsed = definition.schema.safeParse(job.data);
        if (!parsed.success) throw new UnrecoverableError(`invalid payload for '${name}': ${parsed.error.message}`);
        await (handlers[name] as (data: unknown, job: Job) => Promise<void>)(parsed.data, job);
      },
      {
        connection: settings.connection,
        prefix: settings.prefix,
        concurrency: settings.concurrency[queueName] ?? 4,
      },
    );
    worker.on('failed', (job, error) => {
      log.warn({ queue: queueName, jobId: job?.id, job: job?.name, attempts: job?.attemptsMade, err: error }, 'job failed');
    });
    worker.on('error', (error) => log.error({ queue: queueName, err: error }, 'worker error'));
    return worker;
  });
}
