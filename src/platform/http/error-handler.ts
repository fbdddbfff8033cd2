import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError, RateLimitedError, type FieldIssue } from '../errors/app-errors.ts';
import { isConnectionError } from '../errors/connection-errors.ts';
import type { Pages } from './pages.ts';

export const errorResponseSchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    requestId: z.string(),
    issues: z.array(z.object({ path: z.array(z.union([z.string(), z.number()])), message: z.string() })),
  }),
});

/** What a 503 tells a client to wait: Postgres and Redis come back within seconds to a minute. */
const UNAVAILABLE_RETRY_AFTER_SECONDS = 30;

function validationIssues(error: FastifyError): FieldIssue[] {
  return (error.validation ?? []).map((v) => {
    const issue = (v.params as { issue?: { path?: PropertyKey[]; message?: string } } | undefined)?.issue;
    const path = issue?.path ?? v.instancePath.split('/').filter(Boolean);
    return {
      path: path.map((p) => (typeof p === 'number' ? p : String(p))),
      message: issue?.message ?? v.message ?? 'is invalid',
    };
  });
}

const wantsHtml = (request: FastifyRequest) =>
  !request.url.startsWith('/api/') && /text\/html/.test(request.headers.accept ?? '');

/**
 * One place that turns errors into answers: JSON `{ error: { code, message, requestId, issues } }`
 * for the API, a page for browsers. Unknown errors become a 500 whose details stay in the log; an
 * unreachable Postgres or Redis is a 503 with Retry-After. Postgres, Redis or SMTP error text
 * never reaches a caller.
 */
export function installErrorHandler(app: FastifyInstance, pages: Pages): void {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    let status: number;
    let code: string;
    let message: string;
    let issues: FieldIssue[] = [];
    if (hasZodFastifySchemaValidationErrors(error)) {
      status = 400;
      code = 'validation_failed';
      message = `The ${error.validationContext ?? 'request'} is not valid`;
      issues = validationIssues(error);
    } else if (error instanceof AppError) {
      ({ status, code, message, issues } = error);
      if (error instanceof RateLimitedError) void reply.header('Retry-After', String(error.retryAfterSeconds));
    } else if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
      // Fastify's own: malformed JSON, body too large, unsupported media type…
      status = error.statusCode;
      code = (error.code ?? 'bad_request').toLowerCase();
      message = error.statusCode === 413 ? 'The request body is too large' : error.message;
    } else if (isConnectionError(error)) {
      // Postgres or Redis is away for now: say so, and when to come back, rather than "broken".
      request.log.warn({ err: error }, 'request failed: a server is unreachable');
      status = 503;
      code = 'unavailable';
      message = 'The service is briefly unavailable; please try again in a minute';
      void reply.header('Retry-After', String(UNAVAILABLE_RETRY_AFTER_SECONDS));
    } else {
      request.log.error({ err: error }, 'request failed');
      status = 500;
      code = 'internal';
      message = 'Something went wrong';
    }
    if (wantsHtml(request)) {
      const title = status === 429 ? 'Slow down, please' : status === 503 ? 'Back in a minute' : status >= 500 ? 'Something went wrong' : 'That did not work';
      return pages.message(reply, status, title, [message, `Reference: ${request.id}`]);
    }
    return reply.status(status).send({ error: { code, message, requestId: request.id, issues } });
  });

  app.setNotFoundHandler((request, reply) => {
    // A person (a browser asks for HTML) gets a page that leads on; the API keeps its JSON.
    if (wantsHtml(request)) return pages.send(reply, 'not-found', { title: 'Page not found' }, 404);
    return reply.status(404).send({
      error: { code: 'not_found', message: `no route for ${request.method} ${request.url.split('?')[0]}`, requestId: request.id, issues: [] },
    });
  });
}
