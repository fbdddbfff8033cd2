import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ValidationError } from '../platform/errors/app-errors.ts';
import type { SkillCatalogue } from '../skills/skill-catalogue.ts';
import type { InterestService } from './interest.service.ts';
import type { Links } from '../platform/links/links.ts';
import type { Pages } from '../platform/http/pages.ts';
import type { LinkSigner } from '../platform/links/link-tokens.ts';
import { asFormBody, text } from '../platform/http/form-fields.ts';
import { verifiedSubject } from '../platform/links/token-pages.ts';
import { NOTE_MAX_CHARS } from './interest-note.ts';
import { NOT_RELEVANT_REASONS, type NotRelevantReason } from './interest.schemas.ts';
import {
  type InterestOutcome,
  type NotRelevantOutcome,
  type Refused,
  type Standing,
  type WithdrawOutcome,
} from './interest.service.ts';
import { formatWhen, opportunityFacts, REASON_LABELS } from './interest-view.ts';

const tokenParams = z.object({ token: z.string().max(1000) });
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// What the two forms may send; anything else is a 400 page and nothing is written.
const interestAction = z.enum(['interest', 'withdraw']).default('interest');
const reasonField = z.enum(NOT_RELEVANT_REASONS);

type Purpose = 'interest' | 'not-relevant';
const PATHS: Record<Purpose, string> = { interest: '/i/', 'not-relevant': '/n/' };
type Ids = { partnerId: string; opportunityId: string };
interface Notice {
  kind: 'ok' | 'info';
  lines: string[];
}

/** What these routes use, wired in src/app/. */
export interface InterestRouteDeps {
  catalogue: SkillCatalogue;
  pages: Pages;
  signer: LinkSigner;
  links: Links;
  interests: InterestService;
}

/** "<partnerId>:<opportunityId>", both uuids; undefined for anything else. */
function parseSubject(subject: string): Ids | undefined {
  const [partnerId, opportunityId, ...rest] = subject.split(':');
  if (rest.length || !partnerId || !opportunityId || !UUID.test(partnerId) || !UUID.test(opportunityId)) return undefined;
  return { partnerId, opportunityId };
}

/**
 * Where the buttons in a digest land: /i/<token> ("I'm interested") and /n/<token> ("not
 * relevant"). GET and HEAD only show the opportunity, who is acting and a form: mail scanners
 * fetch every link, so nothing changes before the partner presses the page's button, whose POST
 * carries a CSRF token. The token's subject names the partner: whoever holds the link acts for
 * that partner, and the page says so. The submitter's own status page (/o/…) is never linked.
 */
