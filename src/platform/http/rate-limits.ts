import type { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { RateLimitedError } from '../errors/app-errors.ts';

/**
 * Limits for the public forms, kept in Redis so every API process shares them: per client IP,
 * and per submitter email (one address cannot be used to flood others' inboxes with
 * confirmation mails, whatever IPs it comes from).
 */
export interface RateLimits {
  /** Throws RateLimitedError when `key` has used up its allowance. */
  consume(kind: 'ip' | 'email', key: string): Promise<void>;
}

export function createRateLimits(redis: Redis, prefix: string, perHour: number): RateLimits {
  const limiters = {
    ip: new RateLimiterRedis({ storeClient: redis, keyPrefix: `${prefix}:rl:ip`, points: perHour, duration: 3600 }),
    email: new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `${prefix}:rl:email`,
      points: Math.max(1, Math.ceil(perHour / 4)),
      duration: 3600,
    }),
  };
  return {
    async consume(kind, key) {
      try {
        await limiters[kind].consume(key.toLowerCase());
      } catch (error) {
        if (error instanceof RateLimiterRes) throw new RateLimitedError(Math.ceil(error.msBeforeNext / 1000));
        throw error;
      }
    },
  };
}
