import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app/http-app.ts';
import { httpSettings } from '../../src/app/app-deps.ts';
import { createMailer, type Mailer, type OutgoingMail } from '../../src/platform/mail/mailer.ts';
import { createTestStack, type TestStack } from '../support/test-stack.ts';
import { BROWSER } from '../support/browser-requests.ts';

let t: TestStack;
let outboxApp: App;
let base: string;
let dir: string;
let mailer: Mailer;

/** Next to the outbox folder: what a path traversal would reach. */
const SECRET = 'SECRET-OUTSIDE-THE-OUTBOX';


const mail = (overrides: Partial<OutgoingMail> = {}): OutgoingMail => ({
  to: 'jana@kubeworks.example',
  subject: 'Welcome <b>Jana</b> & co',
  text: 'Plain text part.\nConfirm: http://p2p.test/join/confirm/abc',
  html: '<p class="marker">HTML part for Jana</p><script>alert(1)</script>',
  headers: { 'List-Unsubscribe': '<http://p2p.test/u/xyz>' },
  ...overrides,
});

/** Sends one mail and returns the name of the .eml file it added. */
async function sendOne(overrides: Partial<OutgoingMail> = {}): Promise<string> {
  const before = new Set(await readdir(dir).catch(() => []));
  await mailer.send(mail(overrides));
  const added = (await readdir(dir)).filter((n) => !before.has(n));
  expect(added).toHaveLength(1);
  return added[0]!;
}

const get = (url: string) => outboxApp.inject({ method: 'GET', url, headers: BROWSER });

beforeAll(async () => {
  base = await mkdtemp(path.join(tmpdir(), 'p2p-outbox-'));
  dir = path.join(base, 'outbox');
  await mkdir(dir);
  await writeFile(path.join(base, 'secret.eml'), `Subject: ${SECRET}\r\n\r\n${SECRET}\r\n`);
  await writeFile(path.join(base, 'secret.txt'), SECRET);
  mailer = createMailer({ smtpUrl: undefined, outboxDir: dir, from: 'x <x@localhost>' });
  t = await createTestStack();
  // The app as `start` builds it when there is no SMTP_URL.
  outboxApp = await buildApp({
    ...t.c,
    settings: { ...httpSettings(t.config, 'outbox'), devOutboxDir: dir },
  });
});
afterAll(async () => {
  mailer?.close();
  await outboxApp?.close();
  await t?.close();
  if (base) await rm(base, { recursive: true, force: true });
});

describe('the mailer without SMTP_URL', () => {
  it('writes each mail as an .eml file with its text and HTML parts and headers', async () => {
    expect(mailer.mode).toBe('outbox');
    const name = await sendOne({ messageId: '<probe.1@p2p.test>' });
    expect(name).toMatch(/^\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z-.*jana@kubeworks\.example\.eml$/);

    const raw = await readFile(path.join(dir, name));
    expect(raw.toString('utf8')).toMatch(/^List-Unsubscribe: <http:\/\/p2p\.test\/u\/xyz>$/m);
    const parsed = await simpleParser(raw);
    expect(parsed.subject).toBe('Welcome <b>Jana</b> & co');
    expect(parsed.text?.trim()).toBe('Plain text part.\nConfirm: http://p2p.test/join/confirm/abc');
    expect(parsed.html).toContain('<p class="marker">HTML part for Jana</p>');
    expect(parsed.messageId).toBe('<probe.1@p2p.test>');
    expect(parsed.from?.value).toEqual([{ name: 'x', address: 'x@localhost' }]);
  });

  it('keeps every mail when several go to one address in the same moment', async () => {
    const before = (await readdir(dir)).length;
    await Promise.all(Array.from({ length: 10 }, (_, i) => mailer.send(mail({ to: 'burst@kubeworks.example', subject: `Burst ${i}` }))));
    const names = (await readdir(dir)).filter((n) => n.endsWith('-burst@kubeworks.example.eml'));
    expect(names).toHaveLength(10);
    expect((await readdir(dir)).length).toBe(before + 10);
  });
});

describe('/dev/outbox', () => {
  it('lists the written mails with recipient, escaped subject and links to view and download', async () => {
    const name = await sendOne({ to: 'listed@kubeworks.example', subject: 'Listed <i>mail</i>' });
    const res = await get('/dev/outbox');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.body).toContain('listed@kubeworks.example');
    expect(res.body).toContain('Listed &lt;i&gt;mail&lt;/i&gt;');
    expect(res.body).not.toContain('<i>mail</i>');
    expect(res.body).toContain(`href="/dev/outbox/${encodeURIComponent(name)}"`);
    expect(res.body).toContain(`href="/dev/outbox/${encodeURIComponent(name)}?raw=1"`);
  });

  it('shows one mail: the HTML only in a sandboxed iframe, the text part escaped', async () => {
    const name = await sendOne({ to: 'shown@kubeworks.example', text: 'Text with <tags> & a link http://p2p.test/o/abc' });
    const res = await get(`/dev/outbox/${encodeURIComponent(name)}`);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain(`<iframe sandbox src="/dev/outbox/${encodeURIComponent(name)}?part=html"`);
    expect(res.body).not.toMatch(/<iframe sandbox="[^"]*allow-/);
    expect(res.body).toContain('<h1>Welcome &lt;b&gt;Jana&lt;/b&gt; &amp; co</h1>');
    expect(res.body).toContain('Text with &lt;tags&gt; &amp; a link http://p2p.test/o/abc');
    expect(res.body).not.toContain('<p class="marker">');
    expect(res.body).not.toContain('<script>alert(1)</script>');
  });

  it('serves the HTML part for the iframe under a CSP that allows no scripts', async () => {
    const name = await sendOne({ to: 'framed@kubeworks.example' });
    const res = await get(`/dev/outbox/${encodeURIComponent(name)}?part=html`);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<p class="marker">HTML part for Jana</p>');
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toMatch(/script-src/);
  });

  it('offers the raw .eml for download, byte for byte', async () => {
    const name = await sendOne({ to: 'raw@kubeworks.example' });
    const res = await get(`/dev/outbox/${encodeURIComponent(name)}?raw=1`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^message\/rfc822/);
    expect(res.headers['content-disposition']).toBe(`attachment; filename="${name}"`);
    expect(res.rawPayload.equals(await readFile(path.join(dir, name)))).toBe(true);
  });

  it('refuses path traversal in the file name', async () => {
    const attempts = [
      '..%2Fsecret.eml',
      '..%2Fsecret.eml?raw=1',
      '..%2Fsecret.eml?part=html',
      '%2E%2E%2Fsecret.eml',
      '..%2Fsecret.txt',
      '..%5Csecret.eml',
      '..%2F..%2F..%2Fetc%2Fpasswd',
      '..%2Fpackage.json',
    ];
    for (const attempt of attempts) {
      const res = await get(`/dev/outbox/${attempt}`);
      expect(res.statusCode, attempt).toBe(400);
      expect(res.body, attempt).not.toContain(SECRET);
      expect(res.body, attempt).not.toContain('root:');
    }
    // The listing holds only the outbox folder's own files.
    expect((await get('/dev/outbox')).body).not.toContain('secret.eml');
  });

  it('answers an unknown mail with 404', async () => {
    const res = await get('/dev/outbox/2020-01-01T00-00-00-000Z-nobody@example.com.eml');
    expect(res.statusCode).toBe(404);
  });

  it('does not exist when mail goes over SMTP', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/dev/outbox', headers: BROWSER })).statusCode).toBe(404);
  });
});
