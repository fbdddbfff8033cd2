import type { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { RateLimitedError } from '../errors/app-errors.ts';
import { mailboxOf } from '../mail/mailbox.ts';

/**
 * Limits for the public forms, kept in Redis so every API process shares them: per client IP,
 * and per recipient of the confirmation mail a form sends, whatever IPs the posts come from.
 * A recipient is counted twice: as a mailbox (so `Bob+1@Gmail.com` and `b.o.b@googlemail.com`
 * are one inbox, one allowance) and as a domain (so nobody floods one company's mail servers
 * with confirmations to made-up addresses and gets our domain blocklisted there).
 */
export interface RateLimits {
  /** Throws RateLimitedError when `key` (an IP, or the email address we would mail) has used up its allowance. */
  consume(kind: 'ip' | 'email', key: string): Promise<void>;
}

/** How many confirmation mails one recipient domain may be sent per hour, in allowances of one mailbox. */
const DOMAIN_MAILBOX_ALLOWANCES = 20;

export function createRateLimits(redis: Redis, prefix: string, perHour: number): RateLimits {
  const perMailbox = Math.max(1, Math.ceil(perHour / 4));
  const limiter = (name: string, points: number) =>
    new RateLimiterRedis({ storeClient: redis, keyPrefix: `${prefix}:rl:${name}`, points, duration: 3600 });
  const limiters = {
    ip: limiter('ip', perHour),
    mailbox: limiter('mailbox', perMailbox),
    domain: limiter('domain', perMailbox * DOMAIN_MAILBOX_ALLOWANCES),
  };
  const consume = async (limiterName: keyof typeof limiters, key: string) => {
    try {
      await limiters[limiterName].consume(key);
    } catch (error) {
      if (error instanceof RateLimiterRes) throw new RateLimitedError(Math.ceil(error.msBeforeNext / 1000));
      throw error;
    }
  };
  return {
    async consume(kind, key) {
      if (kind === 'ip') return consume('ip', key.toLowerCase());
      const { mailbox, domain } = mailboxOf(key);
      await consume('mailbox', mailbox);
      await consume('domain', domain);
    },
  };
}
