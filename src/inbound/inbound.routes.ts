import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { enumValues } from '../platform/db/enum-values.ts';
import type { InboundStatus } from '../platform/db/database.types.ts';
import { adminOnly, type ApiCallers } from '../platform/http/api-auth.ts';
import { errorResponseSchema } from '../platform/http/error-handler.ts';
import type { InboundIntake } from './inbound.service.ts';

const inboundStatuses = enumValues<InboundStatus>()(['received', 'processed', 'rejected', 'failed']);

const listQuery = z.object({
  status: z.enum(inboundStatuses).optional(),
  /** The previous page's `nextCursor`. */
  cursor: z.uuid('must be the nextCursor of the previous page').optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

const summarySchema = z.object({
  id: z.uuid(),
  receivedAt: z.date(),
  receivedVia: z.string(),
  mailFrom: z.string(),
  rcptTo: z.array(z.string()),
  remoteIp: z.string().nullable(),
  messageId: z.string().nullable(),
  size: z.number(),
  status: z.enum(inboundStatuses),
  outcome: z.string().nullable(),
  opportunityId: z.uuid().nullable(),
});

/** What these routes use, wired in src/app/. */
export interface InboundRouteDeps {
  intake: Pick<InboundIntake, 'list'>;
  apiKeys: ApiCallers;
}

/**
 * The operator's view of inbound mail (Authorization: Bearer ADMIN_TOKEN): every message stays
 * stored whatever was decided, and its outcome says why, so reports that were not obeyed (a
 * bounce to no return path of ours, a complaint about someone else) can be read here.
 */
export function inboundRoutes(deps: InboundRouteDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.addHook('onRequest', adminOnly(deps.apiKeys));
    app.get(
      '/api/inbound',
      {
        schema: {
          tags: ['inbound mail (admin)'],
          description: 'Stored inbound messages, newest first, with what was decided about each (e.g. status=rejected for machine mail and reports not acted on).',
          querystring: listQuery,
          response: {
            200: z.object({ messages: z.array(summarySchema), nextCursor: z.uuid().nullable() }),
            400: errorResponseSchema,
            401: errorResponseSchema,
            403: errorResponseSchema,
          },
        },
      },
      async (request) => {
        const { status, cursor, limit } = request.query;
        const messages = await deps.intake.list({ status, after: cursor, limit });
        return { messages, nextCursor: messages.length === limit ? messages.at(-1)!.id : null };
      },
    );
  };
}
