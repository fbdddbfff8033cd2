import { URGENT_DELIVERIES, URGENT_DELIVERY_LABELS } from './partner.schemas.ts';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { z } from 'zod';
import { NotFoundError, ValidationError, type FieldIssue } from '../platform/errors/app-errors.ts';
import type { SkillCatalogue } from '../skills/skill-catalogue.ts';
import type { Pages } from '../platform/http/pages.ts';
import type { PreferencesService } from './preferences.service.ts';
import type { LinkSigner } from '../platform/links/link-tokens.ts';
import { asFormBody, emptyIn, guidedErrors, type FormErrors } from '../platform/http/form-fields.ts';
import { verifiedSubject } from '../platform/links/token-pages.ts';
import { REGIONS, regionLabel } from '../regions/regions.ts';
import type { PartnerStatus } from './partner.service.ts';
import {
  DIGEST_FREQUENCIES,
  FREQUENCY_LABELS,
  MIN_SCORE_CHOICES,
  PREFERENCES_FORM_GUIDE,
  WEEKDAYS,
  preferencesFormValues,
  preferencesFromForm,
  preferencesInputSchema,
} from './preferences.schemas.ts';
import type { PartnerPreferences, SaveOutcome } from './preferences.service.ts';

const tokenParams = z.object({ token: z.string().max(1000) });
const TIMEZONES = ['UTC', ...Intl.supportedValuesOf('timeZone').filter((tz) => tz !== 'UTC')];
const HOURS = Array.from({ length: 24 }, (_, h) => ({ value: h, label: `${String(h).padStart(2, '0')}:00` }));

interface Notice {
  kind: 'ok' | 'info' | 'warn';
  text: string;
  link?: { url: string; label: string };
}

/** What these routes use, wired in src/app/. */
export interface PreferencesRouteDeps {
  preferences: PreferencesService;
  catalogue: SkillCatalogue;
  pages: Pages;
  signer: LinkSigner;
}

/** Why a partner who is not active gets no digest, whatever they save here. */
function statusNotice(status: PartnerStatus, email: string): Notice | undefined {
  switch (status) {
    case 'unsubscribed':
      return {
        kind: 'warn',
        text: `${email} is unsubscribed, so we send it no digest. You can still change these settings, but saving them does not subscribe you again: to get the digest again, join again.`,
        link: { url: '/join', label: 'Join again' },
      };
    case 'deactivated':
      return {
        kind: 'warn',
        text: 'This partner account is switched off, so we send it no digest. You can still change these settings, but saving them does not switch it on again: write to us for that.',
      };
    case 'pending':
      return {
        kind: 'info',
        text: 'Please confirm your email address first, with the link in the email we sent when you joined. Until then we send no digest.',
      };
    case 'paused':
      return { kind: 'info', text: 'Your digest is paused. Choose how often you want it and save to start it again.' };
    default:
      return undefined;
  }
}

function savedNotice(outcome: SaveOutcome, frequency: string): Notice {
  if (outcome.status !== 'active') return { kind: 'ok', text: 'Saved your settings.' };
  if (frequency === 'paused') {
    return { kind: 'ok', text: 'Saved — your digest is paused. We send nothing until you choose how often here again.' };
  }
  return {
    kind: 'ok',
    text: `Saved — your next digest uses these settings.${outcome.resumed ? ' Your digest is switched on again.' : ''}`,
  };
}

/** Adds a value the lists do not hold (an alias time zone, a score set by an admin) so it shows as chosen. */
function withCurrent<T extends { value: string | number; label: string }>(options: readonly T[], current: unknown, label: (v: string) => string) {
  const value = typeof current === 'string' || typeof current === 'number' ? String(current) : '';
  if (value === '' || options.some((o) => String(o.value) === value)) return options;
  return [...options, { value, label: label(value) }];
}

