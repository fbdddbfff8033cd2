import { URGENT_DELIVERIES, URGENT_DELIVERY_LABELS } from './partner.schemas.ts';
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { ValidationError, type FieldIssue } from '../platform/errors/app-errors.ts';
import type { SkillCatalogue } from '../skills/skill-catalogue.ts';
import type { Pages } from '../platform/http/pages.ts';
import type { PartnerService } from './partner.service.ts';
import type { RateLimits } from '../platform/http/rate-limits.ts';
import type { LinkSigner } from '../platform/links/link-tokens.ts';
import { asFormBody, checked, emptyIn, guidedErrors, text, type FormErrors } from '../platform/http/form-fields.ts';
import { verifiedSubject } from '../platform/links/token-pages.ts';
import { REGIONS, regionLabel } from '../regions/regions.ts';
import { partnerInputSchema } from './partner.schemas.ts';
import { JOIN_FORM_GUIDE, partnerFromForm, signupFormValues } from './signup-form.ts';

const tokenParams = z.object({ token: z.string().max(1000) });
const TIMEZONES = ['UTC', ...Intl.supportedValuesOf('timeZone').filter((tz) => tz !== 'UTC')];

/** What these routes use, wired in src/app/. */
export interface SignupRouteDeps {
  partners: PartnerService;
  catalogue: SkillCatalogue;
  pages: Pages;
  signer: LinkSigner;
  rateLimits: RateLimits;
}

/** Self-service sign-up at /join and the confirmation that activates the partner. */
export function signupRoutes(deps: SignupRouteDeps): FastifyPluginAsync {
  const { pages } = deps;
  return async (app) => {
    const csrf = app.csrfProtection.bind(app);
    const renderForm = (reply: Parameters<typeof pages.send>[0], values: Record<string, unknown>, { errors, summary }: FormErrors, status: number) =>
      pages.send(
        reply,
        'join',
        {
          title: summary.length ? 'Error: Join as a partner' : 'Join as a partner',
          values,
          errors,
          summary,
          csrfToken: reply.generateCsrf(),
          groups: deps.catalogue.groups(),
          regions: REGIONS,
          timezones: TIMEZONES,
          urgentDeliveries: URGENT_DELIVERIES.map((value) => ({ value, label: URGENT_DELIVERY_LABELS[value] })),
        },
        status,
      );

    app.get('/join', { schema: { hide: true } }, async (_request, reply) => renderForm(reply, {}, { errors: {}, summary: [] }, 200));

    app.post('/join', { schema: { hide: true }, preHandler: csrf }, async (request, reply) => {
      const body = asFormBody(request.body);
      await deps.rateLimits.consume('ip', request.ip);
      if (text(body, 'company_site')) {
        request.log.info('honeypot field filled; sign-up dropped');
        return reply.redirect('/join/sent', 303);
      }
      const fail = (issues: FieldIssue[]) => renderForm(reply, signupFormValues(body), guidedErrors(issues, JOIN_FORM_GUIDE, emptyIn(body)), 400);
      const parsed = partnerInputSchema.safeParse(partnerFromForm(body));
      const issues: FieldIssue[] = parsed.success
        ? []
        : parsed.error.issues.map((i) => ({ path: i.path.map((p) => (typeof p === 'number' ? p : String(p))), message: i.message }));
      // No skills ticked and a profile that names none of ours: said with the other fields' errors.
      const form = partnerFromForm(body);
      if (!parsed.success && form.skills.length === 0 && !issues.some((i) => i.path[0] === 'skills') && !deps.partners.profileNamesSkills(form.profile ?? '')) {
        issues.push({ path: ['skills'], message: 'choose at least one skill' });
      }
      if (!checked(body, 'consent')) issues.push({ path: ['consent'], message: 'please agree to receive the digest' });
      if (!parsed.success || issues.length) return fail(issues);
      await deps.rateLimits.consume('email', parsed.data.email);
      try {
        await deps.partners.signUp(parsed.data);
      } catch (error) {
        if (error instanceof ValidationError) return fail(error.issues);
        throw error;
      }
      return reply.redirect('/join/sent', 303);
    });

    app.get('/join/sent', { schema: { hide: true } }, async (_request, reply) =>
      pages.message(reply, 200, 'Check your inbox', [
        'We sent you an email with a link to confirm your address. Your first digest comes after you confirm.',
        'Nothing arrived within a few minutes? Look in your spam folder, or sign up again with the right address.',
      ]),
    );

    app.get('/join/confirm/:token', { schema: { hide: true, params: tokenParams } }, async (request, reply) => {
      const { token } = request.params as z.infer<typeof tokenParams>;
      const id = verifiedSubject(deps.signer, pages, reply, token, 'confirm-partner');
      if (!id) return reply;
      const partner = await deps.partners.get(id);
      if (partner.status !== 'pending') {
        return pages.message(reply, 200, 'You are all set', [`${partner.company} is already confirmed.`]);
      }
      return pages.send(reply, 'action', {
        title: 'Confirm your sign-up',
        paragraphs: ['Press the button to confirm your email address and start receiving your weekly digest.'],
        details: [
          { label: 'Company', value: partner.company },
          { label: 'Email', value: partner.email },
          { label: 'Skills', value: partner.skills.map((s) => s.label).join(', ') },
          ...(partner.profileSkills.length ? [{ label: 'Named in your profile', value: partner.profileSkills.map((s) => s.label).join(', ') }] : []),
          { label: 'Regions', value: partner.regions.map(regionLabel).join(', ') },
        ],
        action: `/join/confirm/${token}`,
        button: 'Confirm my sign-up',
        csrfToken: reply.generateCsrf(),
      });
    });

    app.post('/join/confirm/:token', { schema: { hide: true, params: tokenParams }, preHandler: csrf }, async (request, reply) => {
      const { token } = request.params as z.infer<typeof tokenParams>;
      const id = verifiedSubject(deps.signer, pages, reply, token, 'confirm-partner');
      if (!id) return reply;
      const partner = await deps.partners.confirm(id);
      return pages.message(reply, 200, 'Welcome aboard', [
        `${partner.company} is confirmed. Your first digest arrives on Monday morning, ${partner.timezone} time, when there is work that fits your skills.`,
      ]);
    });
  };
}
