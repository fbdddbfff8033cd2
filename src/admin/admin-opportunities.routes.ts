import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ConflictError } from '../platform/errors/app-errors.ts';
import type { ConsolePageContext } from './admin-partners.routes.ts';

const STATUSES = ['pending_verification', 'pending_review', 'published', 'closed', 'withdrawn', 'expired', 'rejected'] as const;
const PAGE_SIZE = 50;
const listQuery = z.object({
  q: z.string().max(200).optional(),
  status: z.enum(STATUSES).or(z.literal('')).optional(),
  cursor: z.string().max(200).optional(),
});
const idParams = z.object({ id: z.uuid() });

/**
 * The console's opportunities: search (title, description, submitter) and filter by status, 50 a
 * page (keyset); one
 * opportunity with its matches and why, its reach, interests and introductions; close or withdraw
 * through the opportunity service (the interested partners hear it ended), audited.
 */
export function registerOpportunityPages(app: FastifyInstance, ctx: Omit<ConsolePageContext, 'catalogue'>): void {
  const { adminConsole, page, operatorOf, csrf } = ctx;

  app.get('/admin/opportunities', { schema: { hide: true, querystring: listQuery } }, async (request, reply) => {
    const { q, status, cursor } = request.query as z.infer<typeof listQuery>;
    const filters = { q: q?.trim() ?? '', status: status ?? '' };
    const found = await adminConsole.searchOpportunities({ limit: PAGE_SIZE, cursor, text: filters.q || undefined, status: filters.status || undefined });
    const next = found.nextCursor ? `/admin/opportunities?${new URLSearchParams({ ...filters, cursor: found.nextCursor }).toString()}` : null;
    return page(request, reply, 'admin-opportunities', 'Opportunities', { items: found.opportunities, next, filters, statuses: STATUSES });
  });

  const detailPage = async (request: FastifyRequest, reply: FastifyReply, id: string, notice: string | null = null, status = 200) => {
    const data = await adminConsole.opportunity(id);
    return page(request, reply, 'admin-opportunity', data.opportunity.title || 'Opportunity', { ...data, notice }, status);
  };

  app.get('/admin/opportunities/:id', { schema: { hide: true, params: idParams } }, async (request, reply) =>
    detailPage(request, reply, (request.params as z.infer<typeof idParams>).id),
  );

  for (const [path, as] of [['close', 'closed'], ['withdraw', 'withdrawn']] as const) {
    app.post(`/admin/opportunities/:id/${path}`, { schema: { hide: true, params: idParams }, preHandler: csrf }, async (request, reply) => {
      const { id } = request.params as z.infer<typeof idParams>;
      try {
        const o = await adminConsole.endOpportunity(operatorOf(request), id, as);
        return detailPage(request, reply, id, `"${o.title}" is ${o.status}: it leaves the digests, and partners still interested hear it ended.`);
      } catch (error) {
        if (error instanceof ConflictError) return detailPage(request, reply, id, `${error.message}. Nothing was changed.`, error.status);
        throw error;
      }
    });
  }
}
