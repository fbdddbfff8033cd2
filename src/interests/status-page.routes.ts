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
import { pickAnchor } from './interest-card.ts';
import { formatDay } from '../platform/text/dates.ts';

const tokenParams = z.object({ token: z.string().max(1000) });

const endQuery = z.object({ as: z.enum(['closed', 'withdrawn']) });
/** The flags a redirect leaves for the page to say what just happened (PRG): never trusted beyond display. */
const flashQuery = z.object({
  introduced: z
    .string()
    .max(2000)
    .optional()
    .transform((v) => (v ? v.split(',').filter((id) => z.uuid().safeParse(id).success) : [])),
  ended: z.enum(['closed', 'withdrawn']).optional().catch(undefined),
  undone: z.literal('1').optional().catch(undefined),
});

const FIXED_STATUS_TEXT: Record<Exclude<Opportunity['status'], 'published'>, string> = {
  pending_verification: 'Waiting for you to confirm your email',
  pending_review: 'Waiting for a quick review by our team',
  closed: 'Closed: you found your partner',
  withdrawn: 'Withdrawn: the project is off',
  expired: 'Expired',
  rejected: 'Not published after review',
};

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The status line, from what has happened: a published opportunity says how far it went. */
export function statusText(o: Pick<Opportunity, 'status' | 'matchedAt' | 'matchCount'>, digests: InterestOverview['digests']): string {
  if (o.status !== 'published') return FIXED_STATUS_TEXT[o.status];
  if (!o.matchedAt) return 'Published: we are finding the partners it fits';
  if (o.matchCount === 0) return 'Published: no partner matches it yet; new partners are matched as they join';
  if (digests.sent === 0) return `Published: ${plural(o.matchCount, 'matching partner')} hear about it in their next digest`;
  const last = digests.perDay.at(-1)!.day;
  return `Published: sent in ${plural(digests.sent, 'digest')} so far, the last on ${formatDay(last)}`;
}

/** "3 digests: 7 Dec 2026 (2), 8 Dec 2026" or "none yet". */
function digestsText(o: Pick<Opportunity, 'status'>, digests: InterestOverview['digests']): string {
  if (digests.sent === 0) return o.status === 'published' ? 'none yet: matching partners see it in their next digest' : 'none';
  const days = digests.perDay.map((d) => (d.digests > 1 ? `${formatDay(d.day)} (${d.digests})` : formatDay(d.day))).join(', ');
  const alerts = digests.alerts ? ` (${plural(digests.alerts, 'urgent alert')} among them)` : '';
  return `${plural(digests.sent, 'digest')}${alerts}: ${days}`;
}

/** One line of the timeline: a day (or null: still to come) and what happened. */
interface TimelineEntry {
  on: string | null;
  text: string;
}

const day = (value: string | null | undefined) => (value ? value.slice(0, 10) : null);

/** What happened to the opportunity so far, oldest first, from the facts the services give. */
function timeline(o: Opportunity, closedAt: Date | null, loop: InterestOverview, outcomes: Map<string, IntroductionOutcomeView>): TimelineEntry[] {
  const entries: TimelineEntry[] = [{ on: day(o.createdAt), text: 'Submitted' }];
  if (o.publishedAt) entries.push({ on: day(o.publishedAt), text: 'Published' });
  if (o.matchedAt) entries.push({ on: day(o.matchedAt), text: `Matched with ${plural(o.matchCount, 'partner')}` });
  if (loop.digests.sent > 0) {
    const first = loop.digests.perDay[0]!.day;
    const last = loop.digests.perDay.at(-1)!.day;
    const alerts = loop.digests.alerts ? `, ${plural(loop.digests.alerts, 'urgent alert')} among them` : '';
    entries.push({ on: first, text: `Sent in ${plural(loop.digests.sent, 'digest')}${alerts}${last !== first ? `, until ${formatDay(last)}` : ''}` });
  }
  const interested = loop.interested;
  if (interested.total > 0) {
    const withdrew = interested.withdrawn ? ` (${interested.withdrawn} withdrew)` : '';
    entries.push({ on: interested.firstOn, text: `${plural(interested.total, 'partner')} said they are interested${withdrew}` });
  }
  for (const n of loop.introductions) {
    entries.push({ on: n.introducedOn, text: `Introduced to ${n.company}` });
    const out = outcomes.get(n.partnerId);
    const answers = [out?.submitter?.answerLabel ? `you: ${out.submitter.answerLabel}` : null, out?.partner?.answerLabel ? `${n.company}: ${out.partner.answerLabel}` : null].filter(
      (a): a is string => a !== null,
    );
    if (answers.length) entries.push({ on: out?.submitter?.answeredOn ?? out?.partner?.answeredOn ?? null, text: `Worked together? ${answers.join('; ')}` });
  }
  if (closedAt && (o.status === 'closed' || o.status === 'withdrawn')) {
    entries.push({ on: closedAt.toISOString().slice(0, 10), text: o.status === 'closed' ? 'Closed: partner found' : 'Withdrawn' });
  }
  return entries;
}

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

