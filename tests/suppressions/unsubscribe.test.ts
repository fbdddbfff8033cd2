import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestStack, eventually, tamper, type TestStack } from '../support/test-stack.ts';
import { partnerPagePaths } from '../support/browser-requests.ts';
import { createActivePartner } from '../support/factories.ts';
import { stackQueries } from '../support/stack-queries.ts';

let t: TestStack;

const ONE_CLICK = 'List-Unsubscribe=One-Click';

let seq = 0;

/** An active partner (admin API) with its own address; returns its id and email. */
const activePartner = (email?: string) => createActivePartner(t, { email });
const { unsubscribePath } = partnerPagePaths(() => t);
const { suppression } = stackQueries(() => t);

const partnerStatus = async (id: string) =>
  (await t.c.db.selectFrom('partners').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status;


/** An RFC 8058 one-click POST as a mail client sends it: no cookies, no CSRF token. */
const oneClick = (path: string) =>
  t.app.inject({ method: 'POST', url: path, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: ONE_CLICK });

async function submitOpportunity(submitterEmail: string, title: string) {
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/opportunities',
    headers: t.adminHeaders,
    payload: {
      title,
      description: 'Move shop-floor applications to Azure Kubernetes Service with a security baseline.',
      requiredSkills: ['kubernetes-on-azure'],
      regions: ['dach'],
      submitter: { name: 'Max Huber', company: 'Alpenwolke GmbH', email: submitterEmail },
    },
  });
  expect(res.statusCode).toBe(201);
  return res.json<{ id: string }>().id;
}

beforeAll(async () => {
  t = await createTestStack();
});
afterAll(async () => {
  await t?.close();
});

