import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ConsolePageContext } from './admin-partners.routes.ts';

const PAGE_SIZE = 50;
const STATUSES = ['received', 'processed', 'rejected', 'failed'] as const;
const listQuery = z.object({ status: z.enum(STATUSES).or(z.literal('')).optional(), after: z.uuid().optional() });
const idParams = z.object({ id: z.uuid() });

/**
 * The console's email intake: stored messages with what became of each (processed, rejected and
 * why, failed), one message with its raw bytes shown as escaped text (never as HTML, at most the
 * first 64 KiB), and "reprocess" for a failed one, audited.
 */
export function registerInboundPages(app: FastifyInstance, ctx: Omit<ConsolePageContext, 'catalogue'>): void {
  const { adminConsole, page, operatorOf, csrf } = ctx;

  app.get('/admin/inbound', { schema: { hide: true, querystring: listQuery } }, async (request, reply) => {
    const { status, after } = request.query as z.infer<typeof listQuery>;
    const messages = await adminConsole.inboundMessages({ status: status || undefined, after, limit: PAGE_SIZE });
    const next = messages.length === PAGE_SIZE ? `/admin/inbound?${new URLSearchParams({ status: status ?? '', after: messages.at(-1)!.id }).toString()}` : null;
    return page(request, reply, 'admin-inbound', 'Email intake', { messages, status: status ?? '', statuses: STATUSES, next });
  });

  const messagePage = async (request: FastifyRequest, reply: FastifyReply, id: string, notice: string | null = null, status = 200) =>
    page(request, reply, 'admin-inbound-message', 'Inbound message', { message: await adminConsole.inboundMessage(id), notice }, status);

  app.get('/admin/inbound/:id', { schema: { hide: true, params: idParams } }, async (request, reply) =>
    messagePage(request, reply, (request.params as z.infer<typeof idParams>).id),
  );

  app.post('/admin/inbound/:id/reprocess', { schema: { hide: true, params: idParams }, preHandler: csrf }, async (request, reply) => {
    const { id } = request.params as z.infer<typeof idParams>;
    const reopened = await adminConsole.reprocessInbound(operatorOf(request), id);
    return reopened
      ? messagePage(request, reply, id, 'Queued to be processed again: reload in a moment to see the outcome.')
      : messagePage(request, reply, id, 'Only a failed message can be processed again, and this one is not failed now. Nothing was changed.', 409);
  });
}
