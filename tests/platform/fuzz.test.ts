import { randomUUID } from 'node:crypto';
import { Socket } from 'node:net';
import fc from 'fast-check';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtp, type RunningRole } from '../../src/app/roles.ts';
import type { LinkPurpose } from '../../src/platform/links/link-tokens.ts';
import { routesOf, type Route, PURPOSE_BY_PREFIX } from '../support/app-routes.ts';
import { BROWSER } from '../support/browser-requests.ts';
import { databaseFingerprint } from '../support/db-fingerprint.ts';
import { addOpportunity, addPartner } from '../support/digest-fixtures.ts';
import { createTestStack, csrfFrom, type TestStack } from '../support/test-stack.ts';

/**
 * Generated inputs over every HTTP route and the SMTP listener. Seeded, so a failure is
 * reproduced by running again with the printed seed (FUZZ_SEED=… overrides it); bounded, so it
 * runs in the suite: about 2,000 HTTP requests (200 batches of 10) and 150 SMTP
 * sessions of up to a dozen commands and a MIME message each, about 30 s.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20_261_203);
const HTTP_BATCHES = 200;
const HTTP_BATCH_SIZE = 10;
const SMTP_SESSIONS = 150;

const INTAKE = 'opportunities@p2p.test';
const UNSUBSCRIBE = 'unsubscribe@p2p.test';
const MAX_KB = 8;

let t: TestStack;
let smtp: RunningRole & { port: number };

beforeAll(async () => {
  console.log(`fuzz seed ${SEED} (FUZZ_SEED=${SEED} reproduces this run)`);
  t = await createTestStack({
    INTAKE_ADDRESSES: INTAKE,
    UNSUBSCRIBE_MAILTO: UNSUBSCRIBE,
    INBOUND_MAX_KB: String(MAX_KB),
    INBOUND_SMTP_GREETING_DELAY_MS: '0',
    INBOUND_SMTP_MAX_PER_IP: '50',
  });
  smtp = await startSmtp(t.c, 0);
});
afterAll(async () => {
  await smtp?.stop();
  await t?.close();
});

// ---------------------------------------------------------------------------------------------
// Text: any code point, lone surrogates and NUL included, and the characters that mean something
// to a parser.

const anyChar = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 0x10ffff }).map((c) => String.fromCodePoint(c)) },
  { weight: 1, arbitrary: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)) },
  { weight: 1, arbitrary: fc.constantFrom('\u0000', '%', '&', '=', '+', '[', ']', '"', '\\', '\r', '\n', '\u202e', '\ufeff') },
);
const text = (maxLength = 40) => fc.string({ unit: anyChar, maxLength });
const longText = fc.oneof(text(), fc.tuple(fc.constantFrom('a', '\u0000', 'é', '\ud800'), fc.integer({ min: 1_000, max: 70_000 })).map(([c, n]) => c.repeat(n)));

/** Percent-encodes every byte but letters and digits; a lone surrogate becomes its (invalid) three UTF-8 bytes. */
function percentEncode(value: string): string {
  let out = '';
  for (const ch of value) {
    if (/^[A-Za-z0-9]$/.test(ch)) {
      out += ch;
      continue;
    }
    const code = ch.codePointAt(0)!;
    const bytes =
      code >= 0xd800 && code <= 0xdfff ? Buffer.from([0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)]) : Buffer.from(ch, 'utf8');
    for (const b of bytes) out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Every field name a form or JSON body of ours takes, so generated bodies reach the validators. */
const FIELDS = [
  'title', 'description', 'requiredSkills', 'niceToHaveSkills', 'regions', 'remote', 'budgetMin', 'budgetMax', 'currency',
  'startDate', 'expiresAt', 'anonymous', 'submitter', 'company', 'contactName', 'email', 'website', 'country', 'remoteOk',
  'timezone', 'skills', 'profile', 'consent', 'status', 'digestFrequency', 'digestDay', 'digestHour', 'maxItems', 'minScore',
  'note', 'action', 'reason', 'interest', 'end', 'label', '_csrf', '__proto__', 'constructor', 'List-Unsubscribe',
  'from', 'to', 'subject', 'text', 'html', 'email', 'headers', 'envelope', 'raw',
];
const fieldName = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...FIELDS) }, { weight: 1, arbitrary: text(20) });

