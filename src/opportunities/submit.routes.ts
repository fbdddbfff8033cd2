import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { ValidationError, type FieldIssue } from '../platform/errors/app-errors.ts';
import type { SkillCatalogue } from '../skills/skill-catalogue.ts';
import type { Links } from '../platform/links/links.ts';
import { UrgentWindowError, type OpportunityService } from './opportunity.service.ts';
import type { Pages } from '../platform/http/pages.ts';
import type { RateLimits } from '../platform/http/rate-limits.ts';
import type { LinkSigner } from '../platform/links/link-tokens.ts';
import { asFormBody, emptyIn, guidedErrors, text, type FormBody, type FormErrors } from '../platform/http/form-fields.ts';
import { verifiedSubject } from '../platform/links/token-pages.ts';
import { REGIONS } from '../regions/regions.ts';
import { opportunityInputSchema } from './opportunity.schemas.ts';
import { opportunityFromForm, SUBMIT_FORM_GUIDE, submitFormValues } from './submit-form.ts';

const tokenParams = z.object({ token: z.string().max(1000) });

/** What these routes use, wired in src/app/. */
export interface SubmitRouteDeps {
  opportunities: OpportunityService;
  catalogue: SkillCatalogue;
  pages: Pages;
  signer: LinkSigner;
  links: Links;
  rateLimits: RateLimits;
}

/** The web form at /submit and the submitter's email confirmation (the status page is in interests/). */
export function submitRoutes(
  deps: SubmitRouteDeps,
): FastifyPluginAsync {
  const { pages, signer } = deps;
  return async (app) => {
    const csrf = app.csrfProtection.bind(app);
    const renderForm = (reply: Parameters<typeof pages.send>[0], values: Record<string, unknown>, { errors, summary }: FormErrors, status: number) =>
      pages.send(
        reply,
        'submit',
        {
          title: summary.length ? 'Error: Submit an opportunity' : 'Submit an opportunity',
          values,
          errors,
          summary,
          csrfToken: reply.generateCsrf(),
          groups: deps.catalogue.groups(),
          regions: REGIONS,
          urgentWindowDays: deps.opportunities.urgentWindowDays,
        },
        status,
      );

    app.get('/submit', { schema: { hide: true } }, async (_request, reply) => renderForm(reply, {}, { errors: {}, summary: [] }, 200));

    app.post('/submit', { schema: { hide: true }, preHandler: csrf }, async (request, reply) => {
      const body: FormBody = asFormBody(request.body);
      await deps.rateLimits.consume('ip', request.ip);
      // Bots fill every field; people never see this one. Answer as if it worked, store nothing.
      if (text(body, 'company_site')) {
        request.log.info('honeypot field filled; submission dropped');
        return reply.redirect('/submit/sent', 303);
      }
      const parsed = opportunityInputSchema.safeParse(opportunityFromForm(body));
      const fail = (issues: FieldIssue[]) => renderForm(reply, submitFormValues(body), guidedErrors(issues, SUBMIT_FORM_GUIDE, emptyIn(body)), 400);
      if (!parsed.success) {
        return fail(parsed.error.issues.map((i) => ({ path: i.path.map((p) => (typeof p === 'number' ? p : String(p))), message: i.message })));
      }
      try {
        // A typo must not use up the submitter's allowance: only a submission that would be
        // accepted counts against the per-email limit.
        deps.opportunities.check(parsed.data);
        await deps.rateLimits.consume('email', parsed.data.submitter.email);
        await deps.opportunities.submit({ source: 'form', input: parsed.data });
      } catch (error) {
        if (error instanceof ValidationError) return fail(error.issues);
        // The urgent flag with a start date too far away: the form again, saying so (a 422).
        if (error instanceof UrgentWindowError) return renderForm(reply, submitFormValues(body), guidedErrors(error.issues, SUBMIT_FORM_GUIDE, emptyIn(body)), 422);
        throw error;
      }
      return reply.redirect('/submit/sent', 303);
    });

    app.get('/submit/sent', { schema: { hide: true } }, async (_request, reply) =>
      pages.message(reply, 200, 'Check your inbox', [
        'We sent you an email with a link to confirm your address. Your opportunity goes to matching partners as soon as you confirm.',
        'Nothing arrived within a few minutes? Look in your spam folder, or submit again with the right address.',
      ]),
    );

    app.get('/submit/confirm/:token', { schema: { hide: true, params: tokenParams } }, async (request, reply) => {
      const { token } = request.params as z.infer<typeof tokenParams>;
      const id = verifiedSubject(signer, pages, reply, token, 'confirm-opportunity');
      if (!id) return reply;
      const o = await deps.opportunities.getRow(id);
      if (o.status !== 'pending_verification') {
        return pages.message(reply, 200, 'Already confirmed', ['This opportunity was confirmed before.'], {
          url: deps.links.opportunityStatus(o.id, o.expiresAt),
          label: 'See its status',
        });
      }
      // Before it goes out: whom it would reach, so nobody publishes into silence unknowingly.
      const reach = await deps.opportunities.reachOf(o);
      return pages.send(reply, 'action', {
        title: 'Confirm your opportunity',
        paragraphs: [
          'Press the button to confirm your email address. Then we match the opportunity with partners.',
          ...(reach ? [`Who would hear of it: ${reach}`] : []),
        ],
        details: [
          { label: 'Title', value: o.title },
          { label: 'Skills needed', value: deps.catalogue.labels(o.requiredSkillIds).join(', ') },
          { label: 'Submitted by', value: `${o.submitterName}, ${o.submitterCompany}` },
          ...(o.startDate ? [{ label: 'Starts', value: o.startDate }] : []),
          {
            label: 'Urgent',
            value: o.urgent
              ? 'Yes: partners who asked for urgent work get an alert within minutes of publishing; the others find it in their digest'
              : 'No: it goes out with the partners\' digests',
          },
        ],
        action: `/submit/confirm/${token}`,
        button: 'Confirm and publish',
        csrfToken: reply.generateCsrf(),
      });
    });

    app.post('/submit/confirm/:token', { schema: { hide: true, params: tokenParams }, preHandler: csrf }, async (request, reply) => {
      const { token } = request.params as z.infer<typeof tokenParams>;
      const id = verifiedSubject(signer, pages, reply, token, 'confirm-opportunity');
      if (!id) return reply;
      const o = await deps.opportunities.confirmSubmitter(id);
      return reply.redirect(new URL(deps.links.opportunityStatus(o.id, o.expiresAt)).pathname, 303);
    });
  };
}
