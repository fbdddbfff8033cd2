import { randomUUID } from 'node:crypto';
import fastifyCookie from '@fastify/cookie';
import fastifyCsrf from '@fastify/csrf-protection';
import fastifyFormbody from '@fastify/formbody';
import fastifyHelmet from '@fastify/helmet';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { healthRoutes } from './health.routes.ts';
import { adminConsoleRoutes } from '../admin/admin-console.routes.ts';
import { adminSignInRoutes } from '../admin/admin-sign-in.routes.ts';
import { emailDraftRoutes } from '../inbound/drafts/draft.routes.ts';
import { inboundRoutes } from '../inbound/inbound.routes.ts';
import { inboundWebhookRoutes } from '../inbound/intake/webhook.routes.ts';
import { interestRoutes } from '../interests/interest.routes.ts';
import { statusPageRoutes } from '../interests/status-page.routes.ts';
import { devOutboxRoutes } from '../platform/mail/dev-outbox.routes.ts';
import { opportunityRoutes } from '../opportunities/opportunity.routes.ts';
import { submitRoutes } from '../opportunities/submit.routes.ts';
import { outcomeRoutes } from '../outcomes/outcome.routes.ts';
import { partnerRoutes } from '../partners/partner.routes.ts';
import { preferencesRoutes } from '../partners/preferences.routes.ts';
import { signupRoutes } from '../partners/signup.routes.ts';
import { REGIONS } from '../regions/regions.ts';
import { unsubscribeRoutes } from '../suppressions/unsubscribe.routes.ts';
import type { AppDeps } from './app-deps.ts';
import { installErrorHandler } from '../platform/http/error-handler.ts';
import { installLinkPageHooks } from '../platform/links/link-page-hooks.ts';
import { installRequestMetrics, metricsRoutes } from '../platform/metrics/metrics.routes.ts';

/**
 * Builds the HTTP app without listening: `start` calls `listen`, tests call `inject`.
 */
export async function buildApp(deps: AppDeps) {
  // pino's Logger is what Fastify uses inside; its types only know the narrower base logger.
  const logger: FastifyBaseLogger = deps.log;
  const app = Fastify({
    loggerInstance: logger,
    bodyLimit: deps.settings.bodyLimitBytes,
    // Signed link tokens travel in the path and are longer than Fastify's 100-character default.
    routerOptions: { maxParamLength: 1000 },
    // X-Forwarded-For names the client only when it comes through proxies we run (TRUST_PROXY);
    // Fastify's types omit the hop count that it takes at run time, so a count becomes its rule.
    trustProxy: typeof deps.settings.trustProxy === 'number' ? trustNearestHops(deps.settings.trustProxy) : deps.settings.trustProxy,
    genReqId: (request) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && /^[\w-]{1,64}$/.test(given) ? given : randomUUID();
    },
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandler(app, deps.pages);
  installLinkPageHooks(app);
  installRequestMetrics(app, deps.metrics);

  await app.register(fastifyHelmet, {
    contentSecurityPolicy: {
      directives: {
        'form-action': ["'self'"],
        'frame-ancestors': ["'none'"],
        'frame-src': ["'self'"],
        // Over plain http (a laptop, a LAN address) upgrading would break every form post.
        'upgrade-insecure-requests': deps.settings.publicBaseUrl.startsWith('https:') ? [] : null,
      },
    },
  });
  await app.register(fastifyFormbody);
  await app.register(fastifyCookie, { secret: deps.settings.cookieSecret });
  await app.register(fastifyCsrf, {
    cookieKey: 'p2p_csrf',
    cookieOpts: { signed: true, httpOnly: true, sameSite: 'lax', path: '/', secure: deps.settings.publicBaseUrl.startsWith('https:') },
  });

  await app.register(fastifySwagger, {
    openapi: {
      info: {
        title: 'p2p-digest API',
        version: '1.0.0',
        description: `Submit opportunities and manage partners. Regions: ${REGIONS.map((r) => r.slug).join(', ')}.`,
      },
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'ADMIN_TOKEN or a partner API key' } },
      },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs', staticCSP: true });

  // The start page: what the service is, and the two ways in (before, `/` redirected to the submit form).
  app.get('/', { schema: { hide: true } }, async (_request, reply) => deps.pages.send(reply, 'home', { title: 'Income in your inbox' }));
  app.get('/static/forms.js', { schema: { hide: true } }, async (_request, reply) =>
    reply.type('text/javascript; charset=utf-8').header('Cache-Control', 'public, max-age=300').send(deps.pages.script),
  );

  await app.register(healthRoutes(deps));
  await app.register(metricsRoutes(deps.metrics, deps.settings.metricsToken));
  await app.register(partnerRoutes(deps));
  await app.register(opportunityRoutes(deps));
  await app.register(signupRoutes(deps));
  await app.register(submitRoutes(deps));
  await app.register(statusPageRoutes(deps));
  await app.register(unsubscribeRoutes(deps));
  await app.register(preferencesRoutes(deps));
  await app.register(interestRoutes(deps));
  await app.register(outcomeRoutes(deps));
  await app.register(emailDraftRoutes(deps));
  await app.register(inboundRoutes(deps));
  await app.register(adminSignInRoutes(deps));
  await app.register(adminConsoleRoutes(deps));
  await app.register(inboundWebhookRoutes({ intake: deps.intake, settings: deps.settings.inbound }));
  if (deps.settings.devOutboxDir) {
    await app.register(devOutboxRoutes(deps.settings.devOutboxDir, (name, data) => deps.pages.render(name, data)));
  }
  return app;
}

/** Trusts the nearest `hops` proxies in front of us, as Fastify does for a numeric `trustProxy`. */
const trustNearestHops = (hops: number) => (_address: string, hop: number) => hop < hops;

export type App = Awaited<ReturnType<typeof buildApp>>;
