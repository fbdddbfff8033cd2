import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { InboundService } from '../../src/inbound/inbound.service.ts';
import type { EmailOpportunityInput } from '../../src/inbound/drafts/email-opportunity.ts';
import { replyAddressFor } from '../../src/inbound/replies/digest-reply.ts';
import { addOpportunity, addPartner } from '../support/digest-fixtures.ts';
import { composeRaw, deliveryReport, inboundServiceWith, dkimKeyFor, domainRecords, storeInbound, stubResolver } from '../support/inbound-fixtures.ts';
import { APP_SECRET, createTestStack, type TestStack } from '../support/test-stack.ts';
import { SAMPLE_EMAILS } from '../support/sample-emails.ts';

// The understanding part belongs to another file's tests: here we only see what it is handed.
const handedOver = vi.hoisted(() => [] as EmailOpportunityInput[]);
vi.mock('../../src/inbound/drafts/email-opportunity.ts', () => ({
  createEmailOpportunity: async (_deps: unknown, input: EmailOpportunityInput) => {
    if (input.sender.email.startsWith('crash@')) throw new Error('understanding crashed');
    handedOver.push(input);
    return { outcome: 'understood (test)' };
  },
}));

const PARTNER_IP = '192.0.2.10';
const partnerKey = dkimKeyFor('partners.example');
const spooferKey = dkimKeyFor('spoofer.example');
const resolver = stubResolver({
  ...domainRecords(partnerKey, PARTNER_IP),
  ...domainRecords(spooferKey, '198.51.100.7'),
  // A domain without DMARC or DKIM whose SPF names its server: an authenticated sender all the same.
  'elsewhere.example': `v=spf1 ip4:${PARTNER_IP} -all`,
});

let t: TestStack;
let inbound: InboundService;
let partnerId: string;

beforeAll(async () => {
  t = await createTestStack();
  partnerId = await addPartner(t, 'ann', ['AKS']);
  // The container's service with DNS served offline; everything else as configured.
  inbound = inboundServiceWith(t, resolver);
});
afterAll(async () => t?.close());
beforeEach(() => {
  handedOver.length = 0;
});

const rowOf = (id: string) =>
  t.c.db.selectFrom('inboundMessages').select(['status', 'outcome', 'opportunityId', 'raw', 'attempts']).where('id', '=', id).executeTakeFirstOrThrow();
const suppressionOf = (email: string) =>
  t.c.db.selectFrom('suppressions').select('reason').where('email', '=', email).executeTakeFirst().then((r) => r?.reason);
const outboxCount = () =>
  t.c.db.selectFrom('outbox').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow().then((r) => Number(r.n));

const body = 'We won a project and need an AKS partner in Munich for six months. Budget 80k EUR.';

/** A signed message from Ann, the active partner, sent from her domain's mail server. */
async function fromAnn(overrides: Record<string, unknown> = {}) {
  const raw = await composeRaw(
    { from: 'Ann Example <ann@partners.example>', to: 'opportunities@p2p.test', subject: 'AKS partner needed', text: body, ...overrides },
    partnerKey,
  );
  return storeInbound(t, raw, { mailFrom: 'ann@partners.example' });
}

describe('trust: who a message is from', () => {
  it('a DMARC pass for a partner address hands over the partner, once', async () => {
    const id = await fromAnn();
    const result = await inbound.process(id);
    expect(result).toEqual({ status: 'processed', outcome: 'understood (test)' });
    expect(handedOver).toHaveLength(1);
    expect(handedOver[0]).toMatchObject({
      inboundId: id,
      sender: { email: 'ann@partners.example', name: 'Ann Example' },
      verifiedPartnerId: partnerId,
      mayReply: true,
    });
    expect(handedOver[0]!.parsed.subject).toBe('AKS partner needed');
    expect(await rowOf(id)).toMatchObject({ status: 'processed', outcome: 'understood (test)', attempts: 1 });

    // A second job for the same message does nothing.
    expect(await inbound.process(id)).toEqual({ status: 'skipped', outcome: 'done-before' });
    expect(handedOver).toHaveLength(1);
  });

  it('a partner From signed by another domain (DKIM pass, DMARC fail) is not the partner', async () => {
    const raw = await composeRaw({ from: 'ann@partners.example', to: 'opportunities@p2p.test', subject: 'Urgent project', text: body }, spooferKey);
    const id = await storeInbound(t, raw, { mailFrom: 'bounce@spoofer.example', remoteIp: '198.51.100.7' });
    await inbound.process(id);
    expect(handedOver).toHaveLength(1);
    expect(handedOver[0]!.verifiedPartnerId).toBeNull();
    expect(handedOver[0]!.sender.email).toBe('ann@partners.example');
  });

  it('an unsigned message from the wrong server is not the partner either', async () => {
    const raw = await composeRaw({ from: 'ann@partners.example', to: 'opportunities@p2p.test', subject: 'Hello', text: body });
    const id = await storeInbound(t, raw, { mailFrom: 'ann@partners.example', remoteIp: '203.0.113.9' });
    await inbound.process(id);
    expect(handedOver[0]!.verifiedPartnerId).toBeNull();
    // Nor is it answered: the From may be forged, and the answer would be backscatter.
    expect(handedOver[0]!.mayReply).toBe(false);
  });
});

