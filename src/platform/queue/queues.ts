import { Queue, Worker, UnrecoverableError, type Job, type RedisOptions } from 'bullmq';
import type { Logger } from 'pino';
import { producerOptions } from './redis-connection.ts';
import { DEFAULT_JOB_OPTIONS, queueNamesOf, type JobData, type JobName, type JobRegistry, type QueueName } from './job-registry.ts';

export interface QueueSettings {
  connection: RedisOptions;
  /** BullMQ key prefix: several instances (or test runs) can share one Redis. */
  prefix: string;
}

export interface Queues<R extends JobRegistry> {
  /** Validates and adds a job. A job id that is still in Redis is not added twice. */
  enqueue<N extends JobName<R>>(name: N, data: JobData<R, N>, jobId: string, options?: { delayMs?: number }): Promise<void>;
  /** The same for many jobs of one name, in bulk (one Redis round trip per thousand). */
  enqueueMany<N extends JobName<R>>(name: N, jobs: Array<{ data: JobData<R, N>; jobId: string }>): Promise<void>;
  queue(name: QueueName<R>): Queue;
  close(): Promise<void>;
}

/**
 * One producer per queue. Adding fails at once while Redis is away (see producerOptions); a
 * connection error is logged, and the connection retries by itself.
 */
export function createQueues<R extends JobRegistry>(registry: R, settings: QueueSettings, log: Logger): Queues<R> {
  const queues = new Map<string, Queue>(
    queueNamesOf(registry).map((name) => {
      const queue = new Queue(name, { connection: producerOptions(settings.connection), prefix: settings.prefix, defaultJobOptions: DEFAULT_JOB_OPTIONS });
      queue.on('error', (err) => log.warn({ queue: name, err }, 'queue connection error'));
      return [name, queue];
    }),
  );
  const queue = (name: string) => queues.get(name)!;
  /** Only a job whose attempts differ from the default carries its own. */
  const optionsOf = (name: JobName<R>) => (registry[name]!.attempts ? { attempts: registry[name]!.attempts } : {});
  return {
    async enqueue(name, data, jobId, options) {
      const payload = registry[name]!.schema.parse(data);
      await queue(registry[name]!.queue).add(name, payload, { jobId, ...optionsOf(name), ...(options?.delayMs ? { delay: options.delayMs } : {}) });
    },
    async enqueueMany(name, jobs) {
      const { queue: queueName, schema } = registry[name]!;
      const q = queue(queueName);
      for (let i = 0; i < jobs.length; i += 1000) {
        await q.addBulk(jobs.slice(i, i + 1000).map(({ data, jobId }) => ({ name, data: schema.parse(data), opts: { jobId, ...optionsOf(name) } })));
      }
    },
    queue,
    async close() {
      await Promise.all([...queues.values()].map((q) => q.close()));
    },
  };
}

export type JobHandlers<R extends JobRegistry> = { [N in JobName<R>]: (data: JobData<R, N>, job: Job) => Promise<void> };

export interface WorkerSettings<R extends JobRegistry> extends QueueSettings {
  /** Jobs one worker process runs at once, per queue: every queue has its number. */
  concurrency: Record<QueueName<R>, number>;
  /**
   * How long a running job's lock lasts, per queue (BullMQ's 30 s where left out). The worker
   * renews it at half-time; a job whose lock runs out (a step that waits longer, an event loop
   * held up) is taken for stalled and handed to another worker while it still runs here.
   */
  lockDurationMs?: Partial<Record<QueueName<R>, number>>;
}

/**
 * One BullMQ worker per queue, dispatching by job name. A payload that fails its schema can never
 * succeed, so it fails at once (UnrecoverableError) instead of being retried; any other error
 * reaches BullMQ so `attempts` and `backoff` apply.
 */
export function startWorkers<R extends JobRegistry>(registry: R, settings: WorkerSettings<R>, handlers: JobHandlers<R>, log: Logger): Worker[] {
  for (const name of Object.keys(registry) as Array<JobName<R>>) {
    if (typeof handlers[name] !== 'function') throw new Error(`job '${name}' has no handler`);
  }
  return queueNamesOf(registry).map((queueName) => {
    const worker = new Worker(
      queueName,
      async (job: Job) => {
        const definition = Object.hasOwn(registry, job.name) ? registry[job.name] : undefined;
        if (!definition || definition.queue !== queueName) {
          throw new UnrecoverableError(`unknown job '${job.name}' on queue '${queueName}'`);
        }
        const parsed = definition.schema.safeParse(job.data);
        if (!parsed.success) throw new UnrecoverableError(`invalid payload for '${job.name}': ${parsed.error.message}`);
        await (handlers[job.name as JobName<R>] as (data: unknown, job: Job) => Promise<void>)(parsed.data, job);
      },
      {
        connection: settings.connection,
        prefix: settings.prefix,
        concurrency: settings.concurrency[queueName],
        ...(settings.lockDurationMs?.[queueName] ? { lockDuration: settings.lockDurationMs[queueName] } : {}),
      },
    );
    worker.on('failed', (job, error) => {
      log.warn({ queue: queueName, jobId: job?.id, job: job?.name, attempts: job?.attemptsMade, err: error }, 'job failed');
    });
    worker.on('error', (error) => log.error({ queue: queueName, err: error }, 'worker error'));
    return worker;
  });
}
