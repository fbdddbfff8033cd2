import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ValidationError } from '../platform/errors/app-errors.ts';
import { asFormBody, text } from '../platform/http/form-fields.ts';
import type { Pages } from '../platform/http/pages.ts';
import type { LinkSigner } from '../platform/links/link-tokens.ts';
import { verifiedSubject } from '../platform/links/token-pages.ts';
import { AMOUNT_LABELS, ANSWER_LABELS, OUTCOME_AMOUNTS, OUTCOME_ANSWERS, OUTCOME_NOTE_MAX, preselectQuery } from './outcome.schemas.ts';
import type { OutcomeService, Question } from './outcome.service.ts';

const tokenParams = z.object({ token: z.string().max(1000) });

/** What these routes use, wired in src/app/. */
export interface OutcomeRouteDeps {
  outcomes: OutcomeService;
  pages: Pages;
  signer: LinkSigner;
}

interface PageOptions {
  /** The answer to show selected: the form's, the link's, or the stored one. */
  selected?: string | undefined;
  amount?: string | undefined;
  note?: string | undefined;
  notice?: { kind: 'ok' | 'info'; lines: string[] } | undefined;
  error?: string | undefined;
  status?: number;
}

/**
 * "Did you and <other company> work together?" behind the signed link of the outcome emails:
 * /w/<token>[?answer=yes]. GET and HEAD only show the question, the link's answer preselected
 * (mail scanners fetch every link: nothing is recorded before the person presses the button);
 * the page's POST, with a CSRF token, records or changes the answer.
 */
export function outcomeRoutes(deps: OutcomeRouteDeps): FastifyPluginAsync {
  const { pages, outcomes } = deps;

  const requestIdFrom = (request: FastifyRequest, reply: FastifyReply): string | undefined =>
    verifiedSubject(deps.signer, pages, reply, (request.params as z.infer<typeof tokenParams>).token, 'outcome');

  const gone = (reply: FastifyReply) =>
    pages.message(reply, 404, 'This introduction is no longer here', ['There is nothing to answer any more. Nothing was changed.']);

  function page(request: FastifyRequest, reply: FastifyReply, q: Question, options: PageOptions = {}): FastifyReply {
    const r = q.request;
    const selected = options.selected ?? r.answer ?? null;
    return pages.send(
      reply,
      'outcome',
      {
        title: `Did you and ${q.other.company} work together?`,
        question: `Did you and ${q.other.company} work together?`,
        about: q.introduction.title,
        introducedOn: q.introduction.createdAt.toISOString().slice(0, 10),
        other: q.other,
        actingAs: q.me,
        side: q.side,
        stored: r.answer
          ? {
              answer: ANSWER_LABELS[r.answer],
              amount: r.amount ? AMOUNT_LABELS[r.amount] : null,
              on: r.answeredAt ? r.answeredAt.toISOString().slice(0, 10) : '',
            }
          : null,
        answers: OUTCOME_ANSWERS.map((value) => ({ value, label: ANSWER_LABELS[value], checked: value === selected })),
        amounts: OUTCOME_AMOUNTS.map((value) => ({ value, label: AMOUNT_LABELS[value], checked: value === (options.amount ?? r.amount) })),
        note: options.note ?? r.note ?? '',
        noteMax: OUTCOME_NOTE_MAX,
        notice: options.notice ?? null,
        error: options.error ?? null,
        action: `/w/${(request.params as z.infer<typeof tokenParams>).token}`,
        csrfToken: reply.generateCsrf(),
      },
      options.status ?? 200,
    );
  }

  return async (app) => {
    const csrf = app.csrfProtection.bind(app);

    // GET also answers HEAD (Fastify's default): neither writes anything.
    app.get('/w/:token', { schema: { hide: true, params: tokenParams } }, async (request, reply) => {
      const requestId = requestIdFrom(request, reply);
      if (!requestId) return reply;
      const q = await outcomes.question(requestId);
      if (!q) return gone(reply);
      const { answer } = preselectQuery.parse(request.query);
      return page(request, reply, q, { selected: answer });
    });

    app.post('/w/:token', { schema: { hide: true, params: tokenParams }, preHandler: csrf }, async (request, reply) => {
      const requestId = requestIdFrom(request, reply);
      if (!requestId) return reply;
      const body = asFormBody(request.body);
      const form = { answer: text(body, 'answer'), amount: text(body, 'amount'), note: text(body, 'note') };
      try {
        const result = await outcomes.answer(requestId, form);
        if (!result) return gone(reply);
        const label = ANSWER_LABELS[result.question.request.answer!];
        const notice = result.changed
          ? { kind: 'ok' as const, lines: [`Thank you. We recorded your answer: ${label}.`, 'You can change it here, from the same link, at any time.'] }
          : { kind: 'info' as const, lines: [`This is your answer already: ${label}. Nothing was changed.`] };
        return page(request, reply, result.question, { notice });
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        const q = await outcomes.question(requestId);
        if (!q) return gone(reply);
        return page(request, reply, q, { selected: form.answer, amount: form.amount, note: form.note, error: error.message, status: 400 });
      }
    });
  };
}
