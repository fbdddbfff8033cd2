import type { Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobHandlers } from '../../src/app/roles.ts';
import { JOBS, QUEUE_CONCURRENCY, queueLockDurations } from '../../src/app/jobs.ts';
import { inboundJobId } from '../../src/inbound/inbound.service.ts';
import { authBudgetMs, checkSender, type DNSResolver } from '../../src/inbound/trust/sender-auth.ts';
import { startWorkers } from '../../src/platform/queue/queues.ts';
import { storableText } from '../../src/inbound/drafts/storable-text.ts';
import { inboundServiceWith, storeInbound, stubResolver } from '../support/inbound-fixtures.ts';
import { createTestStack, type TestStack } from '../support/test-stack.ts';

let t: TestStack;

beforeAll(async () => {
  t = await createTestStack();
});
afterAll(async () => t?.close());

const rowOf = (id: string) =>
  t.c.db.selectFrom('inboundMessages').select(['status', 'outcome', 'opportunityId', 'raw', 'attempts']).where('id', '=', id).executeTakeFirstOrThrow();

/** A plain mail as a person's client would send it; `subject` and `body` go in byte for byte. */
function rawMail(subject: string, body: string, from = 'Nul Sender <nul@customer.example>'): Buffer {
  return Buffer.from(
    [
      `From: ${from}`,
      'To: opportunities@p2p.test',
      `Subject: ${subject}`,
      `Message-ID: <${Math.random().toString(36).slice(2)}@customer.example>`,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: 8bit',
      '',
      body,
      '',
    ].join('\r\n'),
  );
}

describe('text Postgres refuses, in an inbound mail', () => {
  it('storable text keeps tabs and line breaks, and drops NUL, other control characters and lone surrogates', () => {
    expect(storableText('a\u0000b\tc\r\nd\u0007e\u001bf\u007f')).toBe('ab\tc\r\ndef\u007f');
    expect(storableText('x\ud800y')).toBe('x\ufffdy');
    expect(storableText('Grüße 👋')).toBe('Grüße 👋');
  });

  it('a NUL byte in subject and body: processed into an opportunity without it; the stored message keeps its bytes', async () => {
    const raw = rawMail('AKS\u0000 partner needed\u0000', 'We need an AKS partner in Munich.\u0000 Budget 80k EUR.\u0001\r\nStart\u0000 soon.');
    expect(raw.includes(0)).toBe(true);
    const id = await storeInbound(t, raw, { mailFrom: 'nul@customer.example' });
    const result = await inboundServiceWith(t, stubResolver({})).process(id);
    expect(result).toMatchObject({ status: 'processed' });
    const row = await rowOf(id);
    expect(row).toMatchObject({ status: 'processed', attempts: 1 });
    expect(row.raw.equals(raw)).toBe(true);
    const opportunity = await t.c.db
      .selectFrom('opportunities')
      .select(['title', 'description', 'submitterName', 'submitterEmail'])
      .where('id', '=', row.opportunityId!)
      .executeTakeFirstOrThrow();
    expect(opportunity.title).toBe('AKS partner needed');
    expect(opportunity.description).toContain('We need an AKS partner in Munich. Budget 80k EUR.');
    expect(opportunity.description).toContain('Start soon.');
    expect(JSON.stringify(opportunity)).not.toMatch(/\\u000[01]/);
  });

  it('a NUL byte in the sender name: processed, the name stored without it', async () => {
    const raw = rawMail('Sentinel rollout', 'A Sentinel rollout in Vienna, 40k EUR.', 'Nu\u0000l Person <nul2@customer.example>');
    const id = await storeInbound(t, raw, { mailFrom: 'nul2@customer.example' });
    expect(await inboundServiceWith(t, stubResolver({})).process(id)).toMatchObject({ status: 'processed' });
    const row = await rowOf(id);
    const opportunity = await t.c.db.selectFrom('opportunities').select(['submitterName']).where('id', '=', row.opportunityId!).executeTakeFirstOrThrow();
    expect(opportunity.submitterName).toBe('Nul Person');
  });
});

/** A DNS server that takes every question and never answers. */
const silentDns: DNSResolver = () => new Promise(() => undefined);

describe('DNS that never answers', () => {
  const dnsTimeoutMs = 200;

  it('the sender check gives up within its budget: the sender is not verified', async () => {
    const raw = rawMail('Slow DNS', 'An AKS project in Munich.');
    const started = Date.now();
    const trust = await checkSender(raw, { mailFrom: 'nul@customer.example', remoteIp: '192.0.2.10', helo: 'mx.customer.example' }, { mta: 'mx.p2p.test', resolver: silentDns, dnsTimeoutMs });
    expect(Date.now() - started).toBeLessThan(authBudgetMs(dnsTimeoutMs) + dnsTimeoutMs + 500);
    expect(trust.verified).toBe(false);
  });

  it('a message queued for processing is processed once, unverified, within the timeout', { timeout: 20_000 }, async () => {
    const service = inboundServiceWith(t, silentDns, { dnsTimeoutMs });
    const processed: string[] = [];
    const handlers = {
      ...jobHandlers(t.c),
      'inbound-process': async ({ inboundId }: { inboundId: string }) => {
        processed.push(inboundId);
        await service.process(inboundId);
      },
    };
    const workers: Worker[] = startWorkers(JOBS, { ...t.c.queueSettings, concurrency: QUEUE_CONCURRENCY, lockDurationMs: queueLockDurations(dnsTimeoutMs) }, handlers, t.c.log);
    try {
      const id = await storeInbound(t, rawMail('AKS partner needed', 'We need an AKS partner in Munich. Budget 80k EUR.', 'Slow Dns <slow@customer.example>'), { mailFrom: 'slow@customer.example' });
      const started = Date.now();
      await t.c.queues.enqueue('inbound-process', { inboundId: id }, inboundJobId(id));
      await expect.poll(async () => (await rowOf(id)).status, { timeout: 10_000 }).toBe('processed');
      expect(Date.now() - started).toBeLessThan(authBudgetMs(dnsTimeoutMs) + 3_000);
      expect(await rowOf(id)).toMatchObject({ status: 'processed', attempts: 1 });
      expect(processed).toEqual([id]);
    } finally {
      await Promise.all(workers.map((w) => w.close()));
    }
  });

  it('the inbound worker holds a job longer than the sender check can take; the other queues keep BullMQ\'s lock', async () => {
    const handlers = jobHandlers(t.c);
    const workers = startWorkers(JOBS, { ...t.c.queueSettings, concurrency: QUEUE_CONCURRENCY, lockDurationMs: queueLockDurations(5_000) }, handlers, t.c.log);
    try {
      const lockOf = (queue: string) => workers.find((w) => w.name === queue)!.opts.lockDuration;
      expect(lockOf('inbound')).toBeGreaterThanOrEqual(2 * authBudgetMs(5_000));
      expect(lockOf('match')).toBe(30_000);
    } finally {
      await Promise.all(workers.map((w) => w.close()));
    }
  });
});
