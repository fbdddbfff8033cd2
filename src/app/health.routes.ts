import { sql } from 'kysely';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from './app-deps.ts';

const withTimeout = <T>(promise: Promise<T>, ms: number) =>
  Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), ms).unref())]);

/** /healthz: the process answers. /readyz: it can reach Postgres and Redis. */
export function healthRoutes(deps: Pick<AppDeps, 'db' | 'redis'>): FastifyPluginAsyncZod {
  const checkSchema = z.object({ status: z.enum(['ok', 'unavailable']), postgres: z.string(), redis: z.string() });
  return async (app) => {
    app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));

    app.get('/readyz', { schema: { hide: true, response: { 200: checkSchema, 503: checkSchema } } }, async (_request, reply) => {
      const [postgres, redis] = await Promise.all([
        withTimeout(sql`SELECT 1`.execute(deps.db), 2000).then(() => 'ok', () => 'unreachable'),
        withTimeout(deps.redis.ping(), 2000).then(() => 'ok', () => 'unreachable'),
      ]);
      const ready = postgres === 'ok' && redis === 'ok';
      return reply.status(ready ? 200 : 503).send({ status: ready ? 'ok' : 'unavailable', postgres, redis });
    });
  };
}
