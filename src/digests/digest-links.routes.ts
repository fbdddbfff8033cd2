import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { NotFoundError } from '../errors/app-errors.js';
import type { AppDeps } from '../http/app-deps.js';
import { verifiedSubject } from '../links/token-pages.js';
import { formatBudget, formatWhere } from '../opportunities/opportunity-format.js';
import type { OpportunityRow } from '../opportunities/opportunity.repository.js';

const tokenParams = z.object({ token: z.string().max(1000) });
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** "<partnerId>:<opportunityId>", both uuids; undefined for anything else. */
function parseSubject(subject: string): { partnerId: string; opportunityId: string } | undefined {
  const [partnerId, opportunityId, ...rest] = subject.split(':');
  if (rest.length || !partnerId || !opportunityId || !UUID.test(partnerId) || !UUID.test(opportunityId)) return undefined;
  return { partnerId, opportunityId };
}

const NOTES: Record<'interest' | 'not-relevant', { heading: string; note: string }> = {
  interest: {
    heading: 'Interested?',
    note: 'Soon you will tell the submitter you are interested with one button on this page. That button is coming soon: nothing was sent, and the submitter does not know you opened this page.',
  },
  'not-relevant': {
    heading: 'Not for you?',
    note: 'Soon you will tell us with one button on this page that this opportunity does not fit, so your next digests fit better. That button is coming soon: nothing was recorded.',
  },
};

/**
 * Where the buttons in a digest land: /i/<token> ("I'm interested") and /n/<token> ("not
 * relevant"). For now each only shows the opportunity; GET and HEAD change nothing, and there is
 * no POST yet. The submitter's own status page (/o/…) is never linked from here.
 */
export function digestLinkRoutes(deps: Pick<AppDeps, 'opportunities' | 'partners' | 'catalogue' | 'pages' | 'signer'>): FastifyPluginAsync {
  const { pages } = deps;

  const landing = (purpose: 'interest' | 'not-relevant') => async (request: FastifyRequest, reply: FastifyReply) => {
    const { token } = request.params as z.infer<typeof tokenParams>;
    const subject = verifiedSubject(deps.signer, pages, reply, token, purpose);
    if (!subject) return reply;
    const ids = parseSubject(subject);
    if (!ids) {
      request.log.warn({ purpose }, 'digest link with a well-signed but malformed subject');
      return pages.message(reply, 400, 'This link does not work', ['Nothing was changed. Try copying the whole link from the email.']);
    }

    let o: OpportunityRow;
    try {
      o = await deps.opportunities.getRow(ids.opportunityId);
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
      return pages.message(reply, 404, 'Opportunity not found', ['This opportunity is no longer here. Nothing was changed.']);
    }
    const ended = ['closed', 'withdrawn', 'expired'].includes(o.status) || (o.status === 'published' && o.expiresAt.getTime() <= Date.now());
    if (ended) {
      return pages.message(reply, 410, 'This opportunity is closed', [
        `“${o.title}” is no longer open: the submitter found a partner, withdrew it, or it expired. Nothing was changed.`,
        'Your next digest brings new opportunities that fit your skills.',
      ]);
    }
    // Digests only ever hold published opportunities; anything else is not for partners to see.
    if (o.status !== 'published') {
      return pages.message(reply, 404, 'Opportunity not found', ['This opportunity is not open to partners. Nothing was changed.']);
    }

    let yours = new Set<string>();
    try {
      yours = new Set((await deps.partners.get(ids.partnerId)).skills.map((s) => s.slug));
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
    }
    const skills = (skillIds: number[], required: boolean) =>
      deps.catalogue.refs(skillIds).map((s) => ({ label: s.label, required, yours: yours.has(s.slug) }));

    void reply.header('Cache-Control', 'no-store');
    return pages.send(reply, 'opportunity', {
      title: o.title,
      opportunity: {
        title: o.title,
        company: o.anonymous ? null : o.submitterCompany,
        skills: [...skills(o.requiredSkillIds, true), ...skills(o.niceSkillIds, false)],
        where: formatWhere(o.regions, o.remote),
        budget: formatBudget(o.budgetMin, o.budgetMax, o.currency),
        startDate: o.startDate,
        openUntil: o.expiresAt.toISOString().slice(0, 10),
        description: o.description,
      },
      ...NOTES[purpose],
    });
  };

  return async (app) => {
    app.get('/i/:token', { schema: { hide: true, params: tokenParams } }, landing('interest'));
    app.get('/n/:token', { schema: { hide: true, params: tokenParams } }, landing('not-relevant'));
  };
}
