import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { PERIOD_PATTERN } from '../digests/digest-period.ts';
import { asFormBody, text } from '../platform/http/form-fields.ts';
import type { ConsolePageContext } from './admin-partners.routes.ts';

const periodQuery = z.object({ period: z.string().regex(PERIOD_PATTERN).optional() });
const idParams = z.object({ id: z.uuid() });

/**
 * The console's digests page: the latest periods counted by state, the chosen period's failed
 * digests with SMTP's answer, and "resend" for one or all of them, through the ledger (a failed
 * row goes back to ready once, so a resend posted twice sends once), audited.
 */
export function registerDigestPages(app: FastifyInstance, ctx: Omit<ConsolePageContext, 'catalogue'>): void {
  const { adminConsole, page, operatorOf, csrf } = ctx;

  const digestsPage = async (request: FastifyRequest, reply: FastifyReply, period: string | undefined, notice: string | null = null, status = 200) =>
    page(request, reply, 'admin-digests', 'Digests', { ...(await adminConsole.digests(period)), notice }, status);

  app.get('/admin/digests', { schema: { hide: true, querystring: periodQuery } }, async (request, reply) =>
    digestsPage(request, reply, (request.query as z.infer<typeof periodQuery>).period),
  );

  const resent = (request: FastifyRequest, reply: FastifyReply, period: string | undefined, ids: string[]) =>
    ids.length
      ? digestsPage(request, reply, period, `${ids.length} digest${ids.length === 1 ? '' : 's'} queued to be sent again. A suppressed address is skipped: lift it first.`)
      : digestsPage(request, reply, period, 'Nothing to resend: no such digest is failed now (it may have been resent already). Nothing was changed.', 409);

  app.post('/admin/digests/:id/resend', { schema: { hide: true, params: idParams }, preHandler: csrf }, async (request, reply) => {
    const { id } = request.params as z.infer<typeof idParams>;
    const period = text(asFormBody(request.body), 'period');
    const ids = await adminConsole.resendDigests(operatorOf(request), { id });
    return resent(request, reply, period && PERIOD_PATTERN.test(period) ? period : undefined, ids);
  });

  app.post('/admin/digests/resend-failed', { schema: { hide: true }, preHandler: csrf }, async (request, reply) => {
    const period = text(asFormBody(request.body), 'period');
    if (!period || !PERIOD_PATTERN.test(period)) return digestsPage(request, reply, undefined, 'Which period? Nothing was changed.', 400);
    return resent(request, reply, period, await adminConsole.resendDigests(operatorOf(request), { period }));
  });
}
