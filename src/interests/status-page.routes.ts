import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { formatBudget, formatWhere } from '../opportunities/opportunity-format.ts';
import { isOpen, type Opportunity } from '../opportunities/opportunity.schemas.ts';
import type { OpportunityService } from '../opportunities/opportunity.service.ts';
import { ValidationError } from '../platform/errors/app-errors.ts';
import { asFormBody, list, text } from '../platform/http/form-fields.ts';
import type { Pages } from '../platform/http/pages.ts';
import type { LinkSigner } from '../platform/links/link-tokens.ts';
import { verifiedSubject } from '../platform/links/token-pages.ts';
import type { IntroductionService, InterestOverview } from './introduction.service.ts';
import { formatDay } from '../platform/text/dates.ts';

const tokenParams = z.object({ token: z.string().max(1000) });

const STATUS_TEXT: Record<Opportunity['status'], string> = {
  pending_verification: 'Waiting for you to confirm your email',
  pending_review: 'Waiting for a quick review by our team',
  published: 'Published: matching partners hear about it in their next digest',
  closed: 'Closed: you found your partner',
  withdrawn: 'Withdrawn',
  expired: 'Expired',
  rejected: 'Not published after review',
};

/** One side's answer to "did you work together?", as the status page shows it. */
interface SideOutcomeView {
  answerLabel: string | null;
  amountLabel: string | null;
  answeredOn: string | null;
}

/**
 * What the status page shows of an introduction's outcome: the outcome loop (a room above this
 * one) provides it by this shape, wired in src/app/.
 */
export interface IntroductionOutcomeView {
  askOn: string;
  asked: boolean;
  submitter: (SideOutcomeView & { answerUrl: string }) | null;
  partner: SideOutcomeView | null;
}

/** What these routes use, wired in src/app/. */
export interface StatusPageRouteDeps {
  opportunities: OpportunityService;
  introductions: IntroductionService;
  outcomes: {
    ofOpportunity(opportunityId: string, introduced: Array<{ partnerId: string; introducedOn: string }>): Promise<Map<string, IntroductionOutcomeView>>;
  };
  pages: Pages;
  signer: LinkSigner;
}

/** "3 digests: 7 Dec 2026 (2), 8 Dec 2026" or "none yet". */
function digestsText(digests: InterestOverview['digests']): string {
  if (digests.sent === 0) return 'none yet: matching partners see it in their next digest';
  const days = digests.perDay.map((d) => (d.digests > 1 ? `${formatDay(d.day)} (${d.digests})` : formatDay(d.day))).join(', ');
  return `${digests.sent} ${digests.sent === 1 ? 'digest' : 'digests'}: ${days}`;
}

/**
 * The submitter's status page (/o/…, behind the signed link of every mail they get): the
 * opportunity, its reach, the partners who are interested, picking whom to meet, closing or
 * withdrawing. It lives with the interest loop, which builds on opportunities (never the reverse).
 */
export function statusPageRoutes(deps: StatusPageRouteDeps): FastifyPluginAsync {
  const { pages, signer } = deps;
  return async (app) => {
    const csrf = app.csrfProtection.bind(app);

    app.get('/o/:token', { schema: { hide: true, params: tokenParams } }, async (request, reply) => {
      const { token } = request.params as z.infer<typeof tokenParams>;
      const id = verifiedSubject(signer, pages, reply, token, 'opportunity-status');
      if (!id) return reply;
      const o = await deps.opportunities.get(id);
      const loop = await deps.introductions.overview(id);
      const outcomes = await deps.outcomes.ofOpportunity(id, loop.introductions);
      return pages.send(reply, 'status', {
        title: o.title,
        opportunity: o,
        statusText: STATUS_TEXT[o.status],
        where: formatWhere(o.regions, o.remote),
        budget: formatBudget(o.budgetMin, o.budgetMax, o.currency),
        canEnd: isOpen(o.status),
        digests: digestsText(loop.digests),
        interests: loop.interests,
        introductions: loop.introductions.map((n) => ({ ...n, outcome: outcomes.get(n.partnerId) ?? null })),
        canPick: o.status === 'published' && loop.interests.length > 0,
        action: `/o/${token}`,
        introduceAction: `/o/${token}/introduce`,
        csrfToken: reply.generateCsrf(),
      });
    });

    // The submitter picks partners from the status page; each pick is one introduction.
    app.post('/o/:token/introduce', { schema: { hide: true, params: tokenParams }, preHandler: csrf }, async (request, reply) => {
      const { token } = request.params as z.infer<typeof tokenParams>;
      const id = verifiedSubject(signer, pages, reply, token, 'opportunity-status');
      if (!id) return reply;
      await deps.introductions.introduce(id, list(asFormBody(request.body), 'interest'));
      return reply.redirect(`/o/${token}`, 303);
    });

    app.post('/o/:token', { schema: { hide: true, params: tokenParams }, preHandler: csrf }, async (request, reply) => {
      const { token } = request.params as z.infer<typeof tokenParams>;
      const id = verifiedSubject(signer, pages, reply, token, 'opportunity-status');
      if (!id) return reply;
      const end = text(asFormBody(request.body), 'end');
      if (end !== 'closed' && end !== 'withdrawn') {
        throw new ValidationError('Choose whether to close or withdraw', [{ path: ['end'], message: 'must be closed or withdrawn' }]);
      }
      await deps.opportunities.end(id, end);
      return reply.redirect(`/o/${token}`, 303);
    });
  };
}
