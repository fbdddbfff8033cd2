import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMailer, smtpFailureKind } from '../../src/platform/mail/mailer.ts';
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
});
