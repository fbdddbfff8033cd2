import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerHookHandler } from 'fastify';
import { z } from 'zod';
import { ConflictError, ValidationError, type FieldIssue } from '../platform/errors/app-errors.ts';
import { asFormBody, emptyIn, errorSummary, guidedErrors, type FormErrors } from '../platform/http/form-fields.ts';
import { partnerUpdateSchema } from '../partners/partner.schemas.ts';
import { partnerFromForm } from '../partners/signup-form.ts';
import { REGIONS, REGION_SLUGS } from '../regions/regions.ts';
import type { SkillCatalogue } from '../skills/skill-catalogue.ts';
import type { OperatorSession } from './admin-auth.service.ts';
import type { AdminConsoleService } from './admin-console.service.ts';
import { PARTNER_EDIT_GUIDE } from './console-forms.ts';

/** What the partner pages get from the console plugin that registers them. */
export interface ConsolePageContext {
  adminConsole: AdminConsoleService;
  catalogue: SkillCatalogue;
  csrf: preHandlerHookHandler;
  operatorOf: (request: FastifyRequest) => OperatorSession;
  page: (request: FastifyRequest, reply: FastifyReply, name: string, title: string, data: Record<string, unknown>, status?: number) => FastifyReply;
}

const PAGE_SIZE = 50;
const idParams = z.object({ id: z.uuid() });
const searchQuery = z.object({
  q: z.string().max(254).optional(),
  skill: z.string().max(200).optional(),
  region: z.enum(REGION_SLUGS).or(z.literal('')).optional(),
  status: z.enum(['pending', 'active', 'paused', 'unsubscribed', 'deactivated']).or(z.literal('')).optional(),
  cursor: z.string().max(200).optional(),
});
const TIMEZONES = ['UTC', ...Intl.supportedValuesOf('timeZone').filter((tz) => tz !== 'UTC')];

const issuesOf = (error: z.ZodError): FieldIssue[] =>
  error.issues.map((i) => ({ path: i.path.map((p) => (typeof p === 'number' ? p : String(p))), message: i.message }));

/**
 * The console's partner pages: search (company or email, skill, region, status; keyset pages),
 * one partner (profile, skills, digest settings, every digest with SMTP's answer, interests), and
 * the actions edit, deactivate, reactivate and "send a preferences link", each audited.
 */
export function registerPartnerPages(app: FastifyInstance, ctx: ConsolePageContext): void {
  const { adminConsole, catalogue, page, operatorOf, csrf } = ctx;

  app.get('/admin/partners', { schema: { hide: true, querystring: searchQuery } }, async (request, reply) => {
    const query = request.query as z.infer<typeof searchQuery>;
    const filters = { q: query.q?.trim() ?? '', skill: query.skill?.trim() ?? '', region: query.region ?? '', status: query.status ?? '' };
    const skill = filters.skill ? catalogue.resolve(filters.skill) : undefined;
    if (filters.skill && !skill) {
      const suggestions = catalogue.suggest(filters.skill).map((s) => s.label);
      const notice = `No skill is called "${filters.skill}".${suggestions.length ? ` Did you mean ${suggestions.join(', ')}?` : ''}`;
      return page(request, reply, 'admin-partners', 'Partners', { filters, regions: REGIONS, partners: [], next: null, notice }, 400);
    }
    const found = await adminConsole.searchPartners({
      limit: PAGE_SIZE,
      cursor: query.cursor,
      text: filters.q || undefined,
      skillIds: skill ? [skill.id] : undefined,
      region: filters.region || undefined,
      status: filters.status || undefined,
    });
    const next = found.nextCursor ? `/admin/partners?${new URLSearchParams({ ...filters, cursor: found.nextCursor }).toString()}` : null;
    return page(request, reply, 'admin-partners', 'Partners', { filters, regions: REGIONS, partners: found.partners, next, notice: null });
  });

  const partnerPage = async (request: FastifyRequest, reply: FastifyReply, id: string, notice: string | null = null, status = 200) => {
    const data = await adminConsole.partner(id);
    return page(request, reply, 'admin-partner', data.partner.company, { ...data, notice }, status);
  };

  app.get('/admin/partners/:id', { schema: { hide: true, params: idParams } }, async (request, reply) =>
    partnerPage(request, reply, (request.params as z.infer<typeof idParams>).id),
  );

  /** `form`: the errors next to their fields and the summary at the top, each a link to its field. */
  const editPage = (request: FastifyRequest, reply: FastifyReply, id: string, values: Record<string, unknown>, form: FormErrors = { errors: {}, summary: [] }, status = 200) =>
    page(
      request,
      reply,
      'admin-partner-edit',
      form.summary.length ? 'Error: Edit partner' : 'Edit partner',
      { id, values, errors: form.errors, summary: form.summary, groups: catalogue.groups(), regions: REGIONS, timezones: TIMEZONES },
      status,
    );

  app.get('/admin/partners/:id/edit', { schema: { hide: true, params: idParams } }, async (request, reply) => {
    const { id } = request.params as z.infer<typeof idParams>;
    const { partner } = await adminConsole.partner(id);
    return editPage(request, reply, id, { ...partner, skills: partner.skills.map((s) => s.slug) });
  });

  app.post('/admin/partners/:id/edit', { schema: { hide: true, params: idParams }, preHandler: csrf }, async (request, reply) => {
    const { id } = request.params as z.infer<typeof idParams>;
    const body = asFormBody(request.body);
    const values = partnerFromForm(body);
    // The API's own schema: the same limits, messages and skill resolution as PATCH /api/partners/:id.
    const parsed = partnerUpdateSchema.safeParse({ ...values, website: values.website ?? undefined, country: values.country ?? '', profile: values.profile ?? '' });
    const guided = (issues: FieldIssue[]) => guidedErrors(issues, PARTNER_EDIT_GUIDE, emptyIn(body));
    if (!parsed.success) return editPage(request, reply, id, values, guided(issuesOf(parsed.error)), 400);
    try {
      await adminConsole.updatePartner(operatorOf(request), id, parsed.data);
    } catch (error) {
      if (error instanceof ValidationError) return editPage(request, reply, id, values, guided(error.issues), error.status);
      if (error instanceof ConflictError) {
        const errors = { email: error.message };
        return editPage(request, reply, id, values, { errors, summary: errorSummary(errors, PARTNER_EDIT_GUIDE) }, error.status);
      }
      throw error;
    }
    return partnerPage(request, reply, id, 'Saved. Matching takes the new profile into account from now on.');
  });

  const action = (path: string, run: (operator: OperatorSession, id: string) => Promise<unknown>, done: string) =>
    app.post(`/admin/partners/:id/${path}`, { schema: { hide: true, params: idParams }, preHandler: csrf }, async (request, reply) => {
      const { id } = request.params as z.infer<typeof idParams>;
      try {
        await run(operatorOf(request), id);
      } catch (error) {
        if (error instanceof ConflictError) return partnerPage(request, reply, id, `${error.message}. Nothing was changed.`, error.status);
        throw error;
      }
      return partnerPage(request, reply, id, done);
    });

  action('deactivate', adminConsole.deactivatePartner, 'Deactivated: no more matches or digests until reactivated.');
  action('reactivate', adminConsole.reactivatePartner, 'Reactivated: matched and emailed again from the next digest.');
  action('preferences-link', adminConsole.sendPreferencesLink, 'A link to their preferences is on its way to them.');
}
