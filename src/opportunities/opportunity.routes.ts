import type { FastifyPluginAsyncZod, ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { adminOnly, requireCaller, type ApiCallers } from '../platform/http/api-auth.ts';
import type { OpportunityService } from './opportunity.service.ts';
import { errorResponseSchema } from '../platform/http/error-handler.ts';
import { plainText } from '../platform/http/input-schemas.ts';
import {
  matchListSchema,
  OPPORTUNITY_STATUSES,
  opportunityCreatedSchema,
  opportunityInputSchema,
  opportunitySchema,
} from './opportunity.schemas.ts';

const idParams = z.object({ id: z.uuid() });

/** What these routes use, wired in src/app/. */
export interface OpportunityRouteDeps {
  opportunities: OpportunityService;
  apiKeys: ApiCallers;
}

/** The JSON API for opportunities. */
export function opportunityRoutes(deps: OpportunityRouteDeps): FastifyPluginAsyncZod {
  return async (app) => {
    const tags = ['opportunities'];
    const errors = { 400: errorResponseSchema, 401: errorResponseSchema, 403: errorResponseSchema, 404: errorResponseSchema };

    app.post(
      '/api/opportunities',
      {
        schema: {
          tags,
          description:
            'Submits an opportunity. Authenticate with a partner API key or the admin token. Send an Idempotency-Key header to make retries safe: the same key and body answer with the same opportunity.',
          headers: z.object({ 'idempotency-key': plainText().min(1).max(200).optional() }),
          body: opportunityInputSchema,
          response: { 201: opportunityCreatedSchema, 422: errorResponseSchema, ...errors },
        },
      },
      async (request, reply) => {
        const caller = await requireCaller(request, deps.apiKeys);
        const { opportunity, replayed } = await deps.opportunities.submit({
          source: 'api',
          input: request.body,
          caller,
          idempotencyKey: request.headers['idempotency-key'],
        });
        if (replayed) void reply.header('Idempotent-Replayed', 'true');
        return reply.status(201).send({ id: opportunity.id, status: opportunity.status });
      },
    );

    await app.register(async (scope) => {
      const admin = scope.withTypeProvider<ZodTypeProvider>();
      admin.addHook('onRequest', adminOnly(deps.apiKeys));
      admin.get(
        '/api/opportunities',
        {
          schema: {
            tags,
            description: 'The newest opportunities first, with their match counts.',
            querystring: z.object({
              limit: z.coerce.number().int().min(1).max(200).default(50),
              status: z.enum(OPPORTUNITY_STATUSES).optional(),
            }),
            response: { 200: z.object({ opportunities: z.array(opportunitySchema) }), ...errors },
          },
        },
        async (request) => ({ opportunities: await deps.opportunities.list(request.query) }),
      );
      admin.get(
        '/api/opportunities/:id',
        { schema: { tags, params: idParams, response: { 200: opportunitySchema, ...errors } } },
        async (request) => deps.opportunities.get(request.params.id),
      );
      admin.get(
        '/api/opportunities/:id/matches',
        {
          schema: {
            tags,
            description: 'Matched partners, best first, with the reasons a person reads.',
            params: idParams,
            response: { 200: matchListSchema, ...errors },
          },
        },
        async (request) => ({ matches: await deps.opportunities.matches(request.params.id) }),
      );
      admin.post(
        '/api/opportunities/:id/approve',
        { schema: { tags, description: 'Moderation (MODERATION=on): publish a reviewed opportunity.', params: idParams, response: { 200: opportunityCreatedSchema, 409: errorResponseSchema, ...errors } } },
        async (request) => {
          const o = await deps.opportunities.approve(request.params.id);
          return { id: o.id, status: o.status };
        },
      );
      admin.post(
        '/api/opportunities/:id/reject',
        { schema: { tags, description: 'Moderation (MODERATION=on): reject a reviewed opportunity.', params: idParams, response: { 200: opportunityCreatedSchema, 409: errorResponseSchema, ...errors } } },
        async (request) => {
          const o = await deps.opportunities.reject(request.params.id);
          return { id: o.id, status: o.status };
        },
      );
    });
  };
}
