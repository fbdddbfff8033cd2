import type { IncomingMessage } from 'node:http';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError, ValidationError } from '../../platform/errors/app-errors.ts';
import type { InboundIntake, InboundMessageInput } from '../inbound.service.ts';
import { isIntakeRecipient, type IntakeAddressConfig } from './addresses.ts';
import { addressesIn, headerValues } from './raw-headers.ts';
import { parseMultipartForm } from './multipart-form.ts';
import { parseUrlEncodedForm } from './url-encoded-form.ts';
import { createUnverifiedBudget } from './unverified-budget.ts';
import { readBody } from './read-body.ts';
import { checkMailgunSignature, sharedSecretMatches } from './webhook-auth.ts';

export interface InboundWebhookSettings extends IntakeAddressConfig {
  maxBytes: number;
  /** `Authorization: Bearer <secret>` or `?key=<secret>`: any provider posting raw MIME. */
  webhookSecret: string | undefined;
  /** Mailgun's HTTP webhook signing key: its `timestamp`/`token`/`signature` fields. */
  mailgunSigningKey: string | undefined;
}

export interface InboundWebhookDeps {
  intake: Pick<InboundIntake, 'accept'>;
  settings: InboundWebhookSettings;
}

/** What the route's own parsers make of a body: form fields (as bytes) or a bare message. */
type WebhookBody = { kind: 'form'; fields: Map<string, Buffer> } | { kind: 'raw'; raw: Buffer };

/** A urlencoded form carries the message with up to 3× percent-encoding overhead, plus the other fields. */
const wireLimit = (maxBytes: number) => maxBytes * 3 + 64 * 1024;

const querySchema = z.object({
  key: z.string().max(500).optional(),
  /** For a bare message/rfc822 body: the envelope, which the message itself does not carry. */
  to: z.string().max(5000).optional(),
  from: z.string().max(500).optional(),
});

class WebhookUnauthorizedError extends AppError {
  constructor(message: string) {
    super(401, 'unauthorized', message);
  }
}

/** Who is posting, decided from the headers and the query string before the body is read. */
type Caller = { kind: 'shared-secret' } | { kind: 'mailgun'; signingKey: string };

const FORM_TYPES = /^\s*(application\/x-www-form-urlencoded|multipart\/form-data)\s*(;|$)/i;

/**
 * POST /inbound/raw: the email intake for providers that receive mail for us and post it on
 * (Mailgun's forward to a URL, or anything that posts raw MIME with our shared secret). Its own
 * body parsers and body limit live in this plugin only. Answered 200 only after the message is
 * stored; without any secret configured the route does not exist (404).
 *
 * The caller is authenticated before a byte of the body is read: a shared secret (header or
 * query) is checked in `onRequest`, and a request without one must be a form while Mailgun
 * signatures are accepted, or it is refused there. A Mailgun form is read (within the wire limit,
 * counted as it streams, and within a budget shared by all unproven bodies) until its signature
 * fields have arrived and is refused the moment they fail. Every refusal closes the connection,
 * so the rest of a large body is never read.
 */
export function inboundWebhookRoutes(deps: InboundWebhookDeps): FastifyPluginAsyncZod {
  const { settings } = deps;
  const limits = { maxPartBytes: settings.maxBytes, maxTotalBytes: wireLimit(settings.maxBytes) };
  // Room for two unproven bodies of the largest size at once; a crowd of them waits (503).
  const unverified = createUnverifiedBudget(2 * limits.maxTotalBytes);
  return async (app) => {
    if (!settings.webhookSecret && !settings.mailgunSigningKey) return;
    const callers = new WeakMap<FastifyRequest, Caller>();
    const callerOf = (request: FastifyRequest): Caller => {
      const caller = callers.get(request);
      if (!caller) throw new WebhookUnauthorizedError('A webhook secret or a Mailgun signature is required');
      return caller;
    };

    app.addHook('onRequest', async (request) => {
      callers.set(request, identifyCaller(settings, request));
    });
    // A refused request may still be sending its body: closing the connection stops Node from
    // reading (and discarding) the rest of it to keep the connection alive.
    app.addHook('onSend', async (_request, reply) => {
      if (reply.statusCode >= 400) reply.header('connection', 'close');
    });

    app.removeAllContentTypeParsers();
    // Read by hand, not by Fastify's buffer parser: an unsigned Mailgun form must count against
    // the budget of unproven bytes as it streams.
    app.addContentTypeParser('application/x-www-form-urlencoded', async (request: FastifyRequest, payload: IncomingMessage) => {
      const caller = callerOf(request);
      const body = await readBody(request.headers, payload, limits.maxTotalBytes, caller.kind === 'mailgun' ? unverified : undefined);
      return { kind: 'form', fields: parseUrlEncodedForm(body) } satisfies WebhookBody;
    });
    app.addContentTypeParser('message/rfc822', { parseAs: 'buffer' }, (_request, body, done) => {
      done(null, { kind: 'raw', raw: body as Buffer } satisfies WebhookBody);
    });
    app.addContentTypeParser('multipart/form-data', async (request: FastifyRequest, payload: IncomingMessage) => {
      const caller = callerOf(request);
      if (caller.kind !== 'mailgun') return { kind: 'form', fields: await parseMultipartForm(request.headers, payload, limits) } satisfies WebhookBody;
      // Proven once the signature fields have arrived and check out; refused the moment they fail.
      const checkSignatureEarly = (parts: ReadonlyMap<string, Buffer>) => {
        if (!SIGNATURE_FIELDS.every((name) => parts.has(name))) return false;
        verifyMailgun(caller.signingKey, parts);
        return true;
      };
      const fields = await parseMultipartForm(request.headers, payload, limits, { check: checkSignatureEarly, unverified });
      return { kind: 'form', fields } satisfies WebhookBody;
    });

    // Mailgun posts the raw MIME (`body-mime`) only to a forward() URL that ends in "mime".
    for (const url of ['/inbound/raw', '/inbound/raw/mime']) {
      app.post(
        url,
        { bodyLimit: limits.maxTotalBytes, schema: { hide: true, querystring: querySchema } },
        async (request, reply) => {
          const caller = callerOf(request);
          const body = (request.body as WebhookBody | undefined) ?? { kind: 'raw', raw: Buffer.alloc(0) };
          const replayToken = caller.kind === 'mailgun' ? verifyMailgun(caller.signingKey, body.kind === 'form' ? body.fields : new Map()) : undefined;
          const message = messageFrom(body, request.query);
          if (message.raw.length === 0) throw new ValidationError('The message is empty (no body-mime, email or message body)');
          if (message.raw.length > settings.maxBytes) {
            throw new AppError(413, 'message_too_large', `The message is larger than ${settings.maxBytes} bytes`);
          }
          const rcptTo = message.rcptTo.filter((r) => isIntakeRecipient(r, settings));
          // 406: Mailgun does not retry it; a recipient we do not serve will never become one.
          if (rcptTo.length === 0) throw new AppError(406, 'not_an_intake_address', 'None of the recipients is an address we take mail for');
          const result = await deps.intake.accept({ ...message, rcptTo }, { replayToken });
          if (!result.accepted) throw new WebhookUnauthorizedError('This request was seen before');
          return reply.status(200).send({ id: result.id, duplicate: result.duplicate });
        },
      );
    }
  };
}

