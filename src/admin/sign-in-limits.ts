import type { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { RateLimitedError } from '../platform/errors/app-errors.ts';

/** Sign-in links one address may be sent per quarter hour: enough for a typo and a retry, too few to flood an inbox. */
const PER_ADDRESS = 5;
/** Sign-in requests one client may make per hour, whatever addresses it types. */
const PER_IP = 20;

export interface SignInLimits {
  /** Throws RateLimitedError when this address or this client has asked too often. */
  consume(ip: string, email: string): Promise<void>;
}

/**
 * Limits on the sign-in form, in Redis so every API process shares them. Every address is
 * counted, an operator's or not, so the limit itself tells nobody which addresses are operators'.
 */
export function createSignInLimits(redis: Redis, prefix: string): SignInLimits {
  const address = new RateLimiterRedis({ storeClient: redis, keyPrefix: `${prefix}:rl:admin-sign-in-address`, points: PER_ADDRESS, duration: 900 });
  const client = new RateLimiterRedis({ storeClient: redis, keyPrefix: `${prefix}:rl:admin-sign-in-ip`, points: PER_IP, duration: 3600 });
  const consume = async (limiter: RateLimiterRedis, key: string) => {
    try {
      await limiter.consume(key);
    } catch (error) {
      if (error instanceof RateLimiterRes) throw new RateLimitedError(Math.ceil(error.msBeforeNext / 1000));
      throw error;
    }
  };
  return {
    async consume(ip, email) {
      await consume(client, ip.toLowerCase());
      await consume(address, email.trim().toLowerCase());
    },
  };
}
