import { generateKeyPairSync } from 'node:crypto';
import { authenticate } from 'mailauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDigestRenderer } from '../../src/digests/digest-render.ts';
import { createMailer, smtpFailureKind } from '../../src/platform/mail/mailer.ts';
import { digestFixture } from '../support/digest-view-fixture.ts';
import { dkimKeyFor, stubResolver } from '../support/inbound-fixtures.ts';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.ts';

let sink: SmtpSink;

beforeAll(async () => {
  sink = await startSmtpSink();
});
afterAll(async () => {
  await sink?.close();
});

describe('the mailer', () => {
  it('signs with DKIM, covering both List-Unsubscribe headers (nodemailer leaves the second out by default)', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const mailer = createMailer({
      smtpUrl: sink.url,
      outboxDir: '/nonexistent',
      from: 'p2p-digest <digest@digest.example>',
      dkim: { domainName: 'digest.example', keySelector: 'p2p', privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() },
    });
    try {
      await mailer.send({
        to: 'someone@partners.example',
        subject: 'Signed',
        html: '<p>Hello</p>',
        text: 'Hello',
        messageId: '<signed.1@digest.example>',
        headers: {
          'List-Unsubscribe': '<https://digest.example/u/x>, <mailto:unsubscribe@digest.example?subject=unsubscribe>',
          'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
        },
      });
    } finally {
      mailer.close();
    }
    const mail = await sink.waitFor((m) => m.parsed.subject === 'Signed');
    const signature = mail.raw.match(/^DKIM-Signature:([^\n]*(?:\r?\n[ \t][^\n]*)*)/im)?.[1]?.replace(/\s+/g, '');
    expect(signature).toBeDefined();
    expect(signature).toContain('d=digest.example');
    expect(signature).toContain('s=p2p');
    const signed = signature!.match(/;h=([^;]+)/)?.[1]?.toLowerCase().split(':') ?? [];
    expect(signed).toEqual(expect.arrayContaining(['from', 'subject', 'message-id', 'list-unsubscribe', 'list-unsubscribe-post']));
  });

  it('sends with a rate limit without losing messages', async () => {
    const mailer = createMailer({ smtpUrl: sink.url, outboxDir: '/nonexistent', from: 'x <x@digest.example>', ratePerSecond: 50 });
    try {
      await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          mailer.send({ to: `r${i}@partners.example`, subject: `Rated ${i}`, html: '<p>x</p>', text: 'x', headers: {} }),
        ),
      );
    } finally {
      mailer.close();
    }
    expect(sink.received.filter((m) => m.parsed.subject?.startsWith('Rated '))).toHaveLength(20);
  });

  it('tells a final SMTP refusal from one worth retrying', () => {
    expect(smtpFailureKind(Object.assign(new Error('550 no such user'), { responseCode: 550 }))).toBe('permanent');
    expect(smtpFailureKind(Object.assign(new Error('554 rejected'), { responseCode: 554 }))).toBe('permanent');
    expect(smtpFailureKind(Object.assign(new Error('451 later'), { responseCode: 451 }))).toBe('transient');
    expect(smtpFailureKind(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNECTION' }))).toBe('transient');
  });

  it('sends a 10-card digest in at most 60 KB: the HTML as it is (7bit), DKIM signed and verifying', async () => {
    const key = dkimKeyFor('digest.example', 'p2p');
    const view = digestFixture();
    const rendered = (await loadDigestRenderer()).render(view);
    const mailer = signingMailer(key);
    try {
      await mailer.send({
        to: 'anna@partners.example',
        subject: view.subject,
        html: rendered.html,
        text: rendered.text,
        messageId: '<digest.wire-1@digest.example>',
        headers: {
          'List-Unsubscribe': `<${view.footer.unsubscribeUrl}>, <mailto:unsubscribe@digest.example?subject=unsubscribe>`,
          'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
        },
      });
    } finally {
      mailer.close();
    }
    const mail = await sink.waitFor((m) => m.parsed.messageId === '<digest.wire-1@digest.example>');
    expect(view.cards).toHaveLength(10);
    // The bytes the SMTP server took (CRLF line ends, headers and signature included).
    expect(Buffer.byteLength(mail.raw)).toBeLessThanOrEqual(60 * 1024);
    expect(mail.raw).toMatch(/Content-Type: text\/html; charset=utf-8\r\nContent-Transfer-Encoding: 7bit\r\n/);
    expect(mail.raw).not.toMatch(/\r(?!\n)|(?<!\r)\n/); // CRLF only
    expect(Math.max(...mail.raw.split('\r\n').map((line) => line.length))).toBeLessThanOrEqual(998);
    // What a reader gets is what was rendered, both parts.
    expect(mail.parsed.html).toBe(rendered.html.replace(/\r?\n/g, '\n'));
    expect((mail.parsed.text ?? '').trimEnd()).toBe(rendered.text.trimEnd());
    expect(mail.raw).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r$/m);
    // A receiver checking the signature against the published key finds it intact.
    expect(await dkimResults(mail.raw, key)).toEqual([['digest.example', 'pass']]);
  });

  it('sends a message composed ahead (compose, then sendComposed) dated as it goes, DKIM signed and verifying', async () => {
    const key = dkimKeyFor('digest.example', 'p2p');
    const view = digestFixture();
    const rendered = (await loadDigestRenderer()).render(view);
    const mailer = signingMailer(key);
    const mail = {
      to: 'anna@partners.example',
      subject: view.subject,
      html: rendered.html,
      text: rendered.text,
      messageId: '<digest.ahead-1@digest.example>',
      headers: { 'List-Unsubscribe': `<${view.footer.unsubscribeUrl}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
    };
    let composed: Buffer;
    const before = Math.floor(Date.now() / 1000) * 1000;
    try {
      composed = mailer.compose(mail);
      await mailer.sendComposed({ to: mail.to, messageId: mail.messageId, composed });
    } finally {
      mailer.close();
    }
    expect(composed.toString('latin1')).not.toMatch(/^Date:/m);
    const received = await sink.waitFor((m) => m.parsed.messageId === '<digest.ahead-1@digest.example>');
    expect(received.raw.match(/^Date: /gm)).toHaveLength(1);
    expect(received.parsed.date!.getTime()).toBeGreaterThanOrEqual(before);
    expect(received.envelope.to).toEqual(['anna@partners.example']);
    expect(received.parsed.html).toBe(rendered.html.replace(/\r?\n/g, '\n'));
    expect((received.parsed.text ?? '').trimEnd()).toBe(rendered.text.trimEnd());
    expect(received.raw).not.toMatch(/\r(?!\n)|(?<!\r)\n/); // CRLF only
    expect(await dkimResults(received.raw, key)).toEqual([['digest.example', 'pass']]);
  });
});

/** A mailer to the test's SMTP server that signs with `key` (DKIM). */
function signingMailer(key: ReturnType<typeof dkimKeyFor>) {
  return createMailer({
    smtpUrl: sink.url,
    outboxDir: '/nonexistent',
    from: 'p2p-digest <digest@digest.example>',
    dkim: { domainName: key.domain, keySelector: key.selector, privateKey: key.privateKey },
  });
}

/** What a receiver checking the DKIM signatures against the published key finds: [domain, result] each. */
async function dkimResults(raw: string, key: ReturnType<typeof dkimKeyFor>): Promise<Array<[string, string]>> {
  const result = await authenticate(Buffer.from(raw), {
    ip: '127.0.0.1',
    helo: 'localhost',
    sender: 'digest@digest.example',
    resolver: stubResolver({ [`${key.selector}._domainkey.${key.domain}`]: key.record }),
    trustReceived: false,
  });
  const dkim = (result as { dkim: { results: Array<{ signingDomain: string; status: { result: string } }> } }).dkim.results;
  return dkim.map((r) => [r.signingDomain, r.status.result]);
}