/**
 * Who may post, from what arrives before the body: a shared secret, if one is given, must be
 * right (a right Mailgun signature does not excuse a wrong secret); without one, only a form,
 * and only while Mailgun signatures are accepted.
 */
function identifyCaller(settings: InboundWebhookSettings, request: FastifyRequest): Caller {
  const queryKey = (request.query as Record<string, unknown> | undefined)?.key;
  const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
  const given = bearer ?? queryKey;
  if (given !== undefined) {
    if (typeof given !== 'string' || !settings.webhookSecret || !sharedSecretMatches(given, settings.webhookSecret)) {
      throw new WebhookUnauthorizedError('The webhook secret is wrong');
    }
    return { kind: 'shared-secret' };
  }
  if (!settings.mailgunSigningKey) throw new WebhookUnauthorizedError('A webhook secret is required');
  if (!FORM_TYPES.test(request.headers['content-type'] ?? '')) {
    throw new WebhookUnauthorizedError('A webhook secret or a Mailgun signature is required');
  }
  return { kind: 'mailgun', signingKey: settings.mailgunSigningKey };
}

const SIGNATURE_FIELDS = ['timestamp', 'token', 'signature'] as const;

/** Mailgun's signature over the form's fields; returns its one-time token, claimed when the message is stored. */
function verifyMailgun(signingKey: string, fields: ReadonlyMap<string, Buffer>): string {
  const [timestamp, token, signature] = SIGNATURE_FIELDS.map((name) => fields.get(name)?.toString('utf8'));
  if (timestamp === undefined || token === undefined || signature === undefined) {
    throw new WebhookUnauthorizedError('A webhook secret or a Mailgun signature is required');
  }
  const verdict = checkMailgunSignature(signingKey, { timestamp, token, signature });
  if (verdict === 'bad-signature') throw new WebhookUnauthorizedError('The Mailgun signature is wrong');
  if (verdict === 'stale') throw new WebhookUnauthorizedError('The Mailgun timestamp is too old');
  return token;
}

/**
 * The message and its envelope. Mailgun: `body-mime`, `recipient`, `sender`. Raw-mode forms
 * (SendGrid's field names): `email`, `envelope` JSON `{ to, from }`. A bare message: `?to=` and
 * `?from=`, else the message's own To/Cc/Delivered-To headers.
 */
function messageFrom(body: WebhookBody, query: z.infer<typeof querySchema>): Omit<InboundMessageInput, 'rcptTo'> & { rcptTo: string[] } {
  const base = { receivedVia: 'webhook' as const, remoteIp: null, helo: null };
  if (body.kind === 'raw') {
    const rcptTo = query.to ? addressesIn([query.to]) : addressesIn(['to', 'cc', 'delivered-to'].flatMap((h) => headerValues(body.raw, h)));
    return { ...base, raw: body.raw, mailFrom: addressesIn([query.from ?? ''])[0] ?? '', rcptTo };
  }
  const text = (name: string) => body.fields.get(name)?.toString('utf8');
  const raw = body.fields.get('body-mime') ?? body.fields.get('email') ?? Buffer.alloc(0);
  const envelope = parseEnvelope(text('envelope'));
  const rcptTo = addressesIn([text('recipient') ?? envelope?.to ?? text('to') ?? '']);
  const mailFrom = addressesIn([text('sender') ?? envelope?.from ?? ''])[0] ?? '';
  return { ...base, raw, mailFrom, rcptTo };
}

const envelopeSchema = z.object({ to: z.union([z.string(), z.array(z.string())]).transform((v) => [v].flat().join(',')), from: z.string().optional() });

function parseEnvelope(json: string | undefined): z.infer<typeof envelopeSchema> | undefined {
  if (!json) return undefined;
  try {
    const parsed = envelopeSchema.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