describe('one automatic reply per sender per day', () => {
  it('lets the first message from a sender be answered and not the second', async () => {
    const send = async () => {
      const raw = await composeRaw({ from: 'Zoe <zoe@elsewhere.example>', to: 'opportunities@p2p.test', subject: 'A project', text: body });
      await inbound.process(await storeInbound(t, raw, { mailFrom: 'zoe@elsewhere.example' }));
    };
    await send();
    await send();
    expect(handedOver.map((h) => h.mayReply)).toEqual([true, false]);

    // A day later the sender may be answered again.
    await t.c.db.updateTable('inboundReplies').set({ lastRepliedAt: new Date(Date.now() - 25 * 3600_000) }).where('address', '=', 'zoe@elsewhere.example').execute();
    await send();
    expect(handedOver.map((h) => h.mayReply)).toEqual([true, false, true]);
  });

  it('never answers, nor counts, a sender whose From is not authenticated', async () => {
    const send = async (remoteIp: string) => {
      const raw = await composeRaw({ from: 'Yan <yan@elsewhere.example>', to: 'opportunities@p2p.test', subject: 'A project', text: body });
      await inbound.process(await storeInbound(t, raw, { mailFrom: 'yan@elsewhere.example', remoteIp }));
    };
    // From a server elsewhere.example's SPF does not name: forged, as far as we can tell.
    await send('203.0.113.9');
    await send('203.0.113.9');
    // The forgeries did not use up the real sender's reply of the day.
    await send(PARTNER_IP);
    expect(handedOver.map((h) => h.mayReply)).toEqual([false, false, true]);
  });
});

