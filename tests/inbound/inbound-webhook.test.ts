import { createHmac, randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app/http-app.ts';
import { httpSettings } from '../../src/app/app-deps.ts';
import { parseUrlEncodedForm } from '../../src/inbound/intake/url-encoded-form.ts';
import { checkMailgunSignature } from '../../src/inbound/intake/webhook-auth.ts';
import { createLogger } from '../../src/platform/logging/logger.ts';
import { createTestStack, formBody, type TestStack } from '../support/test-stack.ts';

const INTAKE = 'opportunities@p2p.test';
const SIGNING_KEY = 'mailgun-signing-key-0123456789';
const SECRET = 'inbound-webhook-secret-0123456789';
const MAX_KB = 4;

function message(messageId: string, body = 'We need an Intune partner for 300 seats.'): string {
  return [`From: Bob <bob@customer.example>`, `To: ${INTAKE}`, 'Subject: Intune rollout', `Message-ID: ${messageId}`, '', body, ''].join('\r\n');
}

/** Mailgun's fields for a message, signed as Mailgun signs them (HMAC of timestamp + token). */
function mailgunFields(mime: string, overrides: Record<string, string> = {}) {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const token = randomBytes(25).toString('hex');
  const signature = createHmac('sha256', SIGNING_KEY).update(timestamp + token).digest('hex');
  return { 'body-mime': mime, recipient: INTAKE, sender: 'Bob@Customer.example', timestamp, token, signature, ...overrides };
}

/** A multipart/form-data body as a provider builds it: each part as given bytes, a file part with a filename. */
function multipartBody(parts: Array<{ name: string; value: Buffer | string; filename?: string; type?: string }>) {
  const boundary = `----p2p${randomBytes(8).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const disposition = `form-data; name="${part.name}"${part.filename ? `; filename="${part.filename}"` : ''}`;
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}\r\n${part.type ? `Content-Type: ${part.type}\r\n` : ''}\r\n`));
    chunks.push(Buffer.isBuffer(part.value) ? part.value : Buffer.from(part.value));
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

const sign = (timestamp: string, token: string) => createHmac('sha256', SIGNING_KEY).update(timestamp + token).digest('hex');

describe('webhook helpers', () => {
  it('checks a Mailgun signature, its age and its shape', () => {
    const now = Date.UTC(2026, 11, 2, 12);
    const timestamp = String(now / 1000);
    const good = { timestamp, token: 'tok', signature: sign(timestamp, 'tok') };
    expect(checkMailgunSignature(SIGNING_KEY, good, now)).toBe('ok');
    expect(checkMailgunSignature(SIGNING_KEY, good, now + 299_000)).toBe('ok');
    expect(checkMailgunSignature(SIGNING_KEY, good, now + 301_000)).toBe('stale');
    expect(checkMailgunSignature(SIGNING_KEY, { ...good, token: 'other' }, now)).toBe('bad-signature');
    expect(checkMailgunSignature(SIGNING_KEY, { ...good, signature: 'abc' }, now)).toBe('bad-signature');
    expect(checkMailgunSignature('another-key-0000', good, now)).toBe('bad-signature');
  });

  it('keeps a ?key= secret out of the request log', () => {
    const serializers = (createLogger('silent') as unknown as Record<symbol, { req: (r: { url: string }) => { url: string } }>)[pino.symbols.serializersSym]!;
    expect(serializers.req({ url: `/inbound/raw?to=a%40b&key=${SECRET}&from=c` }).url).toBe('/inbound/raw?to=a%40b&key=[redacted]&from=c');
  });

  it('decodes a urlencoded form to bytes, keeping 8-bit bytes and the first of repeated names', () => {
    const fields = parseUrlEncodedForm(Buffer.from('a=1+2%0D%0A&b=%E4&a=again&c&%zz=%'));
    expect(fields.get('a')!.toString()).toBe('1 2\r\n');
    expect(fields.get('b')).toEqual(Buffer.from([0xe4]));
    expect(fields.get('c')).toEqual(Buffer.alloc(0));
    expect(fields.get('%zz')!.toString()).toBe('%');
  });
});

