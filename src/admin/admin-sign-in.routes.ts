import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { Pages } from '../platform/http/pages.ts';
import { asFormBody, text } from '../platform/http/form-fields.ts';
import type { LinkSigner } from '../platform/links/link-tokens.ts';
import { verifiedSubject } from '../platform/links/token-pages.ts';
import { SIGN_IN_LINK_MINUTES, type AdminAuthService } from './admin-auth.service.ts';
import { setSessionCookie } from './admin-session-cookie.ts';
import type { SignInLimits } from './sign-in-limits.ts';

const tokenParams = z.object({ token: z.string().max(1000) });
const EMAIL = z.email().max(254);

/** What these routes use, wired in src/app/. */
export interface AdminSignInRouteDeps {
  adminAuth: AdminAuthService;
  signInLimits: SignInLimits;
  pages: Pages;
  signer: LinkSigner;
  settings: { publicBaseUrl: string };
}

/**
 * The console's door: /admin/sign-in takes an address and, for an operator's, emails a one-time
 * link; any other address gets the same answer and no mail. The link's GET only shows a page
 * (a mail scanner that fetches it signs nobody in); the page's POST uses the link up and sets the
 * session cookie.
 */
export function adminSignInRoutes(deps: AdminSignInRouteDeps): FastifyPluginAsync {
  const { pages } = deps;
  const secure = deps.settings.publicBaseUrl.startsWith('https:');
  return async (app) => {
    const csrf = app.csrfProtection.bind(app);
    const form = (reply: Parameters<typeof pages.send>[0], sent: string | undefined, status = 200, error: string | null = null) =>
      pages.send(reply, 'admin-sign-in', { title: 'Sign in', sent: sent ?? null, error, minutes: SIGN_IN_LINK_MINUTES, csrfToken: reply.generateCsrf() }, status);

    app.get('/admin/sign-in', { schema: { hide: true } }, async (_request, reply) => form(reply, undefined));

    app.post('/admin/sign-in', { schema: { hide: true }, preHandler: csrf }, async (request, reply) => {
      const parsed = EMAIL.safeParse(text(asFormBody(request.body), 'email')?.trim());
      if (!parsed.success) return form(reply, undefined, 400, 'Please enter an email address.');
      await deps.signInLimits.consume(request.ip, parsed.data);
      await deps.adminAuth.requestSignIn(parsed.data);
      // The same answer whoever asked: the page tells nobody which addresses are operators'.
      return form(reply, parsed.data);
    });

    app.get('/admin/sign-in/:token', { schema: { hide: true, params: tokenParams } }, async (request, reply) => {
      const { token } = request.params as z.infer<typeof tokenParams>;
      const requestId = verifiedSubject(deps.signer, pages, reply, token, 'admin-sign-in');
      if (!requestId) return reply;
      const signIn = await deps.adminAuth.usableRequest(requestId);
      if (!signIn) return usedUp(reply);
      return pages.send(reply, 'action', {
        title: 'Sign in to the console',
        paragraphs: [`Press the button to sign in as ${signIn.email}. The link then stops working.`],
        details: [],
        action: `/admin/sign-in/${token}`,
        button: 'Sign in',
        csrfToken: reply.generateCsrf(),
      });
    });

    app.post('/admin/sign-in/:token', { schema: { hide: true, params: tokenParams }, preHandler: csrf }, async (request, reply) => {
      const { token } = request.params as z.infer<typeof tokenParams>;
      const requestId = verifiedSubject(deps.signer, pages, reply, token, 'admin-sign-in');
      if (!requestId) return reply;
      const signedIn = await deps.adminAuth.signIn(requestId, { ip: request.ip });
      if (!signedIn) return usedUp(reply);
      setSessionCookie(reply, signedIn.token, signedIn.session.expiresAt, secure);
      return reply.redirect('/admin', 303);
    });

    function usedUp(reply: Parameters<typeof pages.send>[0]) {
      return pages.message(
        reply,
        410,
        'This sign-in link cannot be used',
        ['It was used already, or it ran out. Nothing was changed.'],
        { url: '/admin/sign-in', label: 'Ask for a new link' },
      );
    }
  };
}