// ---------------------------------------------------------------------------------------------
// HTTP bodies and headers.

interface Body {
  type: string;
  payload: string | Buffer;
}

const jsonLeaf = fc.oneof(text(), fc.double(), fc.integer(), fc.boolean(), fc.constant(null), fc.constantFrom(1e308, -1e20, '0000-01-01', '9999-12-31T23:59:59Z', ''));
const jsonValue = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    jsonLeaf,
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(fieldName, tie('value'), { maxKeys: 8 }),
  ),
})).value;
const jsonBody = fc.oneof(
  fc.dictionary(fieldName, jsonValue, { maxKeys: 12 }).map((o) => JSON.stringify(o)),
  jsonValue.map((v) => JSON.stringify(v) ?? 'null'),
  // Broken JSON: a valid document cut short, or followed by garbage.
  fc.tuple(jsonValue, fc.nat(), text(5)).map(([v, cut, tail]) => (JSON.stringify(v) ?? '').slice(0, cut % 40) + tail),
);

const formBody = fc.oneof(
  fc.array(fc.tuple(fieldName, longText), { maxLength: 10 }).map((pairs) => pairs.map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`).join('&')),
  // Raw, as a careless client sends it: unencoded, stray %, broken escapes.
  text(200),
  fc.array(fc.constantFrom('%', '%0', '%ZZ', '%FF', '%C0%80', '%ED%A0%80', '&&', '==', 'a[b][c]=1', 'a[]=', '__proto__[x]=1'), { maxLength: 12 }).map((parts) => parts.join('')),
);

const boundary = fc.oneof(fc.constant('fuzzboundary'), fc.string({ unit: fc.constantFrom('a', '-', '"', ' ', '\u00e9', ';'), maxLength: 80 }));
const multipartPart = fc.record({
  name: fieldName,
  filename: fc.option(text(30)),
  type: fc.option(fc.constantFrom('text/plain', 'message/rfc822', 'application/octet-stream', 'text/plain; charset=utf-7')),
  content: fc.oneof(longText, fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a).toString('latin1'))),
});
const multipartBody = fc
  .tuple(boundary, boundary, fc.array(multipartPart, { maxLength: 5 }), fc.boolean(), fc.nat({ max: 400 }))
  .map(([declared, used, parts, closed, cut]): Body => {
    const raw = Buffer.from(
      parts
        .map((p) =>
          [
            `--${used}`,
            `Content-Disposition: form-data; name="${p.name}"${p.filename !== null ? `; filename="${p.filename}"` : ''}`,
            ...(p.type !== null ? [`Content-Type: ${p.type}`] : []),
            '',
            p.content,
          ].join('\r\n'),
        )
        .join('\r\n') + (closed ? `\r\n--${used}--\r\n` : ''),
      'latin1',
    );
    // Sometimes truncated mid-part, as a dropped upload arrives.
    return { type: `multipart/form-data; boundary=${declared}`, payload: cut > 0 && cut < raw.length ? raw.subarray(0, cut) : raw };
  });

/** A content type that does not match the body is as likely as one that does. */
const contentType = fc.oneof(
  fc.constantFrom(
    'application/json',
    'application/json; charset=utf-8',
    'application/json; charset=utf-16',
    'application/json; charset=nonsense',
    'application/x-www-form-urlencoded',
    'multipart/form-data',
    'multipart/form-data; boundary=',
    'text/plain',
    'application/xml',
    '*/*',
    '',
    'application/json, text/html',
  ),
  fc.string({ unit: fc.integer({ min: 0x20, max: 0xff }).map((c) => String.fromCharCode(c)), maxLength: 60 }),
  fc.constant(`application/json; ${'x=y; '.repeat(2_000)}`),
);

const body: fc.Arbitrary<Body | undefined> = fc.oneof(
  fc.constant(undefined),
  fc.tuple(jsonBody, fc.oneof(fc.constant('application/json'), contentType)).map(([payload, type]) => ({ type, payload })),
  fc.tuple(formBody, fc.oneof(fc.constant('application/x-www-form-urlencoded'), contentType)).map(([payload, type]) => ({ type, payload })),
  multipartBody,
  fc.tuple(fc.uint8Array({ maxLength: 500 }), contentType).map(([bytes, type]) => ({ type, payload: Buffer.from(bytes) })),
);

/** Header values a client can put on the wire: visible latin1, and sometimes huge. */
const headerValue = fc.oneof(
  fc.string({ unit: fc.integer({ min: 0x20, max: 0xff }).map((c) => String.fromCharCode(c)), maxLength: 80 }),
  fc.constantFrom('x'.repeat(16_000), '\u00ff'.repeat(4_000), 'Bearer ', 'Basic ' + Buffer.from('\u0000:\u0000').toString('base64'), 'de-DE;q=1e400'),
);
const extraHeaders = fc.dictionary(
  fc.constantFrom('authorization', 'cookie', 'x-csrf-token', 'accept', 'accept-language', 'x-forwarded-for', 'origin', 'referer', 'user-agent', 'x-request-id', 'if-none-match', 'range', 'transfer-encoding-hint'),
  headerValue,
  { maxKeys: 4 },
);

// ---------------------------------------------------------------------------------------------
// HTTP requests over the routes the app registers.

interface Live {
  tokens: Record<LinkPurpose, string>;
  partnerId: string;
  opportunityId: string;
}

/** A well-formed value for a parameter (a live token or id), or a generated one. */
function liveParam(url: string, name: string, live: Live): string {
  if (name === 'token') return live.tokens[PURPOSE_BY_PREFIX[url.split('/')[1] ?? ''] ?? 'preferences'];
  if (name === 'id') return url.startsWith('/api/partners') ? live.partnerId : live.opportunityId;
  return 'x.eml';
}
const paramValue = fc.oneof(
  { weight: 2, arbitrary: fc.constant<string | null>(null) },
  { weight: 2, arbitrary: text(60).map(percentEncode) },
  { weight: 1, arbitrary: fc.constantFrom('%00', '..%2F..%2Fetc%2Fpasswd', '%', '%E0%A4%A', 'a.b.c', '99999999999999999999', randomUUID(), '.', '..', 'x'.repeat(5_000)) },
);
const query = fc.oneof(
  fc.constant(''),
  fc.array(fc.tuple(fc.constantFrom('cursor', 'limit', 'status', 'raw', 'part', 'q', 'page', 'sort', 'skill', 'region'), fc.oneof(text(40), fc.constantFrom('-1', '1e309', '99999999999999999999', 'published'))), { maxLength: 4 }).map(
    (pairs) => '?' + pairs.map(([k, v]) => `${k}=${percentEncode(v)}`).join('&'),
  ),
  text(60).map((raw) => `?${percentEncode(raw).replace(/%3D/g, '=').replace(/%26/g, '&')}`),
);

interface FuzzRequest {
  route: Route;
  params: Array<string | null>;
  query: string;
  body: Body | undefined;
  admin: boolean;
  csrf: boolean;
  headers: Record<string, string>;
}

function fuzzRequest(routes: Route[]): fc.Arbitrary<FuzzRequest> {
  return fc.record({
    route: fc.constantFrom(...routes),
    params: fc.array(paramValue, { minLength: 3, maxLength: 3 }),
    query,
    body,
    admin: fc.boolean(),
    csrf: fc.boolean(),
    headers: extraHeaders,
  });
}

let nextIp = 1;
const freshIp = () => `10.88.${Math.floor(nextIp / 250) % 250}.${nextIp++ % 250}`;

function urlOf(request: FuzzRequest, live: Live): string {
  let i = 0;
  const path = request.route.url
    .replace(/:([a-zA-Z]+)/g, (_, name: string) => request.params[i++ % 3] ?? liveParam(request.route.url, name, live))
    .replace('*', () => request.params[2] ?? 'x');
  return path + request.query;
}

describe('HTTP routes under generated input', () => {
  it('answer no request with a 5xx, and a batch of rejected requests writes nothing', { timeout: 120_000 }, async () => {
    const partnerId = await addPartner(t, 'fuzzer', ['kubernetes-on-azure']);
    const opportunityId = await addOpportunity(t, 'AKS platform the fuzzer visits', ['kubernetes-on-azure']);
    const sign = (purpose: LinkPurpose, subject: string) => t.c.signer.sign(purpose, subject, 3600);
    const live: Live = {
      partnerId,
      opportunityId,
      tokens: {
        'confirm-partner': sign('confirm-partner', partnerId),
        'confirm-opportunity': sign('confirm-opportunity', opportunityId),
        'opportunity-status': sign('opportunity-status', opportunityId),
        'email-draft': sign('email-draft', opportunityId),
        preferences: sign('preferences', partnerId),
        interest: sign('interest', `${partnerId}:${opportunityId}`),
        'not-relevant': sign('not-relevant', `${partnerId}:${opportunityId}`),
        unsubscribe: sign('unsubscribe', 'fuzzer-unsubscribe@partners.example'),
        'admin-sign-in': sign('admin-sign-in', randomUUID()),
        outcome: sign('outcome', randomUUID()),
      },
    };
    const { token: csrfToken, cookie } = csrfFrom(await t.app.inject({ method: 'GET', url: '/join', headers: BROWSER }));
    const routes = routesOf(t.app.printRoutes({ commonPrefix: false }));
    expect(routes.length).toBeGreaterThan(30);

    let requests = 0;
    let comparedRejections = 0;
    const send = async (request: FuzzRequest) => {
      const headers: Record<string, string> = {
        ...(request.admin ? t.adminHeaders : {}),
        ...(request.csrf ? { cookie, 'x-csrf-token': csrfToken } : {}),
        ...request.headers,
        ...(request.body ? { 'content-type': request.body.type } : {}),
      };
      requests++;
      const res = await t.app.inject({
        method: request.route.method as 'GET',
        url: urlOf(request, live),
        remoteAddress: freshIp(),
        headers,
        payload: request.route.method === 'GET' ? undefined : request.body?.payload,
      });
      return res.statusCode;
    };

    await fc.assert(
      fc.asyncProperty(fc.array(fuzzRequest(routes), { minLength: HTTP_BATCH_SIZE, maxLength: HTTP_BATCH_SIZE }), async (batch) => {
        // The rejected requests since the last accepted one (which may write) must leave the database as it was.
        let before = await databaseFingerprint(t.c.db);
        let rejectedSince = 0;
        const failures: string[] = [];
        // Pages (GET) mostly answer 200 and end a run of rejections: they go first, so that the run is long.
        const ordered = [...batch.filter((r) => r.route.method === 'GET'), ...batch.filter((r) => r.route.method !== 'GET')];
        for (const request of ordered) {
          const status = await send(request);
          if (status >= 500) failures.push(`${status} ${request.route.method} ${urlOf(request, live)}`);
          if (status >= 400 && status < 500) {
            rejectedSince++;
            continue;
          }
          before = await databaseFingerprint(t.c.db);
          rejectedSince = 0;
        }
        expect(failures).toEqual([]);
        if (rejectedSince > 0) {
          comparedRejections += rejectedSince;
          expect(await databaseFingerprint(t.c.db)).toEqual(before);
        }
      }),
      { seed: SEED, numRuns: HTTP_BATCHES, endOnFailure: false },
    );
    expect(requests).toBeGreaterThanOrEqual(HTTP_BATCHES * HTTP_BATCH_SIZE);
    // The write check must actually run over a good share of the requests.
    expect(comparedRejections).toBeGreaterThan((HTTP_BATCHES * HTTP_BATCH_SIZE) / 5);
  });
});

// ---------------------------------------------------------------------------------------------
// SMTP: generated dialogues and MIME messages over a raw socket.

/** One write, and whether the client then waits for the server's answer before the next. */
interface Step {
  bytes: Buffer;
  awaitReply: boolean;
}

const line = (s: string) => Buffer.from(`${s}\r\n`, 'latin1');
const address = fc.oneof(
  fc.constantFrom(INTAKE, UNSUBSCRIBE, 'reply+abc.def@p2p.test', 'stranger@p2p.test', 'anna@customer.example', '', 'a@b@c', '<>', '"quoted\u0000"@x.example'),
  text(40),
);
const rawLine = fc.oneof(text(80), fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a).toString('latin1').replace(/\r?\n/g, ' ')), fc.constant('x'.repeat(3_000)));

const command: fc.Arbitrary<Buffer> = fc.oneof(
  fc.tuple(fc.constantFrom('EHLO', 'HELO', 'ehlo', 'LHLO'), rawLine).map(([verb, host]) => line(`${verb} ${host}`)),
  fc.tuple(address, fc.constantFrom('', ' SIZE=99999999999', ' BODY=8BITMIME', ' SMTPUTF8', ' SIZE=-1', ' AUTH=<>')).map(([a, param]) => line(`MAIL FROM:<${a}>${param}`)),
  address.map((a) => line(`RCPT TO:<${a}>`)),
  fc.constantFrom('RSET', 'NOOP', 'VRFY postmaster', 'EXPN list', 'HELP', 'STARTTLS', 'AUTH PLAIN AGF1Z2g=', 'BDAT 10 LAST', 'TURN', 'XCLIENT ADDR=1.2.3.4', '', ' ').map(line),
  rawLine.map((s) => Buffer.from(`${s}\r\n`, 'utf8')),
);

const headerName = fc.oneof(fc.constantFrom('From', 'To', 'Subject', 'Message-ID', 'Content-Type', 'Content-Transfer-Encoding', 'MIME-Version', 'Date', 'Reply-To', 'In-Reply-To', 'References', 'DKIM-Signature', 'Received', 'Auto-Submitted'), text(20));
const headerBody = fc.oneof(
  text(120),
  fc.constantFrom(
    'multipart/mixed; boundary="b1"',
    'multipart/alternative',
    'text/plain; charset=utf-8',
    'text/plain; charset=x-unknown',
    'text/html; charset=iso-2022-jp',
    'base64',
    'quoted-printable',
    'x-uuencode',
    '=?utf-8?B?////?=',
    '=?x-bogus?Q?=FF=00?=',
    '=?utf-8?Q?unterminated',
    '<no-end@x',
    'Thu, 99 Zzz 0000 99:99:99 +9999',
  ),
);
const mimeBodyLine = fc.oneof(
  text(120),
  fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a).toString('latin1')),
  fc.constantFrom('--b1', '--b1--', 'Content-Type: text/plain; charset=utf-8', '=XY=ZZ=', '////====', '\u0000\u0000', 'begin 644 x\r\nend', 'y'.repeat(10_000)),
);
const message = fc
  .tuple(fc.array(fc.tuple(headerName, headerBody), { maxLength: 12 }), fc.array(mimeBodyLine, { maxLength: 30 }), fc.boolean())
  .map(([headers, bodyLines, withId]) => {
    const head = headers.map(([name, value]) => `${name}: ${value}`);
    if (withId) head.push(`Message-ID: <${randomUUID()}@fuzz.example>`);
    const raw = Buffer.from([...head, '', ...bodyLines].join('\r\n'), 'latin1');
    // Dot-stuffing and the end of data are the client's duty; a bare ".\r\n" inside would end DATA early.
    const stuffed = Buffer.from(raw.toString('latin1').replace(/(^|\n)\./g, '$1..'), 'latin1');
    return Buffer.concat([stuffed, Buffer.from('\r\n.\r\n')]);
  });

const dialogue: fc.Arbitrary<Step[]> = fc
  .tuple(
    fc.array(command, { maxLength: 8 }),
    fc.boolean(),
    address,
    fc.oneof({ weight: 3, arbitrary: message }, { weight: 1, arbitrary: fc.constant(null) }),
    fc.array(command, { maxLength: 3 }),
  )
  .map(([opening, wellFormedEnvelope, from, data, closing]) => {
    const steps: Step[] = opening.map((bytes) => ({ bytes, awaitReply: true }));
    if (wellFormedEnvelope) steps.push(...[line('EHLO fuzz.example'), line(`MAIL FROM:<${from}>`), line(`RCPT TO:<${INTAKE}>`)].map((bytes) => ({ bytes, awaitReply: true })));
    if (data) steps.push({ bytes: line('DATA'), awaitReply: true }, { bytes: data, awaitReply: true });
    steps.push(...closing.map((bytes) => ({ bytes, awaitReply: true })), { bytes: line('QUIT'), awaitReply: false });
    return steps;
  });

/** Every line the server said; a reply counts as complete at "NNN text" (a space after the code). */
let timeouts = 0;
const REPLY_WAIT_MS = 300;

async function converse(port: number, steps: Step[]): Promise<string[]> {
  const socket = new Socket();
  let said = '';
  let closed = false;
  let wake: (() => void) | undefined;
  socket.on('data', (chunk: Buffer) => {
    said += chunk.toString('latin1');
    wake?.();
  });
  socket.on('error', () => undefined);
  socket.on('close', () => {
    closed = true;
    wake?.();
  });
  let replies = 0;
  const completeReplies = () => said.split('\r\n').slice(0, -1).filter((l) => /^\d{3}( |$)/.test(l)).length;
  const reply = () =>
    new Promise<void>((resolve) => {
      const check = () => {
        if (closed || completeReplies() > replies) {
          replies = completeReplies();
          clearTimeout(timer);
          resolve();
        }
      };
      // A reply that never comes (the server still reading a DATA that our generator broke) is no failure by itself.
      const timer = setTimeout(() => {
        replies = completeReplies();
        timeouts++;
        resolve();
      }, REPLY_WAIT_MS);
      wake = check;
      check();
    });
  socket.connect(port, '127.0.0.1');
  await reply();
  for (const step of steps) {
    if (closed) break;
    socket.write(step.bytes);
    if (step.awaitReply) await reply();
  }
  socket.end();
  // A server still inside DATA keeps the connection; the client hangs up then, as a real one would.
  if (!closed) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => socket.destroy(), 200);
      socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
  return said.split('\r\n').filter((l) => l !== '');
}

describe('the SMTP listener under generated dialogues and messages', () => {
  it('answers every line with a valid reply code, stays up, and then takes a normal message', { timeout: 120_000 }, async () => {
    let sessions = 0;
    await fc.assert(
      fc.asyncProperty(dialogue, async (steps) => {
        sessions++;
        const lines = await converse(smtp.port, steps);
        expect(lines.length).toBeGreaterThan(0);
        for (const said of lines) expect(said).toMatch(/^[2-5]\d\d([ -].*)?$/s);
      }),
      { seed: SEED, numRuns: SMTP_SESSIONS, endOnFailure: false },
    );
    console.log(`smtp: ${sessions} sessions, ${timeouts} replies waited for in vain`);
    expect(sessions).toBeGreaterThanOrEqual(SMTP_SESSIONS);

    const messageId = `<after-fuzz-${randomUUID()}@customer.example>`;
    const info = await nodemailer.createTransport({ host: '127.0.0.1', port: smtp.port, secure: false, ignoreTLS: true, name: 'mx.sender.example' }).sendMail({
      envelope: { from: 'anna@customer.example', to: [INTAKE] },
      raw: Buffer.from(`From: anna@customer.example\r\nTo: ${INTAKE}\r\nSubject: still here\r\nMessage-ID: ${messageId}\r\n\r\nWe need a Dynamics 365 partner.\r\n`),
    });
    expect(info.response).toMatch(/^250 /);
    const stored = await t.c.db.selectFrom('inboundMessages').select('id').where('messageId', '=', messageId).execute();
    expect(stored).toHaveLength(1);
  });
});
