import type { Redis } from 'ioredis';

export interface QueueStateMarker {
  /** True when Redis holds no marker: it lost our keys since the last `set` (or none was ever set). */
  isMissing(): Promise<boolean>;
  set(): Promise<void>;
}

/**
 * A key of our own beside the queues' keys, written only by the reconciler. BullMQ's keys come
 * and go with the jobs; this one stays, so its absence says Redis lost everything under our
 * prefix since the reconciler last wrote it: flushed, restarted without persistence, failed over
 * to an empty replica (or this is the first start). Every job the queues should hold is gone
 * then, and the reconciler re-enqueues unfinished work at once instead of after its grace periods.
 */
export function queueStateMarker(redis: Pick<Redis, 'exists' | 'set'>, prefix: string): QueueStateMarker {
  // Two segments: BullMQ's own keys are `<prefix>:<queue>:<what>` (one of them is a "marker").
  const key = `${prefix}:queue-state-marker`;
  return {
    async isMissing() {
      return (await redis.exists(key)) === 0;
    },
    async set() {
      await redis.set(key, new Date().toISOString());
    },
  };
}