describe('/u/<token>', () => {
  it('GET shows a page with an Unsubscribe button and changes nothing', async () => {
    const p = await activePartner();
    const path = unsubscribePath(p.email);
    const res = await t.app.inject({ method: 'GET', url: path, headers: { accept: 'text/html' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.body).toContain(`<form method="post" action="${path}">`);
    expect(res.body).toContain('Unsubscribe</button>');
    expect(res.body).toContain(p.email);
    expect(await suppression(p.email)).toBeUndefined();
    expect(await partnerStatus(p.id)).toBe('active');
  });

  it('for an address already unsubscribed says so, offers joining again, and asks nothing', async () => {
    const p = await activePartner();
    const path = unsubscribePath(p.email);
    expect((await oneClick(path)).statusCode).toBe(200);
    const res = await t.app.inject({ method: 'GET', url: path, headers: { accept: 'text/html' } });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<h1>You are already unsubscribed</h1>');
    expect(res.body).toContain(`We send no emails from p2p-digest to ${p.email}.`);
    expect(res.body).not.toContain('Stop all emails');
    expect(res.body).not.toContain('<form method="post"');
    expect(res.body).toContain('<a class="button" href="/join">Join again</a>');

    // An address that is no partner (a submitter's) is told the same, without the partner's way back.
    const submitter = 'already.gone@alpenwolke.example';
    expect((await oneClick(unsubscribePath(submitter))).statusCode).toBe(200);
    const other = await t.app.inject({ method: 'GET', url: unsubscribePath(submitter), headers: { accept: 'text/html' } });
    expect(other.body).toContain('<h1>You are already unsubscribed</h1>');
    expect(other.body).not.toContain('Join again');
  });

  it('HEAD changes nothing', async () => {
    const p = await activePartner();
    const res = await t.app.inject({ method: 'HEAD', url: unsubscribePath(p.email) });
    expect(res.statusCode).toBe(200);
    expect(await suppression(p.email)).toBeUndefined();
    expect(await partnerStatus(p.id)).toBe('active');
  });

  it('a one-click POST (urlencoded, no cookies, no CSRF) suppresses the address and unsubscribes the partner', async () => {
    const p = await activePartner();
    const res = await oneClick(unsubscribePath(p.email));
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('You are unsubscribed');
    expect(await suppression(p.email)).toMatchObject({ email: p.email, reason: 'unsubscribe' });
    expect(await partnerStatus(p.id)).toBe('unsubscribed');
  });

  it("the page's button (an empty urlencoded POST from a browser) unsubscribes", async () => {
    const p = await activePartner();
    const res = await t.app.inject({
      method: 'POST',
      url: unsubscribePath(p.email),
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
      payload: '',
    });
    expect(res.statusCode).toBe(200);
    expect(await suppression(p.email)).toMatchObject({ reason: 'unsubscribe' });
    expect(await partnerStatus(p.id)).toBe('unsubscribed');
  });

  it('matches the partner whatever the case of its stored address', async () => {
    const p = await activePartner(`Mixed.Case.${++seq}@Kubeworks.example`);
    expect((await oneClick(unsubscribePath(p.email))).statusCode).toBe(200);
    expect(await suppression(p.email)).toMatchObject({ email: p.email.toLowerCase() });
    expect(await partnerStatus(p.id)).toBe('unsubscribed');
  });

  it('a one-click POST as multipart/form-data works too', async () => {
    const p = await activePartner();
    const boundary = '----p2pBoundary7MA4YWxk';
    const payload = [`--${boundary}`, 'Content-Disposition: form-data; name="List-Unsubscribe"', '', 'One-Click', `--${boundary}--`, ''].join('\r\n');
    const res = await t.app.inject({
      method: 'POST',
      url: unsubscribePath(p.email),
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
      payload,
    });
    expect(res.statusCode).toBe(200);
    expect(await suppression(p.email)).toMatchObject({ reason: 'unsubscribe' });
    expect(await partnerStatus(p.id)).toBe('unsubscribed');
  });

  it('a second one-click POST is harmless', async () => {
    const p = await activePartner();
    const path = unsubscribePath(p.email);
    expect((await oneClick(path)).statusCode).toBe(200);
    const first = await suppression(p.email);
    expect((await oneClick(path)).statusCode).toBe(200);
    expect(await suppression(p.email)).toEqual(first);
    expect(await partnerStatus(p.id)).toBe('unsubscribed');
  });

  it('answers a POST with a bad token 200 and changes nothing', async () => {
    const p = await activePartner();
    const token = unsubscribePath(p.email).slice('/u/'.length);
    const bad = [
      tamper(token),
      t.c.signer.sign('confirm-partner', p.email, 3600), // a real token, for another purpose
      t.c.signer.sign('unsubscribe', p.email, -60), // expired
      'not-a-token',
    ];
    for (const b of bad) {
      const res = await oneClick(`/u/${b}`);
      expect(res.statusCode).toBe(200);
    }
    expect(await suppression(p.email)).toBeUndefined();
    expect(await partnerStatus(p.id)).toBe('active');
    const count = await t.c.db.selectFrom('suppressions').select((eb) => eb.fn.countAll().as('n')).where('email', '=', p.email).executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(0);
  });

  it('GET with a bad token shows a 400 page', async () => {
    const p = await activePartner();
    const res = await t.app.inject({ method: 'GET', url: `/u/${tamper(unsubscribePath(p.email).slice(3))}`, headers: { accept: 'text/html' } });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('This link does not work');
    expect(res.body).not.toContain('<form');
  });
});

describe('after unsubscribing', () => {
  it('no mail reaches the address, while mail to others still goes out', async () => {
    const gone = 'gone@alpenwolke.example';
    const other = 'still.here@alpenwolke.example';
    expect((await oneClick(unsubscribePath(gone))).statusCode).toBe(200);
    expect(await suppression(gone)).toBeDefined();

    t.startBackground();
    const goneId = await submitOpportunity(gone, 'Receipt that must not be sent');
    await submitOpportunity(other, 'Receipt that must be sent');
    const receipt = await t.smtp.waitFor((m) => m.parsed.subject === 'Received: Receipt that must be sent');
    expect(receipt.envelope.to).toEqual([other]);

    // The receipt job for the suppressed address was relayed and has run; it sent nothing.
    await eventually(async () => {
      const relayed = await t.c.db
        .selectFrom('outbox')
        .select('publishedAt')
        .where('topic', '=', 'mail.requested')
        .where(sql<string>`payload->>'opportunityId'`, '=', goneId)
        .executeTakeFirst();
      if (!relayed?.publishedAt) return false;
      const counts = await t.c.queues.queue('mail').getJobCounts('waiting', 'active', 'delayed', 'prioritized');
      return Object.values(counts).every((n) => n === 0);
    });
    await new Promise((r) => setTimeout(r, 1000));
    expect(t.smtp.received.filter((m) => m.envelope.to.includes(gone))).toHaveLength(0);
    expect(t.smtp.received.filter((m) => m.parsed.subject === 'Received: Receipt that must not be sent')).toHaveLength(0);
    expect(await t.c.mail.send({ kind: 'opportunity-receipt', opportunityId: goneId }, 'direct-check')).toBe('suppressed');
  });
});