describe('machine mail is never an opportunity nor answered', () => {
  const dsn = (recipient: string, status: string) => deliveryReport(recipient, status);

  /** A complaint report about `recipient`; `enclosedHeaders` are the complained-of message's. */
  const arfAbout = (recipient: string, enclosedHeaders: string[]) =>
    Buffer.from(
      [
        'From: abuse@isp.example',
        'To: abuse@p2p.test',
        'Subject: Complaint',
        'MIME-Version: 1.0',
        'Content-Type: multipart/report; report-type=feedback-report; boundary="b2"',
        '',
        '--b2',
        'Content-Type: text/plain',
        '',
        'A user marked this as spam.',
        '--b2',
        'Content-Type: message/feedback-report',
        '',
        'Feedback-Type: abuse',
        'User-Agent: isp-fbl/1.0',
        'Version: 1',
        `Original-Rcpt-To: <${recipient}>`,
        '',
        '--b2',
        'Content-Type: message/rfc822',
        '',
        ...enclosedHeaders,
        'From: digest@p2p.test',
        `To: ${recipient.toLowerCase()}`,
        'Subject: Your digest',
        '',
        'cards',
        '--b2--',
        '',
      ].join('\r\n'),
    );
  const signedFor = (address: string) => t.c.returnPaths.returnPathFor(address);

  const cases: Array<{ name: string; message: () => Promise<string>; outcome: RegExp }> = [
    { name: 'out-of-office by subject', message: () => fromAnn({ subject: 'Out of Office: AKS partner needed' }), outcome: /^auto-reply/ },
    { name: 'Auto-Submitted: auto-replied', message: () => fromAnn({ headers: { 'Auto-Submitted': 'auto-replied' } }), outcome: /^auto-reply \(Auto-Submitted/ },
    { name: 'X-Autoreply', message: () => fromAnn({ headers: { 'X-Autoreply': 'yes' } }), outcome: /^auto-reply/ },
    { name: 'Precedence: bulk', message: () => fromAnn({ headers: { Precedence: 'bulk' } }), outcome: /^auto-reply/ },
    { name: 'list mail', message: () => fromAnn({ headers: { 'List-Id': '<azure.lists.example>' } }), outcome: /^mailing list/ },
    {
      name: 'our own address',
      message: async () => storeInbound(t, await composeRaw({ from: t.config.mailFrom, to: 'opportunities@p2p.test', subject: 'x', text: body }), { mailFrom: 'someone@else.example' }),
      outcome: /^own mail/,
    },
    { name: 'our loop header', message: () => fromAnn({ headers: { 'X-P2P-Digest-Loop': 'p2p.test' } }), outcome: /^own mail/ },
    {
      name: 'a DSN with 5.1.1 to the return path signed for its recipient',
      message: () => storeInbound(t, dsn('gone@partners.example', '5.1.1'), { mailFrom: '', rcptTo: [signedFor('gone@partners.example')] }),
      outcome: /^bounce: gone@partners.example \(5\.1\.1\) suppressed/,
    },
    {
      name: 'a DSN with 4.4.1',
      message: () => storeInbound(t, dsn('slow@partners.example', '4.4.1'), { mailFrom: '', rcptTo: [signedFor('slow@partners.example')] }),
      outcome: /^bounce .*nothing suppressed/,
    },
    // Forged reports: anyone can write a DSN or an ARF report naming any address.
    {
      name: 'a forged DSN to the intake address',
      message: () => storeInbound(t, dsn('victim1@partners.example', '5.1.1'), { mailFrom: '' }),
      outcome: /^bounce: not acted on: victim1@partners.example \(5\.1\.1\): names none of our return paths/,
    },
    {
      name: "a DSN to a return path signed for someone else (the forger's own)",
      message: () => storeInbound(t, dsn('victim2@partners.example', '5.1.1'), { mailFrom: '', rcptTo: [signedFor('forger@spoofer.example')] }),
      outcome: /^bounce: not acted on: victim2@partners.example .*not signed for victim2@partners.example/,
    },
    {
      name: 'a DSN to a return path with a made-up signature',
      message: () => storeInbound(t, dsn('victim3@partners.example', '5.1.1'), { mailFrom: '', rcptTo: [signedFor('victim3@partners.example').replace(/\.[0-9a-f]{4}/, '.0000')] }),
      outcome: /^bounce: not acted on: victim3@partners.example .*not signed for/,
    },
    {
      name: 'an ARF complaint enclosing our signed return path header',
      message: () => storeInbound(t, arfAbout('Complainer@Partners.example', [`X-P2P-Return-Path: ${signedFor('complainer@partners.example')}`]), { mailFrom: 'fbl@isp.example' }),
      outcome: /^complaint report: complainer@partners.example suppressed/,
    },
    {
      name: 'an ARF complaint enclosing our signed Return-Path',
      message: () => storeInbound(t, arfAbout('complainer2@partners.example', [`Return-Path: <${signedFor('complainer2@partners.example')}>`]), { mailFrom: 'fbl@isp.example' }),
      outcome: /^complaint report: complainer2@partners.example suppressed/,
    },
    {
      name: 'a forged ARF complaint with no return path of ours',
      message: () => storeInbound(t, arfAbout('victim4@partners.example', ['Return-Path: <digest@p2p.test>']), { mailFrom: 'fbl@isp.example' }),
      outcome: /^complaint report about victim4@partners.example: names none of our return paths; stored, not acted on/,
    },
    {
      name: 'an ARF complaint whose return path was signed for someone else',
      message: () => storeInbound(t, arfAbout('victim5@partners.example', [`X-P2P-Return-Path: ${signedFor('forger@spoofer.example')}`]), { mailFrom: 'fbl@isp.example' }),
      outcome: /^complaint report about victim5@partners.example: return path not signed for victim5@partners.example/,
    },
    {
      name: 'a person writing to a return path',
      message: async () =>
        storeInbound(t, await composeRaw({ from: 'Ann Example <ann@partners.example>', to: 'x@p2p.test', subject: 'AKS partner needed', text: body }, partnerKey), {
          mailFrom: 'ann@partners.example',
          rcptTo: [signedFor('ann@partners.example')],
        }),
      outcome: /^to a return path, but not a delivery or complaint report/,
    },
  ];

  it.each(cases)('rejects $name, with nothing created and nothing sent', async ({ message, outcome }) => {
    const before = await outboxCount();
    const id = await message();
    const result = await inbound.process(id);
    expect(result.status).toBe('rejected');
    expect(result.outcome).toMatch(outcome);
    const row = await rowOf(id);
    expect(row).toMatchObject({ status: 'rejected', opportunityId: null });
    expect(row.raw.length).toBeGreaterThan(0);
    expect(handedOver).toHaveLength(0);
    expect(await outboxCount()).toBe(before);
  });

  it('suppresses the proven hard-bounced and complaining addresses only: not the delayed one, nor any forged report', async () => {
    expect(await suppressionOf('gone@partners.example')).toBe('hard_bounce');
    expect(await suppressionOf('complainer@partners.example')).toBe('complaint');
    expect(await suppressionOf('complainer2@partners.example')).toBe('complaint');
    expect(await suppressionOf('slow@partners.example')).toBeUndefined();
    for (const victim of ['victim1', 'victim2', 'victim3', 'victim4', 'victim5']) {
      expect(await suppressionOf(`${victim}@partners.example`)).toBeUndefined();
    }
  });

  it('sends nothing once the background roles have run', async () => {
    const sentBefore = t.smtp.received.length;
    t.startBackground();
    await new Promise((r) => setTimeout(r, 1500));
    await t.stopBackground();
    expect(t.smtp.received.length).toBe(sentBefore);
  });
});

describe('our own mail coming back', () => {
  it('carries the loop header, and is rejected when it comes back (a forward, an echoing robot)', async () => {
    const opportunityId = await addOpportunity(t, 'Loop test', ['AKS']);
    await t.c.mail.send({ kind: 'opportunity-receipt', opportunityId }, 'loop-test');
    const sent = await t.smtp.waitFor((m) => m.envelope.to.includes('sam@submitter.example'));
    // nodemailer writes it "X-P2p-Digest-Loop"; header names are case-insensitive.
    expect(sent.raw).toMatch(/^X-P2P-Digest-Loop: p2p\.test/im);
    // Forwarded back by someone else's server: a different envelope sender, the same headers.
    const id = await storeInbound(t, Buffer.from(sent.raw), { mailFrom: 'forwarder@elsewhere.example' });
    expect(await inbound.process(id)).toMatchObject({ status: 'rejected', outcome: expect.stringMatching(/^own mail/) as unknown });
    expect(handedOver).toHaveLength(0);
  });
});

describe('the unsubscribe address (RFC 8058 mailto:)', () => {
  it('unsubscribes a sender whose From passes DMARC, and answers nothing', async () => {
    const bob = await addPartner(t, 'bob', ['AKS']);
    const raw = await composeRaw({ from: 'bob@partners.example', to: t.config.unsubscribeMailto, subject: 'unsubscribe', text: '' }, partnerKey);
    const id = await storeInbound(t, raw, { mailFrom: 'bounces@partners.example', rcptTo: [t.config.unsubscribeMailto] });
    expect(await inbound.process(id)).toMatchObject({ status: 'processed', outcome: 'unsubscribed bob@partners.example' });
    expect(await suppressionOf('bob@partners.example')).toBe('unsubscribe');
    const partner = await t.c.db.selectFrom('partners').select('status').where('id', '=', bob).executeTakeFirstOrThrow();
    expect(partner.status).toBe('unsubscribed');
    expect(handedOver).toHaveLength(0);
  });

  it('refuses a forged request: From neither DMARC-verified nor the envelope sender', async () => {
    const raw = await composeRaw({ from: 'ann@partners.example', to: t.config.unsubscribeMailto, subject: 'unsubscribe', text: '' }, spooferKey);
    const id = await storeInbound(t, raw, { mailFrom: 'x@spoofer.example', rcptTo: [t.config.unsubscribeMailto], remoteIp: '198.51.100.7' });
    const result = await inbound.process(id);
    expect(result.status).toBe('rejected');
    expect(result.outcome).toMatch(/^unsubscribe request not trusted/);
    expect(await suppressionOf('ann@partners.example')).toBeUndefined();
  });
});

describe('replies to a digest', () => {
  /** A sent digest for Ann with one card, as the digest run leaves it. */
  async function sentDigest(): Promise<{ digestId: string; opportunityId: string }> {
    const opportunityId = await addOpportunity(t, `Reply test ${Math.random()}`, ['AKS']);
    const digest = await t.c.db
      .insertInto('digests')
      .values({ partnerId, period: `2026-W${Math.floor(Math.random() * 1000)}`, status: 'sent', sentAt: new Date() })
      .returning('id')
      .executeTakeFirstOrThrow();
    await t.c.db.insertInto('digestItems').values({ digestId: digest.id, partnerId, opportunityId, position: 0, score: 1 }).execute();
    return { digestId: digest.id, opportunityId };
  }

  async function reply(digestId: string, text: string, spoofed = false) {
    const to = replyAddressFor([APP_SECRET], digestId, 'p2p.test');
    const raw = await composeRaw({ from: 'ann@partners.example', to, subject: 'Re: Your opportunities', text }, spoofed ? spooferKey : partnerKey);
    // The spoofer sends from its own server and envelope: neither SPF nor DKIM aligns with From.
    const envelope = spoofed ? { mailFrom: 'x@spoofer.example', remoteIp: '198.51.100.7' } : { mailFrom: 'ann@partners.example' };
    return inbound.process(await storeInbound(t, raw, { ...envelope, rcptTo: [to] }));
  }

  it('records interest for the verified partner of the digest', async () => {
    const { digestId, opportunityId } = await sentDigest();
    expect(await reply(digestId, 'Interested in #1!\n\nOn Monday p2p-digest wrote:\n> cards')).toMatchObject({
      status: 'processed',
      outcome: 'digest reply: interest recorded (card #1)',
    });
    const interest = await t.c.db.selectFrom('interests').select('status').where('partnerId', '=', partnerId).where('opportunityId', '=', opportunityId).executeTakeFirst();
    expect(interest?.status).toBe('active');
    expect(handedOver).toHaveLength(0);
  });

  it('records nothing for a spoofed partner, an unclear reply or a forged address', async () => {
    const { digestId, opportunityId } = await sentDigest();
    expect((await reply(digestId, 'interested #1', true)).outcome).toMatch(/^digest reply: sender not verified/);
    // Ann had today's reply earlier in this file; a day has passed, say.
    await t.c.db.deleteFrom('inboundReplies').where('address', '=', 'ann@partners.example').execute();
    expect((await reply(digestId, 'Sounds good')).outcome).toBe('digest reply: unclear (no "interested"), answered');
    // The answer counts as the day's one reply: a second unclear reply gets none.
    expect((await reply(digestId, 'Which button?')).outcome).toBe('digest reply: unclear (no "interested")');
    const helps = await t.c.db.selectFrom('outbox').select('payload').where('dedupeKey', 'like', 'digest-reply-help:%').execute();
    expect(helps.map((h) => h.payload)).toEqual([{ kind: 'digest-reply-help', partnerId }]);
    const forged = await composeRaw({ from: 'ann@partners.example', to: 'reply+00@p2p.test', subject: 'Re', text: 'interested #1' }, partnerKey);
    const id = await storeInbound(t, forged, { mailFrom: 'ann@partners.example', rcptTo: ['reply+0000000000000000000000000000000000000000000000000@p2p.test'] });
    expect((await inbound.process(id)).outcome).toMatch(/bad token/);
    const interest = await t.c.db.selectFrom('interests').select('id').where('opportunityId', '=', opportunityId).executeTakeFirst();
    expect(interest).toBeUndefined();
  });
});

describe('a real digest, replied to', () => {
  it('carries a Reply-To whose "interested #1" reply records interest in the first card', async () => {
    const danaId = await addPartner(t, 'dana', ['SAP on Azure']);
    const opportunityId = await addOpportunity(t, 'SAP landing zone', ['SAP on Azure']);
    await t.c.digests.runRound({ everyone: true, partnerId: danaId });
    const digest = await t.smtp.waitFor((m) => m.envelope.to.includes('dana@partners.example'));
    const replyTo = digest.parsed.replyTo?.value[0]?.address ?? '';
    // The test config's intake address is opportunities@localhost.
    expect(replyTo).toMatch(/^reply\+[0-9a-f]{48}@localhost$/);

    const raw = await composeRaw(
      { from: 'Dana <dana@partners.example>', to: replyTo, subject: `Re: ${digest.parsed.subject}`, text: 'Interested in #1.\n\n> I\'m interested' },
      partnerKey,
    );
    const result = await inbound.process(await storeInbound(t, raw, { mailFrom: 'dana@partners.example', rcptTo: [replyTo] }));
    expect(result).toMatchObject({ status: 'processed', outcome: 'digest reply: interest recorded (card #1)' });
    const interest = await t.c.db.selectFrom('interests').select('status').where('partnerId', '=', danaId).where('opportunityId', '=', opportunityId).executeTakeFirst();
    expect(interest?.status).toBe('active');
  });

  it('sends the help answer to an unclear reply', async () => {
    t.startBackground();
    try {
      const help = await t.smtp.waitFor((m) => m.envelope.to.includes('ann@partners.example') && m.parsed.subject === 'About your reply to your digest');
      expect(help.parsed.text).toContain('interested #2');
    } finally {
      await t.stopBackground();
    }
  });
});

describe('failures', () => {
  it('lets an error reach the job for a retry, then marks the message failed on the last attempt, keeping its bytes', async () => {
    const raw = await composeRaw({ from: 'crash@partners.example', to: 'opportunities@p2p.test', subject: 'x', text: body }, partnerKey);
    const id = await storeInbound(t, raw, { mailFrom: 'crash@partners.example' });
    for (let attempt = 1; attempt < 5; attempt++) {
      await expect(inbound.process(id)).rejects.toThrow('understanding crashed');
      expect(await rowOf(id)).toMatchObject({ status: 'received', attempts: attempt });
    }
    expect(await inbound.process(id)).toEqual({ status: 'failed', outcome: 'failed: understanding crashed' });
    const row = await rowOf(id);
    expect(row).toMatchObject({ status: 'failed', outcome: 'failed: understanding crashed', attempts: 5 });
    expect(row.raw.equals(raw)).toBe(true);
    expect(await inbound.process(id)).toEqual({ status: 'skipped', outcome: 'done-before' });
  });

  it('keeps going when DNS fails: the sender is simply not verified', async () => {
    const offline = inboundServiceWith(t, async () => {
      throw Object.assign(new Error('DNS is down'), { code: 'ESERVFAIL' });
    }, { ownAddresses: [] });
    const id = await fromAnn();
    expect(await offline.process(id)).toMatchObject({ status: 'processed' });
    expect(handedOver[0]!.verifiedPartnerId).toBeNull();
  });
});

describe('every sample message is handled without a crash', () => {
  const root = SAMPLE_EMAILS;
  const files = ['client-replies', 'parser-edge-cases'].flatMap((dir) =>
    readdirSync(new URL(`${dir}/`, root)).filter((f) => f.endsWith('.eml')).map((f) => `${dir}/${f}`),
  );

  it.each(files)('%s', async (file) => {
    const raw = readFileSync(new URL(file, root));
    // The real delivery report comes back to the return path we would have signed for its recipient.
    const envelope = file.includes('delivery-status') ? { mailFrom: '', rcptTo: [t.c.returnPaths.returnPathFor('xxxx@xxxx.com')] } : { mailFrom: 'sender@elsewhere.example' };
    const id = await storeInbound(t, raw, envelope);
    const started = Date.now();
    const result = await inbound.process(id);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(['processed', 'rejected']).toContain(result.status);
    const row = await rowOf(id);
    expect(['processed', 'rejected']).toContain(row.status);
    expect(row.outcome).toBeTruthy();
    expect(row.raw.equals(raw)).toBe(true);
  });

  it('suppresses the failed recipient of the real delivery-status sample', async () => {
    expect(await suppressionOf('xxxx@xxxx.com')).toBe('hard_bounce');
  });
});
