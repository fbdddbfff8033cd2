import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { z } from 'zod';
import { ValidationError, type FieldIssue } from '../../platform/errors/app-errors.ts';
import type { SkillCatalogue } from '../../skills/skill-catalogue.ts';
import type { Links } from '../../platform/links/links.ts';
import { UrgentWindowError, type OpportunityService } from '../../opportunities/opportunity.service.ts';
import type { Pages } from '../../platform/http/pages.ts';
import type { LinkSigner } from '../../platform/links/link-tokens.ts';
import { asFormBody, emptyIn, errorSummary, guidedErrors } from '../../platform/http/form-fields.ts';
import { verifiedSubject } from '../../platform/links/token-pages.ts';
import type { OpportunityRow } from '../../opportunities/opportunity.service.ts';
import { opportunityInputSchema } from '../../opportunities/opportunity.schemas.ts';
import { opportunityFromForm, SUBMIT_FORM_GUIDE, submitFormValues } from '../../opportunities/submit-form.ts';
import { REGIONS } from '../../regions/regions.ts';
import type { InboundIntake } from '../inbound.service.ts';

const tokenParams = z.object({ token: z.string().max(1000) });

/** What these routes use, wired in src/app/. */
export interface DraftRouteDeps {
  intake: Pick<InboundIntake, 'attachmentNamesOf'>;
  opportunities: OpportunityService;
  catalogue: SkillCatalogue;
  pages: Pages;
  signer: LinkSigner;
  links: Links;
}

/** The draft as the form shows it; a draft with no region stated asks again rather than assume remote. */
function draftValues(o: OpportunityRow, catalogue: SkillCatalogue) {
  return {
    title: o.title,
    description: o.description,
    requiredSkills: catalogue.refs(o.requiredSkillIds).map((s) => s.slug),
    niceToHaveSkills: catalogue.refs(o.niceSkillIds).map((s) => s.slug),
    regions: o.regions,
    remote: o.remote && o.regions.length > 0,
    budgetMin: o.budgetMin,
    budgetMax: o.budgetMax,
    currency: o.currency,
    startDate: o.startDate,
    anonymous: o.anonymous,
    urgent: o.urgent,
    'submitter.name': o.submitterName,
    'submitter.company': o.submitterCompany,
  };
}

/** What the draft still lacks, shown as the form's field errors before anything is typed. */
function draftGaps(o: OpportunityRow): Record<string, string> {
  const gaps: Record<string, string> = {};
  if (o.title.trim().length < 5) gaps.title = 'We found no title: please give one';
  if (o.description.trim().length < 20) gaps.description = 'We found too little to describe the work: please add to it';
  if (o.requiredSkillIds.length === 0) gaps.requiredSkills = 'We recognised no skill: please pick at least one';
  if (o.regions.length === 0) gaps.regions = 'We found no region: choose at least one, or allow remote work';
  return gaps;
}

/**
 * The page behind the acknowledgement's link: an opportunity that came in by email, in the
 * submit form, to correct and publish. GET only shows it; the form's POST (CSRF) acts.
 */
export function emailDraftRoutes(
  deps: DraftRouteDeps,
): FastifyPluginAsync {
  const { pages, signer } = deps;
  return async (app) => {
    const csrf = app.csrfProtection.bind(app);

    const renderForm = async (reply: FastifyReply, token: string, o: OpportunityRow, values: Record<string, unknown>, errors: Record<string, string>, status: number) =>
      pages.send(
        reply,
        'email-draft',
        {
          title: 'Check and publish your opportunity',
          values,
          errors,
          summary: errorSummary(errors, SUBMIT_FORM_GUIDE),
          email: o.submitterEmail,
          expiresOn: o.expiresAt.toISOString().slice(0, 10),
          urgentWindowDays: deps.opportunities.urgentWindowDays,
          attachments: await deps.intake.attachmentNamesOf(o.id),
          reach: await deps.opportunities.reachOf(o),
          action: `/e/${token}`,
          csrfToken: reply.generateCsrf(),
          groups: deps.catalogue.groups(),
          regions: REGIONS,
        },
        status,
      );

    /** A draft that moved on (published, withdrawn…) is no longer edited here: its status page is. */
    const movedOn = (reply: FastifyReply, o: OpportunityRow) =>
      pages.message(reply, 200, 'Already published', ['This opportunity was published before; its status page shows it, and you can withdraw it there.'], {
        url: deps.links.opportunityStatus(o.id, o.expiresAt),
        label: 'See its status',
      });

    app.get('/e/:token', { schema: { hide: true, params: tokenParams } }, async (request, reply) => {
      const { token } = request.params as z.infer<typeof tokenParams>;
      const id = verifiedSubject(signer, pages, reply, token, 'email-draft');
      if (!id) return reply;
      const o = await deps.opportunities.getRow(id);
      if (o.status !== 'pending_verification') return movedOn(reply, o);
      return renderForm(reply, token, o, draftValues(o, deps.catalogue), draftGaps(o), 200);
    });

    app.post('/e/:token', { schema: { hide: true, params: tokenParams }, preHandler: csrf }, async (request, reply) => {
      const { token } = request.params as z.infer<typeof tokenParams>;
      const id = verifiedSubject(signer, pages, reply, token, 'email-draft');
      if (!id) return reply;
      const o = await deps.opportunities.getRow(id);
      if (o.status !== 'pending_verification') return movedOn(reply, o);
      const body = asFormBody(request.body);
      // The link proved the mailbox the mail came from; the form cannot name another one.
      const form = opportunityFromForm(body);
      const parsed = opportunityInputSchema.safeParse({ ...form, submitter: { ...form.submitter, email: o.submitterEmail } });
      const fail = (issues: FieldIssue[]) => renderForm(reply, token, o, submitFormValues(body), guidedErrors(issues, SUBMIT_FORM_GUIDE, emptyIn(body)).errors, 400);
      if (!parsed.success) {
        return fail(parsed.error.issues.map((i) => ({ path: i.path.map((p) => (typeof p === 'number' ? p : String(p))), message: i.message })));
      }
      try {
        const published = await deps.opportunities.correctDraft(id, parsed.data);
        return reply.redirect(new URL(deps.links.opportunityStatus(published.id, published.expiresAt)).pathname, 303);
      } catch (error) {
        if (error instanceof ValidationError) return fail(error.issues);
        if (error instanceof UrgentWindowError) return renderForm(reply, token, o, submitFormValues(body), guidedErrors(error.issues, SUBMIT_FORM_GUIDE, emptyIn(body)).errors, 422);
        throw error;
      }
    });
  };
}
