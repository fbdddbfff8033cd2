import type { FastifyInstance } from 'fastify';
import { isLinkRoute, isTokenPath } from './link-paths.ts';

/**
 * Installs, before any route is registered, what every page behind an emailed token needs:
 * `Cache-Control: no-store` on every answer under a link path (the page, its POST's answer, the
 * bad-link page, a validation error), so no browser or proxy cache keeps a page that its token
 * opened; and a start-time check that each `:token` route sits under a path of LINK_PATHS, so a
 * new kind of link cannot slip past the log's redaction or this header.
 */
export function installLinkPageHooks(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    if (/(^|\/):token(\/|$)/.test(route.url) && !isLinkRoute(route.url)) {
      throw new Error(`route ${route.url} takes a link token but its path is not in LINK_PATHS (src/platform/links/link-paths.ts)`);
    }
  });
  app.addHook('onSend', async (request, reply, payload) => {
    if (isTokenPath(request.url)) void reply.header('Cache-Control', 'no-store');
    return payload;
  });
}
