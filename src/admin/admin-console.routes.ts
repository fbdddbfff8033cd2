import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { Queue } from 'bullmq';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ConflictError, NotFoundError, ValidationError } from '../platform/errors/app-errors.ts';
import { UrgentWindowError } from '../opportunities/opportunity.service.ts';
import { REGIONS } from '../regions/regions.ts';
import { consoleFormat } from './console-format.ts';
import type { Pages } from '../platform/http/pages.ts';
import { asFormBody, checked, emptyIn, guidedErrors, list, number, text } from '../platform/http/form-fields.ts';
import { moderationGuide } from './console-forms.ts';
import type { AdminAuthService, OperatorSession } from './admin-auth.service.ts';
import type { AdminConsoleService } from './admin-console.service.ts';
import { clearSessionCookie, SESSION_COOKIE } from './admin-session-cookie.ts';
import { registerPartnerPages } from './admin-partners.routes.ts';
import { registerDigestPages } from './admin-digests.routes.ts';
import { registerInboundPages } from './admin-inbound.routes.ts';
import { registerOpportunityPages } from './admin-opportunities.routes.ts';
import type { SkillCatalogue } from '../skills/skill-catalogue.ts';

/** What these routes use, wired in src/app/. */
export interface AdminConsoleRouteDeps {
  adminAuth: AdminAuthService;
  adminConsole: AdminConsoleService;
  /** The queues bull-board shows at /admin/queues. */
  boardQueues: Queue[];
  catalogue: SkillCatalogue;
  pages: Pages;
  settings: { publicBaseUrl: string; moderation: boolean };
}

const idParams = z.object({ id: z.uuid() });

/** A moderator's correction as typed, with what was wrong with it. */
interface ModerationEdit {
  id: string;
  values: {
    title: string;
    description: string;
    requiredSkills: string;
    niceToHaveSkills: string;
    regions: string[];
    remote: boolean;
    budgetMin?: number | string;
    budgetMax?: number | string;
    currency?: string;
    startDate?: string;
    urgent?: boolean;
  };
  errors: Record<string, string>;
  /** The error summary at the top of the page: one link per problem, to its field in this item's form. */
  summary: Array<{ href: string; message: string }>;
  lead: string;
}
const auditQuery = z.object({ before: z.string().regex(/^\d{1,18}$/).optional() });
const searchQuery = z.object({ q: z.string().max(254).optional() });
const AUDIT_PAGE = 50;

const NAV = [
  { href: '/admin', label: 'Overview' },
  { href: '/admin/moderation', label: 'Moderation' },
  { href: '/admin/opportunities', label: 'Opportunities' },
  { href: '/admin/partners', label: 'Partners' },
  { href: '/admin/digests', label: 'Digests' },
  { href: '/admin/inbound', label: 'Email intake' },
  { href: '/admin/suppressions', label: 'Suppressions' },
  { href: '/admin/queues', label: 'Queues' },
  { href: '/admin/audit', label: 'Audit log' },
];

/**
 * The operator console behind the sign-in: every route here, bull-board's included, first
 * finds the operator by the session cookie. Without one, a page asks to sign in and an action
 * is refused (401) before it reads its body. Every action is a POST with a CSRF token.
 */
