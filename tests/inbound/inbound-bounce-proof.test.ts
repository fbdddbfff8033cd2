import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RETURN_PATH_HEADER, RETURN_PATH_MAX_AGE_DAYS, createReturnPaths } from '../../src/platform/mail/return-path.ts';
import { addOpportunity, addPartner, digestMailsTo } from '../support/digest-fixtures.ts';
import { deliveryReport } from '../support/inbound-fixtures.ts';
import { APP_SECRET, createTestStack, type TestStack } from '../support/test-stack.ts';

/**
 * A bounce or complaint changes whom we mail only when it proves it answers a message we sent to
 * that address: the whole loop, from a real digest over SMTP to reports built from what arrived.
 */

let t: TestStack;
const INTAKE_DOMAIN = 'in.p2p.test';

beforeAll(async () => {
  t = await createTestStack({ INTAKE_ADDRESSES: `opportunities@${INTAKE_DOMAIN}` });
  for (const key of ['bea', 'cy', 'dee']) await addPartner(t, key, ['AKS']);
  await addOpportunity(t, 'AKS platform rollout', ['AKS']);
  await t.c.digests.runRound({ everyone: true });
});
afterAll(async () => t?.close());

const digestTo = (email: string) => {
  const [mail] = digestMailsTo(t, email);
  if (!mail) throw new Error(`no digest reached ${email}`);
  return mail;
};
const suppressionOf = (email: string) =>
  t.c.db.selectFrom('suppressions').select('reason').where('email', '=', email).executeTakeFirst().then((r) => r?.reason);

/** A delivery report for `recipient` (5.1.1), enclosing the headers of the mail that failed. */
const dsnFor = (recipient: string, originalHeaders: string) => deliveryReport(recipient, '5.1.1', originalHeaders);

/** A feedback-loop complaint (ARF) enclosing the whole message complained of. */
function arfFor(recipient: string, original: string): Buffer {
  return Buffer.from(
    [
      'From: fbl@isp.example',
      'To: abuse@p2p.test',
      'Subject: FW: spam report',
      'MIME-Version: 1.0',
      'Content-Type: multipart/report; report-type=feedback-report; boundary="arf"',
      '',
      '--arf',
      'Content-Type: text/plain',
      '',
      'This is an email abuse report.',
      '--arf',
      'Content-Type: message/feedback-report',
      '',
      'Feedback-Type: abuse',
      'User-Agent: isp-fbl/2.0',
      'Version: 1',
      `Original-Rcpt-To: ${recipient}`,
      '',
      '--arf',
      'Content-Type: message/rfc822',
      '',
      original,
      '--arf--',
      '',
    ].join('\r\n'),
  );
}

const headersOf = (raw: string) => raw.slice(0, raw.indexOf('\r\n\r\n') + 2);

/** Takes a report in exactly as the SMTP listener or webhook would, and processes it. */
async function deliver(raw: Buffer, envelope: { mailFrom: string; rcptTo: string[] }) {
  const stored = await t.c.intake.accept({ ...envelope, raw, receivedVia: 'smtp', remoteIp: '203.0.113.9', helo: 'mx.example' });
  if (!stored.accepted) throw new Error('not accepted');
  return t.c.inbound.process(stored.id);
}

describe('every mail we send has its own signed return path', () => {
  it('the envelope sender is bounce+<token>@ the intake domain, and the mail carries it in a header', () => {
    const bea = digestTo('bea@partners.example');
    const cy = digestTo('cy@partners.example');
    expect(bea.envelope.from).toMatch(new RegExp(`^bounce\\+[0-9a-z]+\\.[0-9a-f]{20}@${INTAKE_DOMAIN.replace(/\./g, '\\.')}$`));
    expect(bea.envelope.from).not.toBe(cy.envelope.from);
    expect(bea.parsed.headers.get(RETURN_PATH_HEADER.toLowerCase())).toBe(bea.envelope.from);
    expect(t.c.returnPaths.verify(bea.envelope.from, 'bea@partners.example')).toEqual({ valid: true });
    expect(t.c.returnPaths.verify(bea.envelope.from, 'cy@partners.example').valid).toBe(false);
  });
});