describe('POST /inbound/raw', () => {
  let t: TestStack;
  beforeAll(async () => {
    t = await createTestStack({
      INTAKE_ADDRESSES: INTAKE,
      INBOUND_MAX_KB: String(MAX_KB),
      INBOUND_WEBHOOK_SECRET: SECRET,
      MAILGUN_SIGNING_KEY: SIGNING_KEY,
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  const countRows = async () =>
    Number((await t.c.db.selectFrom('inboundMessages').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  const postForm = (fields: Record<string, string>) =>
    t.app.inject({ method: 'POST', url: '/inbound/raw', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: formBody(fields) });
  const postRaw = (payload: string | Buffer, options: { url?: string; authorization?: string } = {}) =>
    t.app.inject({
      method: 'POST',
      url: options.url ?? '/inbound/raw',
      headers: { 'content-type': 'message/rfc822', ...(options.authorization ? { authorization: options.authorization } : {}) },
      payload,
    });

  it('stores a message Mailgun signed, answers 200 and queues its processing', async () => {
    const mime = message('<mg-1@customer.example>');
    const response = await postForm(mailgunFields(mime));
    expect(response.statusCode).toBe(200);
    const { id, duplicate } = response.json<{ id: string; duplicate: boolean }>();
    expect(duplicate).toBe(false);
    const row = await t.c.db.selectFrom('inboundMessages').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.raw.equals(Buffer.from(mime))).toBe(true);
    expect(row).toMatchObject({ receivedVia: 'webhook', mailFrom: 'bob@customer.example', rcptTo: [INTAKE], remoteIp: null, messageId: '<mg-1@customer.example>' });
    expect((await t.c.queues.queue('inbound').getJob(`inbound-${id}`))?.data).toEqual({ inboundId: id });
  });

  it('keeps the 8-bit bytes of a body-mime exactly (at the /mime address Mailgun needs)', async () => {
    const latin1 = Buffer.concat([Buffer.from(message('<latin1@customer.example>', 'Gr')), Buffer.from([0xfc, 0xdf, 0x65, 0x0d, 0x0a])]);
    const fields = mailgunFields('');
    const payload = formBody({ ...fields, 'body-mime': undefined }) + '&body-mime=' + [...latin1].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
    // Mailgun posts raw MIME only to a forward() URL ending in "mime".
    const response = await t.app.inject({ method: 'POST', url: '/inbound/raw/mime', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload });
    expect(response.statusCode).toBe(200);
    const row = await t.c.db.selectFrom('inboundMessages').select('raw').where('id', '=', response.json<{ id: string }>().id).executeTakeFirstOrThrow();
    expect(row.raw.equals(latin1)).toBe(true);
  });

  it('refuses a bad signature, an old timestamp and a replayed token with 401, storing nothing', async () => {
    const before = await countRows();
    const bad = await postForm(mailgunFields(message('<mg-bad@x>'), { signature: 'f'.repeat(64) }));
    expect(bad.statusCode).toBe(401);
    expect(bad.json()).toMatchObject({ error: { code: 'unauthorized', message: 'The Mailgun signature is wrong' } });

    const old = String(Math.floor(Date.now() / 1000) - 600);
    const stale = await postForm(mailgunFields(message('<mg-old@x>'), { timestamp: old, signature: sign(old, 'old-token') , token: 'old-token' }));
    expect(stale.statusCode).toBe(401);
    expect(stale.json()).toMatchObject({ error: { message: 'The Mailgun timestamp is too old' } });

    const unsigned = await postForm({ 'body-mime': message('<mg-unsigned@x>'), recipient: INTAKE });
    expect(unsigned.statusCode).toBe(401);
    expect(await countRows()).toBe(before);

    const first = mailgunFields(message('<mg-replay-1@x>'));
    expect((await postForm(first)).statusCode).toBe(200);
    // The captured signature on another message: the token was used.
    const replay = await postForm({ ...first, 'body-mime': message('<mg-replay-2@x>') });
    expect(replay.statusCode).toBe(401);
    expect(replay.json()).toMatchObject({ error: { message: 'This request was seen before' } });
    expect(await countRows()).toBe(before + 1);
  });

  it('takes a raw message with the shared secret (Bearer or ?key=), and refuses a wrong one', async () => {
    const before = await countRows();
    const byHeader = await postRaw(message('<raw-1@customer.example>'), { authorization: `Bearer ${SECRET}`, url: `/inbound/raw?to=${encodeURIComponent(INTAKE)}&from=bob%40customer.example` });
    expect(byHeader.statusCode).toBe(200);
    const row = await t.c.db.selectFrom('inboundMessages').selectAll().where('id', '=', byHeader.json<{ id: string }>().id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ receivedVia: 'webhook', mailFrom: 'bob@customer.example', rcptTo: [INTAKE] });

    // No envelope given: the recipients come from the message's own To/Cc.
    const byQuery = await postRaw(message('<raw-2@customer.example>'), { url: `/inbound/raw?key=${SECRET}` });
    expect(byQuery.statusCode).toBe(200);
    expect(await countRows()).toBe(before + 2);

    expect((await postRaw(message('<raw-3@x>'), { authorization: 'Bearer wrong-secret-0123456789' })).statusCode).toBe(401);
    expect((await postRaw(message('<raw-4@x>'), { url: '/inbound/raw?key=wrong' })).statusCode).toBe(401);
    expect((await postRaw(message('<raw-5@x>'))).statusCode).toBe(401);
    // A right secret does not excuse a wrong one elsewhere: any secret given must be right.
    const mixed = await t.app.inject({
      method: 'POST',
      url: '/inbound/raw',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: 'Bearer nope' },
      payload: formBody(mailgunFields(message('<raw-6@x>'))),
    });
    expect(mixed.statusCode).toBe(401);
    expect(await countRows()).toBe(before + 2);
  });

  it('answers 413 to a message over INBOUND_MAX_KB, 400 to an empty one, 406 to strangers and to a broken form', async () => {
    const before = await countRows();
    const big = message('<big@x>', 'x'.repeat(MAX_KB * 1024));
    expect((await postRaw(big, { authorization: `Bearer ${SECRET}` })).statusCode).toBe(413);
    expect((await postForm(mailgunFields(big))).statusCode).toBe(413);
    // Past the wire limit reading stops.
    const huge = await postForm(mailgunFields('y'.repeat(MAX_KB * 1024 * 3 + 70_000)));
    expect(huge.statusCode).toBe(413);
    expect(huge.json()).toMatchObject({ error: { code: 'message_too_large' } });

    const { 'body-mime': _omitted, ...noMime } = mailgunFields('');
    const missing = await postForm(noMime);
    expect(missing.statusCode).toBe(400);
    expect((await postForm(mailgunFields(''))).statusCode).toBe(400);
    expect((await postRaw('', { authorization: `Bearer ${SECRET}` })).statusCode).toBe(400);

    const stranger = await postForm(mailgunFields(message('<stranger@x>'), { recipient: 'someone@p2p.test' }));
    expect(stranger.statusCode).toBe(406);

    const broken = await t.app.inject({
      method: 'POST',
      url: `/inbound/raw?key=${SECRET}`,
      headers: { 'content-type': 'multipart/form-data' },
      payload: 'not a form',
    });
    expect(broken.statusCode).toBe(400);
    const oversized = multipartBody([{ name: 'email', value: big }]);
    const tooBig = await t.app.inject({
      method: 'POST',
      url: `/inbound/raw?key=${SECRET}`,
      headers: { 'content-type': oversized.contentType },
      payload: oversized.payload,
    });
    expect(tooBig.statusCode).toBe(413);
    expect(await countRows()).toBe(before);
  });

  it("stores SendGrid's raw-mode multipart post byte for byte, with its envelope", async () => {
    const raw = Buffer.concat([Buffer.from(message('<sendgrid-1@customer.example>', 'Gr')), Buffer.from([0xfc, 0xdf, 0x65, 0x0d, 0x0a])]);
    const form = multipartBody([
      { name: 'to', value: INTAKE },
      { name: 'envelope', value: JSON.stringify({ to: [INTAKE], from: 'bob@customer.example' }) },
      { name: 'email', value: raw },
    ]);
    const response = await t.app.inject({
      method: 'POST',
      url: '/inbound/raw',
      headers: { 'content-type': form.contentType, authorization: `Bearer ${SECRET}` },
      payload: form.payload,
    });
    expect(response.statusCode).toBe(200);
    const row = await t.c.db.selectFrom('inboundMessages').selectAll().where('id', '=', response.json<{ id: string }>().id).executeTakeFirstOrThrow();
    expect(row.raw.equals(raw)).toBe(true);
    expect(row).toMatchObject({ receivedVia: 'webhook', mailFrom: 'bob@customer.example', rcptTo: [INTAKE] });
  });

  it("takes Mailgun's signed multipart post (a message with attachments), and refuses a bad signature", async () => {
    const fields = mailgunFields(message('<mailgun-multipart@customer.example>'));
    const parts = [
      ...Object.entries(fields).map(([name, value]) => ({ name, value })),
      { name: 'attachment-1', value: Buffer.from('%PDF-1.4 ...'), filename: 'brief.pdf', type: 'application/pdf' },
    ];
    const good = multipartBody(parts);
    const response = await t.app.inject({ method: 'POST', url: '/inbound/raw/mime', headers: { 'content-type': good.contentType }, payload: good.payload });
    expect(response.statusCode).toBe(200);
    const before = await countRows();
    const forged = multipartBody(parts.map((p) => (p.name === 'signature' ? { ...p, value: sign(fields.timestamp, 'other') } : p)));
    const refused = await t.app.inject({ method: 'POST', url: '/inbound/raw/mime', headers: { 'content-type': forged.contentType }, payload: forged.payload });
    expect(refused.statusCode).toBe(401);
    expect(await countRows()).toBe(before);
  });

  it('stores the same message posted twice once', async () => {
    const mime = message('<twice@customer.example>');
    const first = await postForm(mailgunFields(mime));
    const second = await postForm(mailgunFields(mime));
    expect(second.json()).toEqual({ id: first.json<{ id: string }>().id, duplicate: true });
  });

  it('does not exist when no secret is configured', async () => {
    const settings = httpSettings(t.config, 'smtp');
    const app = await buildApp({ ...t.c, settings: { ...settings, inbound: { ...settings.inbound, webhookSecret: undefined, mailgunSigningKey: undefined } } });
    try {
      const response = await app.inject({ method: 'POST', url: '/inbound/raw', headers: { 'content-type': 'message/rfc822' }, payload: message('<off@x>') });
      expect(response.statusCode).toBe(404);
    } finally {
      await app.close();
    }
  });
});
