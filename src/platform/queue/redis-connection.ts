import { Redis } from 'ioredis';
import type { RedisOptions } from 'bullmq';

/**
 * How long to wait before reconnecting to a Redis that went away, by attempt: quickly at first (a
 * restart takes a second or two), then every two seconds for as long as it takes, so work resumes
 * within two seconds of Redis' return. Never giving up is the point: a role waits for Redis
 * instead of exiting.
 */
export function reconnectDelayMs(attempt: number): number {
  return Math.min(250 * attempt, 2_000);
}

/**
 * Connection options for BullMQ from REDIS_URL. BullMQ opens its own connections from these
 * (each worker needs a blocking one); `maxRetriesPerRequest: null` is what BullMQ requires, so a
 * worker's commands wait through an outage and carry on after it.
 */
export function redisOptionsFromUrl(redisUrl: string): RedisOptions {
  return { url: redisUrl, maxRetriesPerRequest: null, retryStrategy: reconnectDelayMs };
}

/**
 * The same for connections that only add jobs: while Redis is away an add fails at once (BullMQ's
 * "failing fast when Redis is down") instead of waiting in ioredis' offline queue. The caller
 * then does what it does with any failed add: a job fails into its retry, the outbox relay keeps
 * the event for its next pass, the email intake leaves the stored message to the reconciler. An
 * add left waiting would hold the relay's transaction, and the whole pass, until Redis came back.
 */
export function producerOptions(options: RedisOptions): RedisOptions {
  return { ...options, enableOfflineQueue: false };
}

/**
 * Connects to Redis once, asks PING and disconnects: no retries, no offline queue, so a wrong
 * host, a wrong password or a Redis that is not there fails at once with the driver's error
 * (before it, `start` with a bad REDIS_URL printed an error for every connection, every retry).
 */
export async function probeRedis(redisUrl: string, timeoutMs = 5_000): Promise<void> {
  const client = new Redis(redisUrl, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
    connectTimeout: timeoutMs,
  });
  // connect() rejects with "Connection is closed." once the retries are over; the reason (a host
  // that does not resolve, a refused port, a bad password) came in the 'error' event before it.
  let reason: unknown;
  client.on('error', (err) => (reason ??= err));
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    throw reason ?? error;
  } finally {
    client.disconnect();
  }
}
