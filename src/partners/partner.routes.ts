import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { adminOnly } from '../platform/http/api-auth.ts';
import type { ApiKeyService } from './api-key.service.ts';
import type { PartnerService } from './partner.service.ts';
import { errorResponseSchema } from '../platform/http/error-handler.ts';
import { plainText } from '../platform/http/input-schemas.ts';
import { partnerInputSchema, partnerListQuerySchema, partnerSchema, partnerUpdateSchema } from './partner.schemas.ts';

const idParams = z.object({ id: z.uuid() });

/** What these routes use, wired in src/app/. */
export interface PartnerRouteDeps {
  partners: PartnerService;
  apiKeys: ApiKeyService;
}

/** Admin JSON API over partners (Authorization: Bearer ADMIN_TOKEN). */
export function partnerRoutes(deps: PartnerRouteDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.addHook('onRequest', adminOnly(deps.apiKeys));
    const errors = { 400: errorResponseSchema, 401: errorResponseSchema, 403: errorResponseSchema, 404: errorResponseSchema };
    const tags = ['partners (admin)'];

    app.post(
      '/api/partners',
      { schema: { tags, body: partnerInputSchema, response: { 201: partnerSchema, 409: errorResponseSchema, ...errors } } },
      async (request, reply) => reply.status(201).send(await deps.partners.createByAdmin(request.body)),
    );

    app.get(
      '/api/partners',
      {
        schema: {
          tags,
          querystring: partnerListQuerySchema,
          response: { 200: z.object({ partners: z.array(partnerSchema), nextCursor: z.string().nullable() }), ...errors },
        },
      },
      async (request) => deps.partners.list(request.query),
    );

    app.get(
      '/api/partners/:id',
      { schema: { tags, params: idParams, response: { 200: partnerSchema, ...errors } } },
      async (request) => deps.partners.get(request.params.id),
    );

    app.patch(
      '/api/partners/:id',
      { schema: { tags, params: idParams, body: partnerUpdateSchema, response: { 200: partnerSchema, 409: errorResponseSchema, ...errors } } },
      async (request) => deps.partners.update(request.params.id, request.body),
    );

    app.delete(
      '/api/partners/:id',
      { schema: { tags, description: 'Deactivates the partner: no more matches or emails; history is kept.', params: idParams, response: { 200: partnerSchema, ...errors } } },
      async (request) => deps.partners.deactivate(request.params.id),
    );

    app.post(
      '/api/partners/:id/api-keys',
      {
        schema: {
          tags,
          description: 'Creates an API key with which the partner submits opportunities. The key is shown only in this response.',
          params: idParams,
          body: z.object({ label: plainText().max(100).default('') }).default({ label: '' }),
          response: { 201: z.object({ id: z.uuid(), key: z.string() }), ...errors },
        },
      },
      async (request, reply) => reply.status(201).send(await deps.apiKeys.create(request.params.id, request.body.label)),
    );
  };
}
