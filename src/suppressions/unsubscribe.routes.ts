import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { AppDeps } from '../http/app-deps.js';
import { unsubscribeEmail } from './suppression.repository.js';

const tokenParams = z.object({ token: z.string().max(1000) });

/**
 * /u/<token>: GET shows a page with a button (a mail scanner fetching the link changes nothing);
 * POST unsubscribes at once. The POST also serves RFC 8058 one-click unsubscribe, which mail
 * clients send without cookies or CSRF token, so it needs neither; a bad token answers 200 too
 * and changes nothing.
 */
export function unsubscribeRoutes(deps: Pick<AppDeps, 'db' | 'pages' | 'signer'>): FastifyPluginAsync {
  return async (app) => {
    // RFC 8058 allows multipart/form-data bodies; their content does not matter here.
    app.addContentTypeParser('multipart/form-data', { parseAs: 'string', bodyLimit: 16 * 1024 }, (_request, _body, done) => done(null, {}));

    app.get('/u/:token', { schema: { hide: true, params: tokenParams } }, async (request, reply) => {
      const { token } = request.params as z.infer<typeof tokenParams>;
      const result = deps.signer.verify(token, 'unsubscribe');
      if (!result.ok) {
        return deps.pages.message(reply, 400, 'This link does not work', ['Nothing was changed. Try copying the whole link from the email.']);
      }
      return deps.pages.send(reply, 'action', {
        title: 'Unsubscribe',
        paragraphs: [`Stop all emails from p2p-digest to ${result.claims.subject}?`],
        details: [],
        action: `/u/${token}`,
        button: 'Unsubscribe',
        csrfToken: null,
      });
    });

    app.post('/u/:token', { schema: { hide: true, params: tokenParams } }, async (request, reply) => {
      const { token } = request.params as z.infer<typeof tokenParams>;
      const result = deps.signer.verify(token, 'unsubscribe');
      if (result.ok) await unsubscribeEmail(deps.db, result.claims.subject);
      else request.log.info({ reason: result.reason }, 'unsubscribe with a bad token ignored');
      return deps.pages.message(reply, 200, 'You are unsubscribed', [
        'We will not email this address again. Changed your mind? Sign up again at any time.',
      ]);
    });
  };
}