describe('bounces', () => {
  it("a real bounce, to the mail's return path, suppresses its recipient", async () => {
    const bea = digestTo('bea@partners.example');
    const result = await deliver(dsnFor('bea@partners.example', headersOf(bea.raw)), { mailFrom: '', rcptTo: [bea.envelope.from] });
    expect(result.outcome).toBe('bounce: bea@partners.example (5.1.1) suppressed');
    expect(await suppressionOf('bea@partners.example')).toBe('hard_bounce');
  });

  it('a bounce naming another recipient than its return path was signed for suppresses no one', async () => {
    const dee = digestTo('dee@partners.example');
    const result = await deliver(dsnFor('cy@partners.example', headersOf(dee.raw)), { mailFrom: '', rcptTo: [dee.envelope.from] });
    expect(result.status).toBe('rejected');
    expect(result.outcome).toMatch(/not acted on: cy@partners.example .*not signed for cy@partners.example/);
    expect(await suppressionOf('cy@partners.example')).toBeUndefined();
    expect(await suppressionOf('dee@partners.example')).toBeUndefined();
  });

  it('a forged bounce to the intake address, even enclosing a real return path, suppresses no one', async () => {
    const cy = digestTo('cy@partners.example');
    const result = await deliver(dsnFor('cy@partners.example', headersOf(cy.raw)), { mailFrom: '', rcptTo: [`opportunities@${INTAKE_DOMAIN}`] });
    expect(result.outcome).toMatch(/names none of our return paths/);
    expect(await suppressionOf('cy@partners.example')).toBeUndefined();
  });

  it('a bounce to a return path signed with another secret, or too old, suppresses no one', async () => {
    const strangers = createReturnPaths(['not-our-secret-0123456789'], INTAKE_DOMAIN);
    const forged = strangers.returnPathFor('cy@partners.example');
    const stale = t.c.returnPaths.returnPathFor('cy@partners.example', new Date(Date.now() - (RETURN_PATH_MAX_AGE_DAYS + 2) * 86_400_000));
    for (const rcpt of [forged, stale]) {
      const result = await deliver(dsnFor('cy@partners.example', `Subject: sent with ${rcpt}\r\n`), { mailFrom: '', rcptTo: [rcpt] });
      expect(result.outcome).toMatch(/^bounce: not acted on: cy@partners.example/);
    }
    expect(await suppressionOf('cy@partners.example')).toBeUndefined();
  });

  it('return paths signed before a secret rotation still count', () => {
    const before = createReturnPaths([APP_SECRET], INTAKE_DOMAIN).returnPathFor('x@partners.example');
    const after = createReturnPaths(['the-new-secret-0123456789', APP_SECRET], INTAKE_DOMAIN);
    expect(after.verify(before, 'x@partners.example')).toEqual({ valid: true });
    expect(after.returnPathFor('x@partners.example')).not.toBe(before);
  });
});

describe('complaints', () => {
  it('a complaint enclosing the mail we sent suppresses its recipient', async () => {
    const dee = digestTo('dee@partners.example');
    const result = await deliver(arfFor('dee@partners.example', dee.raw), { mailFrom: 'fbl@isp.example', rcptTo: [`opportunities@${INTAKE_DOMAIN}`] });
    expect(result.outcome).toBe('complaint report: dee@partners.example suppressed');
    expect(await suppressionOf('dee@partners.example')).toBe('complaint');
  });

  it('a complaint about someone else, enclosing a mail we sent to the forger, suppresses no one', async () => {
    const forgersCopy = digestTo('bea@partners.example').raw.replace(/^To: .*$/m, 'To: cy@partners.example');
    const result = await deliver(arfFor('cy@partners.example', forgersCopy), { mailFrom: 'fbl@isp.example', rcptTo: [`opportunities@${INTAKE_DOMAIN}`] });
    expect(result.outcome).toMatch(/^complaint report about cy@partners.example: return path not signed for cy@partners.example/);
    expect(await suppressionOf('cy@partners.example')).toBeUndefined();
  });

  it('a complaint with no signed return path is stored for the operator, not obeyed', async () => {
    const bare = 'From: p2p-digest <digest@p2p.test>\r\nTo: cy@partners.example\r\nSubject: Your digest\r\n\r\nhello';
    const result = await deliver(arfFor('cy@partners.example', bare), { mailFrom: 'fbl@isp.example', rcptTo: [`opportunities@${INTAKE_DOMAIN}`] });
    expect(result.status).toBe('rejected');
    expect(result.outcome).toMatch(/stored, not acted on$/);
    const row = await t.c.db.selectFrom('inboundMessages').select(['status', 'outcome']).where('outcome', 'like', 'complaint report about cy@%').execute();
    expect(row.length).toBeGreaterThanOrEqual(2);
    expect(await suppressionOf('cy@partners.example')).toBeUndefined();
  });
});

describe("the operator's list of inbound mail", () => {
  it('shows the reports that were not acted on, with why, to the admin only', async () => {
    const page = await t.app.inject({ method: 'GET', url: '/api/inbound?status=rejected&limit=200', headers: t.adminHeaders });
    expect(page.statusCode).toBe(200);
    const { messages } = page.json<{ messages: Array<{ status: string; outcome: string; rcptTo: string[] }> }>();
    expect(messages.every((m) => m.status === 'rejected')).toBe(true);
    expect(messages.map((m) => m.outcome)).toEqual(expect.arrayContaining([expect.stringMatching(/^complaint report about cy@partners.example: names none of our return paths; stored, not acted on$/)]));
    expect((await t.app.inject({ method: 'GET', url: '/api/inbound' })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'GET', url: '/api/inbound?cursor=1%27%20or%201=1', headers: t.adminHeaders })).statusCode).toBe(400);
    expect((await t.app.inject({ method: 'GET', url: '/api/inbound?status=bogus', headers: t.adminHeaders })).statusCode).toBe(400);
  });

  it('pages newest first without losing or repeating a message', async () => {
    const all = (await t.app.inject({ method: 'GET', url: '/api/inbound?limit=200', headers: t.adminHeaders })).json<{ messages: Array<{ id: string }> }>().messages.map((m) => m.id);
    expect(all.length).toBeGreaterThan(3);
    const paged: string[] = [];
    let cursor: string | null = null;
    do {
      const url: string = `/api/inbound?limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const body = (await t.app.inject({ method: 'GET', url, headers: t.adminHeaders })).json<{ messages: Array<{ id: string }>; nextCursor: string | null }>();
      paged.push(...body.messages.map((m) => m.id));
      cursor = body.nextCursor;
    } while (cursor);
    expect(paged).toEqual(all);
  });
});
