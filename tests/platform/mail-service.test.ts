import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createMailService } from '../../src/platform/mail/mail.service.ts';
import type { MailKinds } from '../../src/platform/mail/mail-kinds.ts';
import { loadMailTemplates } from '../../src/platform/mail/mail-templates.ts';
import type { Mailer, OutgoingMail } from '../../src/platform/mail/mailer.ts';
import { startWorkers, type JobHandlers } from '../../src/platform/queue/queues.ts';

/** Two kinds of a made-up feature: the platform must send them knowing nothing of either. */
type TestJob = { kind: 'hello'; to: string } | { kind: 'welcome-back'; to: string } | { kind: 'gone'; to: string };

const kinds: MailKinds<TestJob> = {
  hello: { draft: async (job) => draft(job.to) },
  'welcome-back': { reachesUnsubscribed: true, draft: async (job) => draft(job.to, 'them@other.example') },
  gone: { draft: async () => undefined },
};

function draft(to: string, replyTo?: string) {
  return {
    to,
    ...(replyTo ? { replyTo } : {}),
    view: { subject: 'Hi', preheader: 'p', heading: 'h', paragraphs: ['x'], details: [], action: null, footerReason: 'because' },
  };
}

async function serviceWith(suppressed: Record<string, string>) {
  const sent: OutgoingMail[] = [];
  const mailer: Pick<Mailer, 'send'> = { send: async (mail) => (sent.push(mail), { messageId: mail.messageId ?? '' }) };
  const mail = createMailService({
    kinds,
    mailer,
    templates: await loadMailTemplates(),
    unsubscribeUrl: (email) => `https://digest.example/u/${encodeURIComponent(email)}`,
    suppressionOf: async (email) => suppressed[email],
    operator: 'Example Ltd, 1 Road, Town',
    mailDomain: 'digest.example',
    log: pino({ level: 'silent' }),
  });
  return { mail, sent };
}

describe('the mail service (knows no feature)', () => {
  it('sends a drafted kind with a deterministic Message-ID, unsubscribe headers and our loop header', async () => {
    const { mail, sent } = await serviceWith({});
    expect(await mail.send({ kind: 'welcome-back', to: 'a@partners.example' }, '42')).toBe('sent');
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      to: 'a@partners.example',
      replyTo: 'them@other.example',
      messageId: '<welcome-back.42@digest.example>',
      headers: {
        'List-Unsubscribe': '<https://digest.example/u/a%40partners.example>',
        'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
        'Auto-Submitted': 'auto-generated',
        'X-P2P-Digest-Loop': 'digest.example',
      },
    });
  });

  it("sends nothing when the kind's draft finds the subject moved on", async () => {
    const { mail, sent } = await serviceWith({});
    expect(await mail.send({ kind: 'gone', to: 'a@partners.example' }, '1')).toBe('obsolete');
    expect(sent).toHaveLength(0);
  });

  it('an unsubscribe blocks every kind but one that reaches the unsubscribed; a bounce or complaint blocks all', async () => {
    const { mail, sent } = await serviceWith({ 'u@partners.example': 'unsubscribe', 'b@partners.example': 'hard_bounce' });
    expect(await mail.send({ kind: 'hello', to: 'u@partners.example' }, '1')).toBe('suppressed');
    expect(await mail.send({ kind: 'welcome-back', to: 'u@partners.example' }, '2')).toBe('sent');
    expect(await mail.send({ kind: 'welcome-back', to: 'b@partners.example' }, '3')).toBe('suppressed');
    expect(sent.map((m) => m.messageId)).toEqual(['<welcome-back.2@digest.example>']);
  });
});

describe('the workers', () => {
  it('refuse to start when a job of the registry has no handler', () => {
    const registry = { ping: { queue: 'q', schema: z.object({}) }, pong: { queue: 'q', schema: z.object({}) } };
    // A registry's handlers minus one: what a forgotten handler looks like at run time.
    const handlers: Partial<JobHandlers<typeof registry>> = { ping: async () => {} };
    expect(() => startWorkers(registry, { connection: {}, prefix: 'never', concurrency: { q: 1 } }, handlers as JobHandlers<typeof registry>, pino({ level: 'silent' }))).toThrow(
      "job 'pong' has no handler",
    );
  });
});
