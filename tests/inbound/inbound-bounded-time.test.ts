import { randomBytes } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInboundMails, inboundMailJob } from '../../src/inbound/inbound.mails.ts';
import { BODY_READ_MAX } from '../../src/inbound/understanding/understand.ts';
import { inboundServiceWith, storeInbound, stubResolver } from '../support/inbound-fixtures.ts';
import { createTestStack, type TestStack } from '../support/test-stack.ts';

/**
 * Issue 10, item 7: one hostile mail held the event loop for seconds (the skill and place
 * patterns, once for processing and once more for the acknowledgement), every role with it, and
 * BullMQ lost its locks. Each mail here goes the whole way a person's mail goes (parse, classify,
 * SPF/DKIM/DMARC, understanding, the opportunity and its acknowledgement in one transaction, then
 * the acknowledgement drafted as the mail job drafts it) while the event loop's delay is measured:
 * no single stretch may hold it 100 ms. A bound on blocking, not a speed test: the whole of a
 * mail may take as long as it takes, as long as the loop keeps turning.
 */
const DOMAIN = 'hostile.example';
const BLOCK_LIMIT_MS = 100;
const ATTEMPTS = 5;
const MB = 1024 * 1024;

let t: TestStack;
let service: ReturnType<typeof inboundServiceWith>;
let mails: ReturnType<typeof createInboundMails>;

beforeAll(async () => {
  t = await createTestStack();
  // The sender's domain passes SPF for the stored client address: an authenticated sender, answered.
  service = inboundServiceWith(t, stubResolver({ [DOMAIN]: 'v=spf1 ip4:192.0.2.10 -all' }));
  mails = createInboundMails({ db: t.c.db, opportunities: t.c.opportunities, partners: t.c.partners, catalogue: t.c.catalogue, links: t.c.links });
});
afterAll(async () => t?.close());

let seq = 0;
/** A mail with `body` byte for byte under the given headers. */
function mail(body: Buffer, contentType = 'text/plain; charset=utf-8', subject = 'Azure Kubernetes Service partner in Munich'): Buffer {
  seq++;
  const headers = [
    `From: Hostile Sender <sender${seq}@${DOMAIN}>`,
    'To: opportunities@p2p.test',
    `Subject: ${subject}`,
    `Message-ID: <bounded-${seq}-${Date.now()}@${DOMAIN}>`,
    'MIME-Version: 1.0',
    `Content-Type: ${contentType}`,
    'Content-Transfer-Encoding: 8bit',
  ];
  return Buffer.concat([Buffer.from([...headers, '', ''].join('\r\n')), body]);
}

/** MIME parts nested `depth` deep, a text part at the bottom. */
function nestedMime(depth: number): Buffer {
  const opening = Array.from({ length: depth }, (_, i) => `--b${i}\r\nContent-Type: multipart/mixed; boundary="b${i + 1}"\r\n\r\n`).join('');
  const closing = Array.from({ length: depth }, (_, i) => `--b${depth - i}--\r\n`).join('');
  const body = `${opening}--b${depth}\r\nContent-Type: text/plain\r\n\r\nAKS in Munich, 40,000 EUR.\r\n${closing}`;
  return mail(Buffer.from(body), 'multipart/mixed; boundary="b0"');
}

const HOSTILE: Array<[string, () => Buffer]> = [
  ['10 KB of invalid UTF-8 (U+FFFD once decoded)', () => mail(Buffer.alloc(10 * 1024, 0xff))],
  ['10 KB of invalid UTF-8 between words', () => mail(Buffer.from(Array.from({ length: 10 * 1024 }, (_, i) => (i % 7 === 0 ? 0x20 : 0xc3))))],
  ['1 MB of invalid UTF-8', () => mail(Buffer.alloc(MB, 0xff))],
  ['50 KB of random bytes as a whole message', () => randomBytes(50 * 1024)],
  ['50 KB of random bytes as a text part', () => mail(randomBytes(50 * 1024))],
  ['50 KB of random bytes as an HTML part', () => mail(randomBytes(50 * 1024), 'text/html; charset=utf-8')],
  ['1 MB of one letter: a line without spaces', () => mail(Buffer.alloc(MB, 'a'))],
  ['1 MB of one character: spaces', () => mail(Buffer.alloc(MB, ' '))],
  ['1 MB of one digit', () => mail(Buffer.alloc(MB, '7'))],
  ['a line of 60,000 spaces between two words', () => mail(Buffer.from(`AKS${' '.repeat(60_000)}Munich\r\n`))],
  ['the body limit several times over in names, amounts and dates', () => mail(Buffer.from('AKS and Entra-ID in München, remote, budget €40k–60k, start 15 January 2027. '.repeat(Math.ceil((4 * BODY_READ_MAX) / 80))))],
  ['quote markers on every line, twice the body limit', () => mail(Buffer.from('On Mon, 2 Dec 2026 Jane <j@x.example> wrote:\r\nFrom: x\r\n'.repeat(Math.ceil((2 * BODY_READ_MAX) / 55))))],
  ['a subject of 2,500 reply prefixes', () => mail(Buffer.from('AKS in Munich.'), 'text/plain; charset=utf-8', `${'Re: '.repeat(2_500)}AKS`)],
  ['HTML nested 20,000 elements deep', () => mail(Buffer.from(`${'<div>'.repeat(20_000)}AKS in Munich${'</div>'.repeat(20_000)}`), 'text/html; charset=utf-8')],
  ['1 MB of tiny HTML elements', () => mail(Buffer.from('<b>AKS</b>'.repeat(MB / 10)), 'text/html; charset=utf-8')],
  ['MIME parts nested 100 deep', () => nestedMime(100)],
  ['the body limit several times over in ordinary-word names and nice-to-have clauses', () => mail(Buffer.from('Security and Finance would be a plus; Service, optional.\r\nOptional\r\n- Power BI\r\n'.repeat(Math.ceil((4 * BODY_READ_MAX) / 75))))],
  ['signature lines, rules and disclaimers to the body limit', () => mail(Buffer.from('\r\nJane Doe\r\nConsultant | Contoso Ltd\r\n----------\r\nThis email is confidential.\r\n'.repeat(Math.ceil((2 * BODY_READ_MAX) / 80))))],
  ['an HTML table of 100,000 cells', () => mail(Buffer.from(`<table>${'<tr><td>Nice-to-have</td><td>Power BI</td></tr>'.repeat(50_000)}</table>`), 'text/html; charset=utf-8')],
  ['an HTML table of 1,000 cells in one row', () => mail(Buffer.from(`<table><tr>${'<td>Budget USD 1.2m</td>'.repeat(1_000)}</tr></table>`), 'text/html; charset=utf-8')],
];

