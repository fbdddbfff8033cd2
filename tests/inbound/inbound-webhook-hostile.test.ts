import { createHmac, randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { Readable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestStack, type TestStack } from '../support/test-stack.ts';

const INTAKE = 'opportunities@p2p.test';
const SIGNING_KEY = 'mailgun-signing-key-0123456789';
const SECRET = 'inbound-webhook-secret-0123456789';
const MAX_KB = 4;

/** A small, correctly signed Mailgun form (urlencoded) carrying one plain message. */
function signedMailgunForm(): string {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const token = randomBytes(16).toString('hex');
  const signature = createHmac('sha256', SIGNING_KEY).update(timestamp + token).digest('hex');
  const mime = `From: bob@customer.example\r\nTo: ${INTAKE}\r\nSubject: signed\r\nMessage-ID: <${token}@customer.example>\r\n\r\nWe need an AKS partner.\r\n`;
  return new URLSearchParams({ 'body-mime': mime, recipient: INTAKE, sender: 'bob@customer.example', timestamp, token, signature }).toString();
}

/** A multipart body cut off inside its `email` part: the closing boundary never comes. */
function truncatedMultipart() {
  const boundary = `----p2p${randomBytes(8).toString('hex')}`;
  const payload = `--${boundary}\r\nContent-Disposition: form-data; name="email"; filename="m.eml"\r\nContent-Type: message/rfc822\r\n\r\nFrom: a@b.example\r\nSubj`;
  return { payload, contentType: `multipart/form-data; boundary=${boundary}` };
}

/** A request body that makes its bytes only when read, and counts how many were. */
function countingBody(totalBytes: number, chunkBytes = 64 * 1024) {
  const chunk = Buffer.alloc(chunkBytes, 0x61);
  const counter = { read: 0 };
  const stream = new Readable({
    read() {
      if (counter.read >= totalBytes) return void this.push(null);
      counter.read += chunk.length;
      this.push(chunk);
    },
  });
  return { stream, counter };
}

describe('POST /inbound/raw against hostile bodies', () => {
  let t: TestStack;
  const uncaught: unknown[] = [];
  const onUncaught = (error: unknown) => uncaught.push(error);
  beforeAll(async () => {
    t = await createTestStack({
      INTAKE_ADDRESSES: INTAKE,
      INBOUND_MAX_KB: String(MAX_KB),
      INBOUND_WEBHOOK_SECRET: SECRET,
      MAILGUN_SIGNING_KEY: SIGNING_KEY,
    });
    process.on('uncaughtException', onUncaught);
  });
  afterEach(() => {
    expect(uncaught).toEqual([]);
  });
  afterAll(async () => {
    process.off('uncaughtException', onUncaught);
    await t?.close();
  });

  it('answers a multipart body that ends inside a part with 400, at both addresses, and the process lives on', async () => {
    for (const url of [`/inbound/raw?key=${SECRET}`, `/inbound/raw/mime?key=${SECRET}`, '/inbound/raw/mime']) {
      const form = truncatedMultipart();
      const response = await t.app.inject({ method: 'POST', url, headers: { 'content-type': form.contentType }, payload: form.payload });
      expect(response.statusCode, url).toBe(400);
      expect(response.json()).toMatchObject({ error: { code: 'bad_form' } });
    }
    // The error event would be thrown on a later tick: give it one.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(uncaught).toEqual([]);
  });

  const HUNDRED_MB = 100 * 1024 * 1024;
  const multipartType = 'multipart/form-data; boundary=----p2pbig';
  const post = (url: string, headers: Record<string, string>, payload: Readable) => t.app.inject({ method: 'POST', url, headers, payload });

  it('refuses 100 MB without the secret with 401 before reading a byte of it', async () => {
    const cases: Array<{ url: string; headers: Record<string, string> }> = [
      { url: '/inbound/raw', headers: { 'content-type': multipartType, authorization: 'Bearer wrong-secret-0123456789' } },
      { url: '/inbound/raw/mime?key=wrong', headers: { 'content-type': multipartType } },
      { url: '/inbound/raw', headers: { 'content-type': 'message/rfc822' } },
      { url: '/inbound/raw', headers: { 'content-type': 'application/octet-stream' } },
      // A repeated key is no secret (and no 500).
      { url: `/inbound/raw?key=${SECRET}&key=${SECRET}`, headers: { 'content-type': 'message/rfc822' } },
    ];
    for (const { url, headers } of cases) {
      const body = countingBody(HUNDRED_MB);
      const response = await post(url, { ...headers, 'content-length': String(HUNDRED_MB) }, body.stream);
      expect(response.statusCode, url).toBe(401);
      expect(response.headers.connection).toBe('close');
      expect(body.counter.read, url).toBe(0);
    }
  });

  it('refuses an unsigned form that declares 100 MB with 413 at once, and stops one sent chunked at the wire limit', async () => {
    const declared = countingBody(HUNDRED_MB);
    const response = await post('/inbound/raw/mime', { 'content-type': multipartType, 'content-length': String(HUNDRED_MB) }, declared.stream);
    expect(response.statusCode).toBe(413);
    expect(declared.counter.read).toBe(0);

    const chunked = countingBody(HUNDRED_MB);
    const streamed = await post('/inbound/raw/mime', { 'content-type': multipartType }, chunked.stream);
    expect(streamed.statusCode).toBe(413);
    // The wire limit for INBOUND_MAX_KB=4 is 76 KB: a few 64 KB chunks at most were read.
    expect(chunked.counter.read).toBeLessThanOrEqual(4 * 64 * 1024);
  });

  it('stops reading a Mailgun form the moment its signature fails, before the message part', async () => {
    const boundary = '----p2psig';
    const field = (name: string, value: string) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
    const head = Buffer.from(
      field('timestamp', String(Math.floor(Date.now() / 1000))) + field('token', 'a'.repeat(50)) + field('signature', 'f'.repeat(64)) +
        `--${boundary}\r\nContent-Disposition: form-data; name="body-mime"\r\n\r\n`,
    );
    // Small chunks, as a slow sender sends them: the signature is checked as its part ends.
    const rest = { read: 0 };
    const stream = Readable.from(
      (function* () {
        yield head;
        while (rest.read < HUNDRED_MB) {
          rest.read += 1024;
          yield Buffer.alloc(1024, 0x62);
        }
      })(),
      { objectMode: false },
    );
    const response = await post('/inbound/raw/mime', { 'content-type': `multipart/form-data; boundary=${boundary}` }, stream);
    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({ error: { code: 'unauthorized', message: 'The Mailgun signature is wrong' } });
    // What the streams between the sender and us buffer ahead (their high-water marks), not 100 MB.
    expect(rest.read).toBeLessThanOrEqual(128 * 1024);
  });

  it('holds a bounded sum of unsigned Mailgun bodies: past it the next is answered 503 (Mailgun retries), and a signed one gets through after', async () => {
    // Bodies that send most of the wire limit (76 KB for INBOUND_MAX_KB=4) in 4 KB parts, then
    // wait: their signature never comes. The budget holds two such bodies.
    const stalled = (kind: 'multipart' | 'urlencoded') => {
      const boundary = `----p2pstall${randomBytes(4).toString('hex')}`;
      const part = (i: number) => `--${boundary}\r\nContent-Disposition: form-data; name="x${i}"\r\n\r\n${'z'.repeat(4000)}\r\n`;
      const head = kind === 'multipart' ? Array.from({ length: 17 }, (_, i) => part(i)).join('') : `body-mime=${'z'.repeat(68_000)}`;
      const stream = new Readable({ read() {} });
      stream.push(head);
      const contentType = kind === 'multipart' ? `multipart/form-data; boundary=${boundary}` : 'application/x-www-form-urlencoded';
      const response = post('/inbound/raw/mime', { 'content-type': contentType }, stream);
      const end = () => {
        if (kind === 'multipart') stream.push(`--${boundary}--\r\n`);
        stream.push(null);
      };
      return { response, end };
    };
    const first = stalled('multipart');
    const second = stalled('urlencoded');
    await new Promise((resolve) => setTimeout(resolve, 100));
    const third = stalled('multipart');
    const refused = await third.response;
    expect(refused.statusCode).toBe(503);
    expect(refused.json()).toMatchObject({ error: { code: 'busy' } });
    third.end();
    first.end();
    second.end();
    // Neither ever proved itself: refused without a signature, and their bytes are given back.
    expect((await first.response).statusCode).toBe(401);
    expect((await second.response).statusCode).toBe(401);

    const signed = await post('/inbound/raw/mime', { 'content-type': 'application/x-www-form-urlencoded' }, Readable.from([Buffer.from(signedMailgunForm())]));
    expect(signed.statusCode).toBe(200);
  });

  it('over a real socket: answers a truncated form with 400, survives a client that hangs up mid-body, and keeps serving', async () => {
    const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = new URL(address);
    const form = truncatedMultipart();
    const head = (length: number) =>
      `POST /inbound/raw?key=${SECRET} HTTP/1.1\r\nHost: p2p.test\r\nContent-Type: ${form.contentType}\r\nContent-Length: ${length}\r\n\r\n`;

    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => socket.end(head(Buffer.byteLength(form.payload)) + form.payload));
      let text = '';
      socket.on('data', (chunk) => (text += chunk.toString()));
      socket.on('close', () => resolve(text));
      socket.on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);

    // Declares 10 KB, sends a few bytes, hangs up: the parser sees the request abort.
    await new Promise<void>((resolve) => {
      const socket = connect(Number(port), '127.0.0.1', () => {
        socket.write(head(10_000) + form.payload, () => setTimeout(() => socket.destroy(), 20));
      });
      socket.on('close', () => resolve());
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(uncaught).toEqual([]);
    const health = await fetch(`${address}/healthz`);
    expect(health.status).toBeLessThan(500);
  });
});