/**
 * The submitter's status page (/o/…, behind the signed link of every mail they get): the
 * opportunity, its reach, the partners who are interested, picking whom to meet, closing or
 * withdrawing. It lives with the interest loop, which builds on opportunities (never the reverse).
 */
export function statusPageRoutes(deps: StatusPageRouteDeps): FastifyPluginAsync {
  const { pages, signer } = deps;
  return async (app) => {
    const csrf = app.csrfProtection.bind(app);

    /** "HH:MM UTC" of a moment today, or its date and time when not today. */
    const untilText = (until: Date) => {
      const iso = until.toISOString();
      const today = iso.slice(0, 10) === new Date().toISOString().slice(0, 10);
      return `${today ? '' : `${iso.slice(0, 10)} `}${iso.slice(11, 16)} UTC`;
    };

    app.get('/o/:token', { schema: { hide: true, params: tokenParams } }, async (request, reply) => {
      const { token } = request.params as z.infer<typeof tokenParams>;
      const id = verifiedSubject(signer, pages, reply, token, 'opportunity-status');
      if (!id) return reply;
      const flash = flashQuery.safeParse(request.query);
      const flags = flash.success ? flash.data : { introduced: [], ended: undefined, undone: undefined };
      const [o, row, loop] = await Promise.all([deps.opportunities.get(id), deps.opportunities.getRow(id), deps.introductions.overview(id)]);
      const outcomes = await deps.outcomes.ofOpportunity(id, loop.introductions);
      const closedAt = row.closedAt ? new Date(row.closedAt) : null;
      const undoUntil = deps.opportunities.undoableUntil(row);
      const ended = !isOpen(o.status);
      const introducedNow = loop.introductions.filter((n) => (n.interestId && flags.introduced.includes(n.interestId)) || flags.introduced.includes(n.partnerId));
      return pages.send(reply, 'status', {
        title: o.title,
        opportunity: o,
        statusText: statusText(o, loop.digests),
        where: formatWhere(o.regions, o.remote),
        budget: formatBudget(o.budgetMin, o.budgetMax, o.currency),
        canEnd: isOpen(o.status),
        ended,
        digests: digestsText(o, loop.digests),
        // Each box to tick has the id the summary email's "Choose <company>" link ends in.
        interests: loop.interests.map((i) => ({ ...i, pickId: pickAnchor(i.interestId) })),
        interestedTotal: loop.interested.total,
        introductions: loop.introductions.map((n) => ({ ...n, outcome: outcomes.get(n.partnerId) ?? null })),
        introducedNow: introducedNow.map((n) => n.company).sort((x, y) => x.localeCompare(y)),
        endedNow: flags.ended === o.status ? flags.ended : null,
        undoneNow: flags.undone === '1' && o.status === 'published',
        undo: undoUntil ? { until: untilText(undoUntil), action: `/o/${token}/undo` } : null,
        timeline: timeline(o, closedAt, loop, outcomes),
        canPick: o.status === 'published' && loop.interests.length > 0,
        endUrl: `/o/${token}/end`,
        introduceAction: `/o/${token}/introduce`,
        csrfToken: reply.generateCsrf(),
      });
    });

    // The submitter picks partners from the status page; each pick is one introduction. The page
    // it redirects to says whom they were introduced to (PRG).
    app.post('/o/:token/introduce', { schema: { hide: true, params: tokenParams }, preHandler: csrf }, async (request, reply) => {
      const { token } = request.params as z.infer<typeof tokenParams>;
      const id = verifiedSubject(signer, pages, reply, token, 'opportunity-status');
      if (!id) return reply;
      const chosen = list(asFormBody(request.body), 'interest');
      await deps.introductions.introduce(id, chosen);
      return reply.redirect(`/o/${token}?introduced=${encodeURIComponent(chosen.join(','))}`, 303);
    });

    // Closing or withdrawing, step one: a page that says what will happen. GET changes nothing.
    app.get('/o/:token/end', { schema: { hide: true, params: tokenParams } }, async (request, reply) => {
      const { token } = request.params as z.infer<typeof tokenParams>;
      const id = verifiedSubject(signer, pages, reply, token, 'opportunity-status');
      if (!id) return reply;
      const query = endQuery.safeParse(request.query);
      if (!query.success) return reply.redirect(`/o/${token}`, 303);
      const [o, loop] = await Promise.all([deps.opportunities.get(id), deps.introductions.overview(id)]);
      if (!isOpen(o.status)) return reply.redirect(`/o/${token}`, 303);
      return pages.send(reply, 'status-end', {
        title: query.data.as === 'closed' ? `Close "${o.title}"?` : `Withdraw "${o.title}"?`,
        opportunity: o,
        as: query.data.as,
        waiting: loop.interests.length,
        graceMinutes: deps.opportunities.undoGraceMinutes,
        action: `/o/${token}/end`,
        back: `/o/${token}`,
        csrfToken: reply.generateCsrf(),
      });
    });

    // Step two: only this page's POST ends the opportunity.
    app.post('/o/:token/end', { schema: { hide: true, params: tokenParams }, preHandler: csrf }, async (request, reply) => {
      const { token } = request.params as z.infer<typeof tokenParams>;
      const id = verifiedSubject(signer, pages, reply, token, 'opportunity-status');
      if (!id) return reply;
      const end = text(asFormBody(request.body), 'end');
      if (end !== 'closed' && end !== 'withdrawn') {
        throw new ValidationError('Choose whether to close or withdraw', [{ path: ['end'], message: 'must be closed or withdrawn' }]);
      }
      const before = await deps.opportunities.getRow(id);
      const after = await deps.opportunities.end(id, end, { undoable: true });
      const endedNow = isOpen(before.status) && after.status === end;
      return reply.redirect(endedNow ? `/o/${token}?ended=${end}` : `/o/${token}`, 303);
    });

    // Undo: a page with the button (for whoever arrives by GET), and its POST.
    app.get('/o/:token/undo', { schema: { hide: true, params: tokenParams } }, async (request, reply) => {
      const { token } = request.params as z.infer<typeof tokenParams>;
      const id = verifiedSubject(signer, pages, reply, token, 'opportunity-status');
      if (!id) return reply;
      const [o, row] = await Promise.all([deps.opportunities.get(id), deps.opportunities.getRow(id)]);
      const until = deps.opportunities.undoableUntil(row);
      if (!until) return reply.redirect(`/o/${token}`, 303);
      return pages.send(reply, 'status-undo', {
        title: `Reopen "${o.title}"?`,
        opportunity: o,
        until: untilText(until),
        action: `/o/${token}/undo`,
        back: `/o/${token}`,
        csrfToken: reply.generateCsrf(),
      });
    });

    app.post('/o/:token/undo', { schema: { hide: true, params: tokenParams }, preHandler: csrf }, async (request, reply) => {
      const { token } = request.params as z.infer<typeof tokenParams>;
      const id = verifiedSubject(signer, pages, reply, token, 'opportunity-status');
      if (!id) return reply;
      const result = await deps.opportunities.undoEnd(id);
      if (result.undone) return reply.redirect(`/o/${token}?undone=1`, 303);
      const back = { url: `/o/${token}`, label: 'Back to the status page' };
      if (result.reason === 'not-ended') return reply.redirect(`/o/${token}`, 303);
      const why =
        result.reason === 'expired'
          ? 'Its end date has passed meanwhile, so it cannot be reopened. Submit it again if the work is still to be placed.'
          : result.reason === 'final'
            ? 'It was ended by our team, so it cannot be reopened here. Reply to any of our emails if that was a mistake.'
            : result.reason === 'mails-sent'
            ? 'The interested partners have already been told that it ended, so it stays as it is. Submit it again if the work is still to be placed.'
            : `Undo is possible for ${plural(deps.opportunities.undoGraceMinutes, 'minute')} after closing or withdrawing, and that time is over: the interested partners are being told it ended. Submit it again if the work is still to be placed.`;
      return pages.message(reply, 409, 'Too late to undo', [why], back);
    });
  };
}
