import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Links } from '../platform/links/links.ts';
import type { Pages } from '../platform/http/pages.ts';
import type { LinkSigner } from '../platform/links/link-tokens.ts';
import type { UnsubscribeService } from './unsubscribe.service.ts';
import { offersAlternatives } from './unsubscribe.service.ts';

const tokenParams = z.object({ token: z.string().max(1000) });

/** What these routes use, wired in src/app/. */
export interface UnsubscribeRouteDeps {
  unsubscribe: UnsubscribeService;
  pages: Pages;
  signer: LinkSigner;
  links: Links;
}

/**
 * /u/<token>: GET shows a page with a button (a mail scanner fetching the link changes nothing);
 * POST unsubscribes at once. The POST also serves RFC 8058 one-click unsubscribe, which mail
 * clients send without cookies or CSRF token, so it needs neither; a bad token answers 200 too
 * and changes nothing.
 *
 * A partner's page also offers two alternatives to leaving, each its own POST: a monthly digest
 * (/u/<token>/less-often) and a paused one (/u/<token>/pause). Like the unsubscribe button they
 * need no CSRF token: the signed token names the address and is the authority.
 */
export function unsubscribeRoutes(deps: UnsubscribeRouteDeps): FastifyPluginAsync {
  const badLink = (reply: FastifyReply) =>
    deps.pages.message(reply, 400, 'This link does not work', ['Nothing was changed. Try copying the whole link from the email.']);

  return async (app) => {
    // RFC 8058 allows multipart/form-data bodies; their content does not matter here.
    app.addContentTypeParser('multipart/form-data', { parseAs: 'string', bodyLimit: 16 * 1024 }, (_request, _body, done) => done(null, {}));

    app.get('/u/:token', { schema: { hide: true, params: tokenParams } }, async (request, reply) => {
      const { token } = request.params as z.infer<typeof tokenParams>;
      const result = deps.signer.verify(token, 'unsubscribe');
      if (!result.ok) return badLink(reply);
      const email = result.claims.subject;
      const partner = await deps.unsubscribe.partnerOf(email);
      if (await deps.unsubscribe.isUnsubscribed(email)) {
        // Asking "Stop all emails?" again would only confuse: say where things stand, and the way back.
        return deps.pages.send(reply, 'unsubscribe', {
          title: 'You are already unsubscribed',
          email,
          already: true,
          // Joining again (and confirming) is how a partner gets the digest back.
          rejoin: partner !== undefined,
          action: null,
          alternatives: [],
        });
      }
      return deps.pages.send(reply, 'unsubscribe', {
        title: 'Unsubscribe',
        email,
        already: false,
        rejoin: false,
        action: `/u/${token}`,
        alternatives: offersAlternatives(partner)
          ? [
              { action: `/u/${token}/less-often`, button: 'Send it less often (monthly)' },
              { action: `/u/${token}/pause`, button: 'Pause the digest' },
            ]
          : [],
      });
    });

    app.post('/u/:token', { schema: { hide: true, params: tokenParams } }, async (request, reply) => {
      const { token } = request.params as z.infer<typeof tokenParams>;
      const result = deps.signer.verify(token, 'unsubscribe');
      if (result.ok) await deps.unsubscribe.unsubscribe(result.claims.subject);
      else request.log.info({ reason: result.reason }, 'unsubscribe with a bad token ignored');
      return deps.pages.message(reply, 200, 'You are unsubscribed', [
        'We will not email this address again. Changed your mind? Sign up again at any time.',
      ]);
    });

    const alternative =
      (frequency: 'monthly' | 'paused') =>
      async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
        const { token } = request.params as z.infer<typeof tokenParams>;
        const result = deps.signer.verify(token, 'unsubscribe');
        if (!result.ok) {
          request.log.info({ reason: result.reason }, `unsubscribe alternative (${frequency}) with a bad token ignored`);
          return badLink(reply);
        }
        const email = result.claims.subject;
        const changed = await deps.unsubscribe.changeFrequency(email, frequency);
        if (changed.outcome === 'no-partner') {
          return deps.pages.message(reply, 404, 'We have no digest for this address', [
            `No partner receives a digest at ${email}. Nothing was changed.`,
          ]);
        }
        if (changed.outcome === 'no-digest') {
          return deps.pages.message(reply, 409, 'Nothing to change', [
            `${email} gets no digest from us (it is ${changed.status === 'pending' ? 'not confirmed yet' : changed.status}). Nothing was changed.`,
          ]);
        }
        const settings = { url: deps.links.preferences(changed.partnerId), label: 'Change your digest settings' };
        return frequency === 'monthly'
          ? deps.pages.message(
              reply,
              200,
              'You will get one digest a month',
              [`From now on we send ${email} one digest a month instead of unsubscribing it.`, 'Choose the day, time and how much it holds on your settings page.'],
              settings,
            )
          : deps.pages.message(
              reply,
              200,
              'Your digest is paused',
              [`We send no digest to ${email} until you choose how often you want it on your settings page.`],
              settings,
            );
      };

    app.post('/u/:token/less-often', { schema: { hide: true, params: tokenParams } }, alternative('monthly'));
    app.post('/u/:token/pause', { schema: { hide: true, params: tokenParams } }, alternative('paused'));
  };
}
