import type { ConnectionOptions } from 'bullmq';

/**
 * Connection options for BullMQ from REDIS_URL. BullMQ opens its own connections from these
 * (each worker needs a blocking one); `maxRetriesPerRequest: null` is what BullMQ requires.
 */
export function redisOptionsFromUrl(redisUrl: string): ConnectionOptions {
  return { url: redisUrl, maxRetriesPerRequest: null };
}