export function interestRoutes(deps: InterestRouteDeps): FastifyPluginAsync {
  const { pages, interests } = deps;

  /** The partner and opportunity a verified token names; undefined once a friendly page is sent. */
  function idsFrom(request: FastifyRequest, reply: FastifyReply, purpose: Purpose): Ids | undefined {
    const { token } = request.params as z.infer<typeof tokenParams>;
    const subject = verifiedSubject(deps.signer, pages, reply, token, purpose);
    if (!subject) return undefined;
    const ids = parseSubject(subject);
    if (!ids) {
      request.log.warn({ purpose }, 'digest link with a well-signed but malformed subject');
      void pages.message(reply, 400, 'This link does not work', ['Nothing was changed. Try copying the whole link from the email.']);
    }
    return ids;
  }

  function refusalPage(reply: FastifyReply, refused: Refused, partnerId: string): FastifyReply {
    switch (refused.refusal) {
      case 'opportunity-unknown':
        return pages.message(reply, 404, 'Opportunity not found', ['This opportunity is no longer here. Nothing was changed.']);
      case 'opportunity-not-open':
        return pages.message(reply, 404, 'Opportunity not found', ['This opportunity is not open to partners. Nothing was changed.']);
      case 'opportunity-ended':
        return pages.message(reply, 410, 'This opportunity is closed', [
          `“${refused.title}” is no longer open: the submitter found a partner, withdrew it, or it expired. Nothing was changed.`,
          'Your next digest brings new opportunities that fit your skills.',
        ]);
      case 'partner-unknown':
        return pages.message(reply, 404, 'We could not find your partner account', [
          'The partner account this link belongs to no longer exists. Nothing was changed.',
        ]);
      case 'own-opportunity':
        return pages.message(reply, 403, 'This is your own opportunity', [
          `You submitted “${refused.title}”, so it is not yours to answer. Nothing was changed.`,
          'Its status page is linked from the receipt we emailed you.',
        ]);
      case 'partner-inactive':
        return inactivePage(reply, refused.status, partnerId);
    }
  }

  function inactivePage(reply: FastifyReply, status: string, partnerId: string): FastifyReply {
    const title = 'Your partner account is not active';
    switch (status) {
      case 'pending':
        return pages.message(reply, 403, title, [
          'Please confirm your email address first, with the link in the email we sent when you joined. Nothing was changed.',
        ]);
      case 'paused':
        return pages.message(
          reply,
          403,
          title,
          ['Your account is paused. Switch your digest on again in your settings, then come back to this page. Nothing was changed.'],
          { url: new URL(deps.links.preferences(partnerId)).pathname, label: 'Your digest settings' },
        );
      case 'unsubscribed':
        return pages.message(reply, 403, title, ['You unsubscribed, so this account no longer takes part. Nothing was changed.'], {
          url: '/join',
          label: 'Join again',
        });
      default:
        return pages.message(reply, 403, title, ['This partner account is switched off. Write to us to switch it on again. Nothing was changed.']);
    }
  }

  /** What both pages show above their form. */
  const common = (reply: FastifyReply, request: FastifyRequest, purpose: Purpose, s: Standing, notice: Notice | undefined) => ({
    title: s.opportunity.title,
    opportunity: opportunityFacts(s.opportunity, deps.catalogue, s.partner.skillIds),
    actingAs: { company: s.partner.company, email: s.partner.email },
    notice: notice ?? null,
    // The form posts back to the link it came from: the same token names the same partner.
    action: `${PATHS[purpose]}${(request.params as z.infer<typeof tokenParams>).token}`,
    csrfToken: reply.generateCsrf(),
  });

  const when = (s: Standing, at: Date | null | undefined) => (at ? formatWhen(at, s.partner.timezone) : '');

  function interestPage(
    request: FastifyRequest,
    reply: FastifyReply,
    s: Standing,
    options: { notice?: Notice; note?: string; error?: string; status?: number } = {},
  ): FastifyReply {
    const { interest } = s;
    return pages.send(
      reply,
      'interest',
      {
        ...common(reply, request, 'interest', s, options.notice),
        state: !interest ? 'new' : interest.status,
        expressedAt: when(s, interest?.createdAt),
        withdrawnAt: when(s, interest?.withdrawnAt),
        savedNote: interest?.note ?? '',
        // After a withdrawal the old note is offered again; a rejected note is kept, not lost.
        note: options.note ?? (interest?.status === 'withdrawn' ? interest.note : ''),
        error: options.error ?? null,
        noteMax: NOTE_MAX_CHARS,
      },
      options.status ?? 200,
    );
  }

  function notRelevantPage(
    request: FastifyRequest,
    reply: FastifyReply,
    s: Standing,
    options: { notice?: Notice; error?: string; status?: number } = {},
  ): FastifyReply {
    const stored = s.notRelevant;
    return pages.send(
      reply,
      'not-relevant',
      {
        ...common(reply, request, 'not-relevant', s, options.notice),
        stored: stored ? { at: when(s, stored.createdAt), label: stored.reason ? REASON_LABELS[stored.reason] : null } : null,
        muted: s.muted,
        reason: stored?.reason ?? null,
        reasons: NOT_RELEVANT_REASONS.map((value) => ({ value, label: REASON_LABELS[value] })),
        error: options.error ?? null,
      },
      options.status ?? 200,
    );
  }

  const interestNotice = (outcome: InterestOutcome | WithdrawOutcome, s: Standing): Notice => {
    const i = s.interest;
    switch (outcome) {
      case 'recorded':
        return { kind: 'ok', lines: ['Thank you. We let the submitter know that you are interested.'] };
      case 'renewed':
        return { kind: 'ok', lines: ['You are interested again. We let the submitter know.'] };
      case 'already':
        return { kind: 'info', lines: [`You already told them on ${when(s, i?.createdAt)}. Nothing was changed.`] };
      case 'withdrawn':
        return { kind: 'ok', lines: ['You withdrew your interest.'] };
      case 'already-withdrawn':
        return { kind: 'info', lines: [`You already withdrew your interest on ${when(s, i?.withdrawnAt)}. Nothing was changed.`] };
      case 'never-interested':
        return { kind: 'info', lines: ['You had not said you are interested, so there was nothing to withdraw.'] };
    }
  };

  const notRelevantNotice = (outcome: NotRelevantOutcome, reason: NotRelevantReason | null, s: Standing): Notice => {
    if (outcome === 'unchanged') {
      return { kind: 'info', lines: [`This is stored already, since ${when(s, s.notRelevant?.createdAt)}. Nothing was changed.`] };
    }
    if (reason === null) {
      return {
        kind: 'ok',
        lines: ['Thank you, we stored it: not relevant for you. The submitter is not told.', 'Want to tell us why? One tap below, and your next digests fit you better.'],
      };
    }
    const muted = reason === 'mute-submitter' ? ['You will not see opportunities from this submitter again.'] : [];
    const said = {
      stored: `Thank you, we stored it: ${REASON_LABELS[reason]}.`,
      'reason-added': `Thank you, we added your reason: ${REASON_LABELS[reason]}.`,
      updated: `We changed your answer to: ${REASON_LABELS[reason]}.`,
    }[outcome];
    return { kind: 'ok', lines: [said, ...muted] };
  };

  const badForm = (reply: FastifyReply) =>
    pages.message(reply, 400, 'That did not work', ['The form sent something we do not understand. Nothing was changed.']);

  return async (app) => {
    const csrf = app.csrfProtection.bind(app);
    const landing = (purpose: Purpose) => async (request: FastifyRequest, reply: FastifyReply) => {
      const ids = idsFrom(request, reply, purpose);
      if (!ids) return reply;
      const result = await interests.standing(ids.partnerId, ids.opportunityId);
      if (!result.ok) return refusalPage(reply, result, ids.partnerId);
      return purpose === 'interest' ? interestPage(request, reply, result.standing) : notRelevantPage(request, reply, result.standing);
    };

    // GET also answers HEAD (Fastify's default): neither writes anything.
    app.get('/i/:token', { schema: { hide: true, params: tokenParams } }, landing('interest'));
    app.get('/n/:token', { schema: { hide: true, params: tokenParams } }, landing('not-relevant'));

    app.post('/i/:token', { schema: { hide: true, params: tokenParams }, preHandler: csrf }, async (request, reply) => {
      const ids = idsFrom(request, reply, 'interest');
      if (!ids) return reply;
      const body = asFormBody(request.body);
      const action = interestAction.safeParse(text(body, 'action'));
      if (!action.success) return badForm(reply);

      if (action.data === 'withdraw') {
        const result = await interests.withdrawInterest(ids.partnerId, ids.opportunityId);
        if (!result.ok) return refusalPage(reply, result, ids.partnerId);
        return interestPage(request, reply, result.standing, { notice: interestNotice(result.outcome, result.standing) });
      }

      const note = text(body, 'note');
      try {
        const result = await interests.expressInterest(ids.partnerId, ids.opportunityId, note);
        if (!result.ok) return refusalPage(reply, result, ids.partnerId);
        return interestPage(request, reply, result.standing, { notice: interestNotice(result.outcome, result.standing) });
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        const current = await interests.standing(ids.partnerId, ids.opportunityId);
        if (!current.ok) return refusalPage(reply, current, ids.partnerId);
        return interestPage(request, reply, current.standing, { note, error: error.message, status: 400 });
      }
    });

    app.post('/n/:token', { schema: { hide: true, params: tokenParams }, preHandler: csrf }, async (request, reply) => {
      const ids = idsFrom(request, reply, 'not-relevant');
      if (!ids) return reply;
      // The plain "Not relevant" button sends no reason: one tap is enough, the reason is optional.
      const reason = reasonField.nullable().safeParse(text(asFormBody(request.body), 'reason') ?? null);
      if (!reason.success) {
        const current = await interests.standing(ids.partnerId, ids.opportunityId);
        if (!current.ok) return refusalPage(reply, current, ids.partnerId);
        return notRelevantPage(request, reply, current.standing, { error: 'We do not know that reason: choose one of the buttons.', status: 400 });
      }
      const result = await interests.markNotRelevant(ids.partnerId, ids.opportunityId, reason.data);
      if (!result.ok) return refusalPage(reply, result, ids.partnerId);
      return notRelevantPage(request, reply, result.standing, { notice: notRelevantNotice(result.outcome, reason.data, result.standing) });
    });
  };
}