export function adminConsoleRoutes(deps: AdminConsoleRouteDeps): FastifyPluginAsync {
  const { pages } = deps;
  const secure = deps.settings.publicBaseUrl.startsWith('https:');
  const operators = new WeakMap<FastifyRequest, OperatorSession>();
  const operatorOf = (request: FastifyRequest) => operators.get(request)!;

  return async (app) => {
    const csrf = app.csrfProtection.bind(app);

    // Registered in this plugin only, so it guards exactly the console (not the sign-in pages).
    app.addHook('onRequest', async (request, reply) => {
      const session = await deps.adminAuth.sessionOf(request.cookies[SESSION_COOKIE]);
      if (session) {
        operators.set(request, session);
        void reply.header('Cache-Control', 'no-store');
        return;
      }
      if (request.method === 'GET' || request.method === 'HEAD') return reply.redirect('/admin/sign-in', 303);
      return pages.message(reply.header('Cache-Control', 'no-store'), 401, 'Please sign in', ['Your session ended or was never there. Nothing was changed.'], {
        url: '/admin/sign-in',
        label: 'Sign in',
      });
    });

    const page = (request: FastifyRequest, reply: FastifyReply, name: string, title: string, data: Record<string, unknown>, status = 200) =>
      pages.send(
        reply,
        name,
        {
          title,
          ...data,
          csrfToken: reply.generateCsrf(),
          fmt: consoleFormat,
          console: { operator: operatorOf(request).email, nav: NAV.map((n) => ({ ...n, current: request.url.split('?')[0] === n.href })) },
        },
        status,
      );

    app.get('/admin', { schema: { hide: true } }, async (request, reply) =>
      page(request, reply, 'admin-overview', 'Overview', { overview: await deps.adminConsole.overview() }),
    );

    /** `edit`: a correction that did not pass, shown again next to its item with the errors. */
    const moderationPage = async (request: FastifyRequest, reply: FastifyReply, notice?: string, status = 200, edit?: ModerationEdit) =>
      page(
        request,
        reply,
        'admin-moderation',
        edit ? 'Error: Moderation' : 'Moderation',
        { items: await deps.adminConsole.moderationQueue(), moderation: deps.settings.moderation, notice: notice ?? null, edit: edit ?? null, regions: REGIONS },
        status,
      );

    app.post('/admin/moderation/:id/edit', { schema: { hide: true, params: idParams }, preHandler: csrf }, async (request, reply) => {
      const { id } = request.params as z.infer<typeof idParams>;
      const body = asFormBody(request.body);
      const names = (field: string) => (text(body, field) ?? '').split(',').map((n) => n.trim()).filter(Boolean);
      const values = {
        title: text(body, 'title') ?? '',
        description: text(body, 'description') ?? '',
        requiredSkills: names('requiredSkills'),
        niceToHaveSkills: names('niceToHaveSkills'),
        regions: list(body, 'regions'),
        remote: checked(body, 'remote'),
        budgetMin: number(body, 'budgetMin'),
        budgetMax: number(body, 'budgetMax'),
        currency: text(body, 'currency'),
        startDate: text(body, 'startDate'),
        urgent: checked(body, 'urgent'),
      };
      try {
        const o = await deps.adminConsole.reviseForReview(operatorOf(request), id, values);
        return moderationPage(request, reply, `Saved your corrections to "${o.title}". It still awaits your approval.`);
      } catch (error) {
        if (error instanceof ValidationError || error instanceof UrgentWindowError) {
          const typed = { ...values, requiredSkills: values.requiredSkills.join(', '), niceToHaveSkills: values.niceToHaveSkills.join(', ') };
          const { errors, summary } = guidedErrors(error.issues, moderationGuide(id), emptyIn(body));
          const edit = { id, values: typed, errors, summary, lead: 'Your corrections were not saved: the opportunity is as it was, still awaiting review.' };
          return moderationPage(request, reply, undefined, error.status, edit);
        }
        if (error instanceof ConflictError || error instanceof NotFoundError) return moderationPage(request, reply, error.message, error.status);
        throw error;
      }
    });

    app.get('/admin/moderation', { schema: { hide: true } }, async (request, reply) => moderationPage(request, reply));

    app.post('/admin/moderation/:id/approve', { schema: { hide: true, params: idParams }, preHandler: csrf }, async (request, reply) => {
      const { id } = request.params as z.infer<typeof idParams>;
      try {
        const o = await deps.adminConsole.approve(operatorOf(request), id);
        return moderationPage(request, reply, `Approved "${o.title}": the submitter is told, and matching starts.`);
      } catch (error) {
        if (error instanceof ConflictError || error instanceof NotFoundError) return moderationPage(request, reply, error.message, error.status);
        throw error;
      }
    });

    app.post('/admin/moderation/:id/reject', { schema: { hide: true, params: idParams }, preHandler: csrf }, async (request, reply) => {
      const { id } = request.params as z.infer<typeof idParams>;
      const reason = text(asFormBody(request.body), 'reason')?.trim().slice(0, 2000);
      try {
        const o = await deps.adminConsole.reject(operatorOf(request), id, reason);
        return moderationPage(request, reply, `Rejected "${o.title}": the submitter is told${reason ? ', with your reason' : ''}.`);
      } catch (error) {
        if (error instanceof ConflictError || error instanceof NotFoundError) return moderationPage(request, reply, error.message, error.status);
        throw error;
      }
    });

    const suppressionsPage = async (request: FastifyRequest, reply: FastifyReply, search: string | undefined, notice?: string, status = 200) =>
      page(request, reply, 'admin-suppressions', 'Suppressions', { entries: await deps.adminConsole.suppressions(search), search: search ?? null, notice: notice ?? null }, status);

    app.get('/admin/suppressions', { schema: { hide: true, querystring: searchQuery } }, async (request, reply) => {
      const { q } = request.query as z.infer<typeof searchQuery>;
      return suppressionsPage(request, reply, q?.trim() || undefined);
    });

    app.post('/admin/suppressions/lift', { schema: { hide: true }, preHandler: csrf }, async (request, reply) => {
      const email = text(asFormBody(request.body), 'email')?.trim();
      if (!email || email.length > 254) return suppressionsPage(request, reply, undefined, 'Which address? Nothing was changed.', 400);
      try {
        const reason = await deps.adminConsole.liftSuppression(operatorOf(request), email);
        return suppressionsPage(request, reply, undefined, `${email} may be emailed again (it was suppressed for: ${reason.replace('_', ' ')}).`);
      } catch (error) {
        if (error instanceof NotFoundError) return suppressionsPage(request, reply, undefined, `${email} is not suppressed. Nothing was changed.`, 404);
        throw error;
      }
    });

    registerPartnerPages(app, { adminConsole: deps.adminConsole, catalogue: deps.catalogue, csrf, operatorOf, page });
    registerDigestPages(app, { adminConsole: deps.adminConsole, csrf, operatorOf, page });
    registerInboundPages(app, { adminConsole: deps.adminConsole, csrf, operatorOf, page });
    registerOpportunityPages(app, { adminConsole: deps.adminConsole, csrf, operatorOf, page });

    app.get('/admin/audit', { schema: { hide: true, querystring: auditQuery } }, async (request, reply) => {
      const { before } = request.query as z.infer<typeof auditQuery>;
      const entries = await deps.adminAuth.audit({ limit: AUDIT_PAGE, before });
      const next = entries.length === AUDIT_PAGE ? entries.at(-1)!.id : null;
      return page(request, reply, 'admin-audit', 'Audit log', { entries, next });
    });

    app.post('/admin/sign-out', { schema: { hide: true }, preHandler: csrf }, async (request, reply) => {
      await deps.adminAuth.signOut(operatorOf(request));
      clearSessionCookie(reply, secure);
      return pages.message(reply, 200, 'Signed out', ['Your session has ended.'], { url: '/admin/sign-in', label: 'Sign in again' });
    });

    app.post('/admin/sign-out-everywhere', { schema: { hide: true }, preHandler: csrf }, async (request, reply) => {
      const ended = await deps.adminAuth.signOutEverywhere(operatorOf(request));
      clearSessionCookie(reply, secure);
      return pages.message(reply, 200, 'Signed out everywhere', [`${ended} session${ended === 1 ? '' : 's'} ended, this one included.`], {
        url: '/admin/sign-in',
        label: 'Sign in again',
      });
    });

    // bull-board, read-only: its buttons (retry, clean, promote) would act without a CSRF token
    // or an audit line, so the console's own pages are where operators act.
    const board = new FastifyAdapter();
    board.setBasePath('/admin/queues');
    createBullBoard({ queues: deps.boardQueues.map((q) => new BullMQAdapter(q, { readOnlyMode: true })), serverAdapter: board });
    await app.register(board.registerPlugin(), { prefix: '/admin/queues' });
  };
}
