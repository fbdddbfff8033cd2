import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