/** Stored as the intake stores it (that is the listener's work, not processing's). */
const store = (raw: Buffer) => storeInbound(t, raw, { mailFrom: `bounce@${DOMAIN}` });

/** The longest the event loop waited while `work` ran, in milliseconds. */
async function longestBlockMs(work: () => Promise<unknown>): Promise<number> {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  try {
    await work();
    // A block at the very end shows only when the sampling timer fires late: let it fire.
    await new Promise((resolve) => setTimeout(resolve, 30));
  } finally {
    delay.disable();
  }
  return delay.max / 1e6;
}

/** Processes a stored mail, then drafts its acknowledgement as the 'send-mail' job would. */
async function processAndAcknowledge(id: string): Promise<{ status: string; outcome: string; acknowledged: boolean }> {
  const result = await service.process(id);
  const outbox = await t.c.db.selectFrom('outbox').select('payload').where('dedupeKey', '=', `mail:email-acknowledgement:${id}`).executeTakeFirst();
  if (outbox) await mails['email-acknowledgement'].draft(inboundMailJob.parse(outbox.payload) as never);
  return { status: result.status, outcome: result.outcome, acknowledged: outbox !== undefined };
}

describe('understanding a mail never holds the event loop 100 ms', () => {
  beforeAll(async () => {
    // Warm-up, not measured: modules load, V8 compiles, the HTML thread's code is read once.
    // Latin-1 text only: V8 compiles a pattern again for text beyond Latin-1 (U+FFFD is), and
    // what that costs (the old name patterns: half a second) is part of what is measured.
    await processAndAcknowledge(await store(mail(Buffer.from('We need an AKS partner in Munich, budget 40,000 EUR, start 2027-01-15.'))));
    await processAndAcknowledge(await store(mail(Buffer.from('<p>We need an <b>Intune</b> partner in Berlin.</p>'), 'text/html; charset=utf-8')));
  }, 60_000);

  it.each(HOSTILE)('%s', { timeout: 120_000 }, async (_name, build) => {
    // The machine is shared (a garbage collection, or a neighbour's test run taking the CPU, holds
    // any loop for a moment): the mail gets a few tries, as a new message each time, and one clean
    // pass counts. What the limit is for (a pattern, a parse, a conversion that blocks in
    // proportion to the input) blocks every time; only a one-off cost (V8 compiling a pattern the
    // first time) can hide behind a retry.
    const blocks: number[] = [];
    for (let attempt = 0; attempt < ATTEMPTS && !blocks.some((ms) => ms < BLOCK_LIMIT_MS); attempt++) {
      const id = await store(build());
      let result: Awaited<ReturnType<typeof processAndAcknowledge>> | undefined;
      blocks.push(
        await longestBlockMs(async () => {
          result = await processAndAcknowledge(id);
        }),
      );
      // Processed, or refused as unreadable: never failed, never stuck.
      expect(result?.status, result?.outcome).toMatch(/^(processed|rejected)$/);
    }
    expect(Math.min(...blocks), `the event loop was held ${blocks.map((ms) => ms.toFixed(0)).join(', ')} ms`).toBeLessThan(BLOCK_LIMIT_MS);
  });
});

describe('understanding runs once a message', () => {
  it('the acknowledgement says what processing understood, without reading the stored message again', async () => {
    const raw = mail(
      Buffer.from(
        [
          '--mixed',
          'Content-Type: text/plain; charset=utf-8',
          '',
          'Hi.',
          '--mixed',
          'Content-Type: application/pdf; name="scope.pdf"',
          'Content-Disposition: attachment; filename="scope.pdf"',
          'Content-Transfer-Encoding: base64',
          '',
          Buffer.from('%PDF-1.4').toString('base64'),
          '--mixed--',
          '',
        ].join('\r\n'),
      ),
      'multipart/mixed; boundary="mixed"',
    );
    const id = await storeInbound(t, raw, { mailFrom: `bounce@${DOMAIN}` });
    expect(await service.process(id)).toMatchObject({ status: 'processed' });
    // Were the message read again for the acknowledgement, it would now find nothing at all.
    await t.c.db.updateTable('inboundMessages').set({ raw: Buffer.from('') }).where('id', '=', id).execute();
    const outbox = await t.c.db.selectFrom('outbox').select('payload').where('dedupeKey', '=', `mail:email-acknowledgement:${id}`).executeTakeFirstOrThrow();
    const draft = await mails['email-acknowledgement'].draft(inboundMailJob.parse(outbox.payload) as never);
    expect(draft?.view.details).toContainEqual({ label: 'Attachments', value: 'scope.pdf' });
    expect(draft?.view.paragraphs.join(' ')).toMatch(/We could not find a description of the work\./);
  });
});