/** /p/<token>: the partner's own digest settings, from the link in every digest. */
export function preferencesRoutes(deps: PreferencesRouteDeps): FastifyPluginAsync {
  const { pages, signer, preferences } = deps;

  return async (app) => {
    const csrf = app.csrfProtection.bind(app);

    const notFound = (reply: FastifyReply) =>
      pages.message(reply, 404, 'We could not find your settings', [
        'The partner account this link belongs to no longer exists. Nothing was changed.',
      ]);

    const renderForm = (
      reply: FastifyReply,
      token: string,
      current: PartnerPreferences,
      values: Record<string, unknown>,
      { errors, summary }: FormErrors,
      notices: Notice[],
      status: number,
    ) => {
      const { partner } = current;
      return pages.send(
        reply,
        'preferences',
        {
          title: summary.length ? 'Error: Your digest settings' : 'Your digest settings',
          company: partner.company,
          email: partner.email,
          held: heldAbout(current),
          values,
          errors,
          summary,
          notices,
          action: `/p/${token}`,
          csrfToken: reply.generateCsrf(),
          // A crafted value (hour 25) stays selected next to its error instead of silently becoming the first option.
          frequencies: withCurrent(
            DIGEST_FREQUENCIES.map((f) => ({ value: f, label: FREQUENCY_LABELS[f] })),
            values.digestFrequency,
            (v) => v,
          ),
          weekdays: withCurrent(WEEKDAYS, values.digestDay, (v) => v),
          hours: withCurrent(HOURS, values.digestHour, (v) => v),
          timezones: withCurrent(
            TIMEZONES.map((tz) => ({ value: tz, label: tz })),
            values.timezone,
            (v) => v,
          ),
          minScores: withCurrent(MIN_SCORE_CHOICES, values.minScore, (v) => `Your current setting (${v})`),
          urgentDeliveries: URGENT_DELIVERIES.map((value) => ({ value, label: URGENT_DELIVERY_LABELS[value] })),
          regions: REGIONS,
          groups: deps.catalogue.groups(),
        },
        status,
      );
    };

    const currentValues = ({ partner, settings, skillSlugs }: PartnerPreferences) => ({
      ...settings,
      timezone: partner.timezone,
      regions: partner.regions,
      remoteOk: partner.remoteOk,
      skills: skillSlugs,
      profile: partner.profile,
    });

    /** What we hold about the partner, as stored (not as typed): the page shows it all. */
    const heldAbout = ({ partner }: PartnerPreferences) => [
      { label: 'Company', value: partner.company },
      { label: 'Contact', value: partner.contactName },
      { label: 'Email', value: partner.email },
      { label: 'Website', value: partner.website ?? '' },
      { label: 'Country', value: partner.country ?? '' },
      { label: 'Regions', value: [...partner.regions.map(regionLabel), ...(partner.remoteOk ? ['remote work anywhere'] : [])].join(', ') },
      { label: 'Skills', value: deps.catalogue.labels(partner.skillIds).join(', ') },
      { label: 'Named in your profile', value: deps.catalogue.labels(partner.profileSkillIds).join(', ') },
      { label: 'Profile', value: partner.profile },
    ];

    const notices = (...list: Array<Notice | undefined>) => list.filter((n): n is Notice => n !== undefined);

    app.get('/p/:token', { schema: { hide: true, params: tokenParams } }, async (request, reply) => {
      const { token } = request.params as z.infer<typeof tokenParams>;
      const partnerId = verifiedSubject(signer, pages, reply, token, 'preferences');
      if (!partnerId) return reply;
      const current = await preferences.load(partnerId);
      if (!current) return notFound(reply);
      const paused = current.partner.status === 'active' && current.settings.digestFrequency === 'paused';
      return renderForm(
        reply,
        token,
        current,
        currentValues(current),
        { errors: {}, summary: [] },
        notices(
          statusNotice(current.partner.status, current.partner.email),
          paused ? { kind: 'info', text: 'Your digest is paused. Choose how often you want it and save to start it again.' } : undefined,
        ),
        200,
      );
    });

    app.post('/p/:token', { schema: { hide: true, params: tokenParams }, preHandler: csrf }, async (request, reply) => {
      const { token } = request.params as z.infer<typeof tokenParams>;
      const partnerId = verifiedSubject(signer, pages, reply, token, 'preferences');
      if (!partnerId) return reply;
      const current = await preferences.load(partnerId);
      if (!current) return notFound(reply);
      const body = asFormBody(request.body);
      const status = statusNotice(current.partner.status, current.partner.email);
      const fail = (issues: FieldIssue[]) =>
        renderForm(reply, token, current, preferencesFormValues(body), guidedErrors(issues, PREFERENCES_FORM_GUIDE, emptyIn(body)), notices(status), 400);

      const parsed = preferencesInputSchema.safeParse(preferencesFromForm(body));
      if (!parsed.success) {
        return fail(parsed.error.issues.map((i) => ({ path: i.path.map((p) => (typeof p === 'number' ? p : String(p))), message: i.message })));
      }
      let outcome: SaveOutcome;
      try {
        outcome = await preferences.save(partnerId, parsed.data);
      } catch (error) {
        if (error instanceof ValidationError) return fail(error.issues);
        if (error instanceof NotFoundError) return notFound(reply);
        throw error;
      }
      const saved = (await preferences.load(partnerId))!;
      return renderForm(
        reply,
        token,
        saved,
        currentValues(saved),
        { errors: {}, summary: [] },
        notices(savedNotice(outcome, parsed.data.digestFrequency), statusNotice(outcome.status, saved.partner.email)),
        200,
      );
    });
  };
}
