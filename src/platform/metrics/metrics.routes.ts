import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { UnauthorizedError } from '../errors/app-errors.ts';
import type { Metrics } from './metrics.ts';

/** Where a request that matched no route is counted: never its URL, which may hold anything. */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * Counts every answered request by its route pattern (`/u/:token`, never the URL: link tokens
 * travel in paths, and raw URLs would give Prometheus a label value per request).
 */
export function installRequestMetrics(app: FastifyInstance, metrics: Pick<Metrics, 'httpRequest'>): void {
  app.addHook('onResponse', async (request, reply) => {
    metrics.httpRequest(request.method, request.routeOptions.url ?? UNMATCHED_ROUTE, reply.statusCode, reply.elapsedTime / 1000);
  });
}

/** Equal strings in constant time: both are hashed first, so not even their lengths leak. */
function sameToken(given: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * GET /metrics: the Prometheus text format. With METRICS_TOKEN set, a scraper sends it as
 * `Authorization: Bearer <token>`; without, anyone who reaches the port may read the figures
 * (they hold no personal data: counts and timings by route, queue and outcome).
 */
export function metricsRoutes(metrics: Pick<Metrics, 'scrape'>, token: string | undefined): FastifyPluginAsync {
  return async (app) => {
    app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
      if (token !== undefined) {
        const given = request.headers.authorization?.match(/^Bearer\s+(\S+)$/i)?.[1];
        if (given === undefined || !sameToken(given, token)) {
          reply.header('WWW-Authenticate', 'Bearer realm="metrics"');
          throw new UnauthorizedError('The metrics token is required (Authorization: Bearer …)');
        }
      }
      const { contentType, body } = await metrics.scrape();
      return reply.type(contentType).header('Cache-Control', 'no-store').send(body);
    });
  };
}
