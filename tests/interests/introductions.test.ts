import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addInterest, addOpportunity, addPartner, settle } from '../support/digest-fixtures.ts';
import type { ReceivedMail } from '../support/smtp-sink.ts';
import { createTestStack, csrfFrom, formBody, tamper, type TestStack } from '../support/test-stack.ts';
import { BROWSER, FORM } from '../support/browser-requests.ts';

let t: TestStack;
let kube: string;
let entra: string;
let ops: string;


let seq = 0;
/** A published, matched opportunity with a submitter of its own, and the path of its status page. */
async function opportunity() {
  const n = ++seq;
  const email = `sam.${n}@submitter.example`;
  const title = `Entra and AKS rollout ${n}`;
  const id = await addOpportunity(t, title, ['AKS', 'Entra ID'], {
    submitter: { name: `Sam Submitter ${n}`, company: `Submitter ${n} GmbH`, email },
  });
  const row = await t.c.db.selectFrom('opportunities').select('expiresAt').where('id', '=', id).executeTakeFirstOrThrow();
  const statusPath = new URL(t.c.links.opportunityStatus(id, row.expiresAt)).pathname;
  return { id, email, title, statusPath, submitterName: `Sam Submitter ${n}` };
}

/** What the partner side writes when a partner presses "I'm interested". */
const interest = (opportunityId: string, partnerId: string, extra: { note?: string; withdrawn?: boolean } = {}) =>
  addInterest(t, opportunityId, partnerId, extra);

/** Picks interests on the status page, as its form does (CSRF token and cookie from a GET). */
async function pick(statusPath: string, interestIds: string[]) {
  const page = await t.app.inject({ method: 'GET', url: statusPath, headers: BROWSER });
  const { token, cookie } = csrfFrom(page);
  return t.app.inject({
    method: 'POST',
    url: `${statusPath}/introduce`,
    headers: { ...FORM, cookie },
    payload: formBody({ _csrf: token, interest: interestIds }),
  });
}

/** Closes or withdraws by the status page's button and its confirmation page's; `csrf` from an earlier GET lets it end twice. */
async function end(statusPath: string, as: 'closed' | 'withdrawn', csrf?: { token: string; cookie: string }) {
  const { token, cookie } = csrf ?? csrfFrom(await t.app.inject({ method: 'GET', url: `${statusPath}/end?as=${as}`, headers: BROWSER }));
  const res = await t.app.inject({ method: 'POST', url: `${statusPath}/end`, headers: { ...FORM, cookie }, payload: formBody({ _csrf: token, end: as }) });
  expect(res.statusCode).toBe(303);
}

const introductionsOf = (opportunityId: string) =>
  t.c.db.selectFrom('introductions').select(['id', 'partnerId']).where('opportunityId', '=', opportunityId).execute();

const mailEvents = (kind: string, opportunityId?: string) => {
  let q = t.c.db.selectFrom('outbox').select(['payload']).where('topic', '=', 'mail.requested').where(sql<string>`payload->>'kind'`, '=', kind);
  if (opportunityId) q = q.where(sql<string>`payload->>'opportunityId'`, '=', opportunityId);
  return q.execute();
};

/** Everything the loop could write: compared before and after requests that must write nothing. */
const snapshot = async (opportunityId: string) => ({
  outbox: (await t.c.db.selectFrom('outbox').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n,
  introductions: await introductionsOf(opportunityId),
  interests: await t.c.db.selectFrom('interests').selectAll().where('opportunityId', '=', opportunityId).orderBy('id').execute(),
  opportunity: await t.c.db.selectFrom('opportunities').selectAll().where('id', '=', opportunityId).executeTakeFirstOrThrow(),
});

/** Mails about this opportunity from the interest loop (not its receipt). */
const about = (title: string) => (m: ReceivedMail) => (m.parsed.subject ?? '').includes(title) && !(m.parsed.subject ?? '').startsWith('Received:');
const mailsTo = (email: string, title: string) => t.smtp.received.filter((m) => m.envelope.to.includes(email) && about(title)(m));

function expectListHeaders(mail: ReceivedMail) {
  expect(mail.parsed.text?.length).toBeGreaterThan(50);
  expect(mail.raw).toMatch(/^List-Unsubscribe:\s+<http:\/\/p2p\.test\/u\/[\w.-]+>\r?$/m);
  expect(mail.raw).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r?$/m);
}

beforeAll(async () => {
  // No undo grace period here: the "not picked" mails go out at once (status-page.test.ts covers the wait).
  t = await createTestStack({ UNDO_GRACE_MINUTES: '0' });
  kube = await addPartner(t, 'kube', ['AKS']);
  entra = await addPartner(t, 'entra', ['Entra ID'], { regions: ['dach', 'nordics'] });
  ops = await addPartner(t, 'ops', ['AKS', 'Entra ID']);
  t.startBackground();
});
afterAll(async () => {
  await t?.close();
});

describe('the status page', () => {
  it('shows matching partners, the digests that carried it, and the interested partners without contact details', async () => {
    const o = await opportunity();
    const a = await interest(o.id, kube, { note: 'Three AKS platforms this year.' });
    const b = await interest(o.id, entra);
    await interest(o.id, ops, { withdrawn: true });
    // Two digests sent on one day carried it; a skipped one did not.
    const sentAt = new Date('2026-12-07T08:00:00Z');
    for (const [partnerId, status] of [[kube, 'sent'], [entra, 'sent'], [ops, 'skipped']] as const) {
      const d = await t.c.db
        .insertInto('digests')
        .values({ partnerId, period: '2026-W50', status, sentAt: status === 'sent' ? sentAt : null })
        .returning('id')
        .executeTakeFirstOrThrow();
      await t.c.db.insertInto('digestItems').values({ digestId: d.id, partnerId, opportunityId: o.id, position: 1, score: 0.9 }).execute();
    }

    const page = await t.app.inject({ method: 'GET', url: o.statusPath, headers: BROWSER });
    expect(page.statusCode).toBe(200);
    expect(page.body).toMatch(/Matching partners<\/dt><dd>3<\/dd>/);
    expect(page.body).toContain('Sent in digests</dt><dd>2 digests: 7 Dec 2026 (2)</dd>');
    expect(page.body).toContain('kube Ltd');
    expect(page.body).toContain('entra Ltd');
    expect(page.body).not.toContain('ops Ltd');
    expect(page.body).toContain('Kubernetes on Microsoft Azure');
    expect(page.body).toContain('Nordics');
    expect(page.body).toContain('Matches their skills: Kubernetes on Microsoft Azure');
    expect(page.body).toContain('Three AKS platforms this year.');
    expect(page.body).not.toContain('@partners.example');
    expect(page.body).not.toMatch(/Contact (kube|entra|ops)/);
    expect(page.body).toContain(`<form method="post" action="${o.statusPath}/introduce">`);
    expect(page.body).toContain(`name="interest" value="${a}"`);
    expect(page.body).toContain(`name="interest" value="${b}"`);
    expect(page.body.match(/name="interest" value=/g)).toHaveLength(2);
  });

  it('says so when nobody is interested yet, and offers no picking form', async () => {
    const o = await opportunity();
    const page = await t.app.inject({ method: 'GET', url: o.statusPath, headers: BROWSER });
    expect(page.body).toContain('No partner has said they are interested yet');
    expect(page.body).toContain('Sent in digests</dt><dd>none yet');
    expect(page.body).not.toContain('/introduce"');
  });

  it('writes nothing on GET or HEAD', async () => {
    const o = await opportunity();
    await interest(o.id, kube);
    await interest(o.id, entra);
    const before = await snapshot(o.id);
    for (const method of ['GET', 'HEAD', 'GET'] as const) {
      expect((await t.app.inject({ method, url: o.statusPath, headers: BROWSER })).statusCode).toBe(200);
    }
    expect(await snapshot(o.id)).toEqual(before);
  });
});

describe('picking partners', () => {
  it('introduces once per pick, however often the form is sent, with one email to each side', async () => {
    const o = await opportunity();
    const a = await interest(o.id, kube, { note: 'We know AKS.' });
    const b = await interest(o.id, entra);

    const first = await pick(o.statusPath, [a]);
    expect(first.statusCode).toBe(303);
    expect(first.headers.location).toBe(`${o.statusPath}?introduced=${a}`);
    const again = await pick(o.statusPath, [a]);
    expect(again.statusCode).toBe(303);
    const together = await Promise.all([pick(o.statusPath, [a]), pick(o.statusPath, [a])]);
    expect(together.map((r) => r.statusCode)).toEqual([303, 303]);

    const made = await introductionsOf(o.id);
    expect(made).toEqual([{ id: made[0]!.id, partnerId: kube }]);
    const events = await t.c.db
      .selectFrom('outbox')
      .select('payload')
      .where(sql<string>`payload->>'introductionId'`, '=', made[0]!.id)
      .execute();
    expect(events.map((e) => e.payload)).toEqual(
      expect.arrayContaining([
        { kind: 'introduction', introductionId: made[0]!.id, side: 'submitter' },
        { kind: 'introduction', introductionId: made[0]!.id, side: 'partner' },
      ]),
    );
    expect(events).toHaveLength(2);

    const toSubmitter = await t.smtp.waitFor((m) => m.envelope.to.includes(o.email) && about(o.title)(m));
    expect(toSubmitter.parsed.subject).toBe(`Introduction: kube Ltd for ${o.title}`);
    expect(toSubmitter.parsed.text).toContain('kube@partners.example');
    expect(toSubmitter.parsed.text).toContain('Contact kube');
    expect(toSubmitter.parsed.replyTo?.value[0]?.address).toBe('kube@partners.example');
    expect(toSubmitter.parsed.messageId).toMatch(/^<introduction\.mail-\d+@p2p\.test>$/);
    expectListHeaders(toSubmitter);

    const toPartner = await t.smtp.waitFor((m) => m.envelope.to.includes('kube@partners.example') && about(o.title)(m));
    expect(toPartner.parsed.text).toContain(o.email);
    expect(toPartner.parsed.text).toContain(o.submitterName);
    expect(toPartner.parsed.replyTo?.value[0]?.address).toBe(o.email);
    expectListHeaders(toPartner);

    await settle();
    expect(mailsTo(o.email, o.title)).toHaveLength(1);
    expect(mailsTo('kube@partners.example', o.title)).toHaveLength(1);
    expect(mailsTo('entra@partners.example', o.title)).toHaveLength(0);

    // Introduced: contact details on the page, no checkbox; the other one still to choose.
    const page = await t.app.inject({ method: 'GET', url: o.statusPath, headers: BROWSER });
    expect(page.body).toContain('kube@partners.example');
    expect(page.body).toContain('Contact kube');
    expect(page.body).not.toContain(`value="${a}"`);
    expect(page.body).toContain(`name="interest" value="${b}"`);
    expect(page.body).not.toContain('entra@partners.example');
  });

  it('introduces several partners in one submit', async () => {
    const o = await opportunity();
    const a = await interest(o.id, kube);
    const b = await interest(o.id, ops);
    expect((await pick(o.statusPath, [a, b])).statusCode).toBe(303);
    expect((await introductionsOf(o.id)).map((n) => n.partnerId).sort()).toEqual([kube, ops].sort());
    await t.smtp.waitFor((m) => m.envelope.to.includes('ops@partners.example') && about(o.title)(m));
    await t.smtp.waitFor((m) => m.envelope.to.includes(o.email) && (m.parsed.subject ?? '').startsWith('Introduction: ops Ltd'));
  });

  it('refuses a bad pick with a 400 page and writes nothing', async () => {
    const o = await opportunity();
    const a = await interest(o.id, kube);
    const withdrawn = await interest(o.id, ops, { withdrawn: true });
    const elsewhere = await opportunity();
    const foreign = await interest(elsewhere.id, entra);
    const before = await snapshot(o.id);

    const bad: Array<[string, string[]]> = [
      ['an interest in another opportunity', [foreign]],
      ['a good one with a foreign one', [a, foreign]],
      ['a withdrawn interest', [withdrawn]],
      ['an unknown uuid', [randomUUID()]],
      ['garbage', ['1 OR 1=1']],
      ['nothing chosen', []],
      ['far too many', Array.from({ length: 101 }, () => randomUUID())],
    ];
    for (const [what, ids] of bad) {
      const res = await pick(o.statusPath, ids);
      expect(res.statusCode, what).toBe(400);
      expect(res.headers['content-type'], what).toMatch(/^text\/html/);
      expect(res.body, what).toContain('That did not work');
    }
    expect(await snapshot(o.id)).toEqual(before);
    expect(await introductionsOf(elsewhere.id)).toEqual([]);
  });

  it('refuses a pick without CSRF token (403) or with a tampered link (400), writing nothing', async () => {
    const o = await opportunity();
    const a = await interest(o.id, kube);
    const before = await snapshot(o.id);
    const noCsrf = await t.app.inject({ method: 'POST', url: `${o.statusPath}/introduce`, headers: FORM, payload: formBody({ interest: [a] }) });
    expect(noCsrf.statusCode).toBe(403);
    const { token, cookie } = csrfFrom(await t.app.inject({ method: 'GET', url: o.statusPath, headers: BROWSER }));
    const forged = await t.app.inject({
      method: 'POST',
      url: `/o/${tamper(o.statusPath.slice(3))}/introduce`,
      headers: { ...FORM, cookie },
      payload: formBody({ _csrf: token, interest: [a] }),
    });
    expect(forged.statusCode).toBe(400);
    expect(await snapshot(o.id)).toEqual(before);
  });
});

describe('ending an opportunity', () => {
  it('tells the interested partners who were not introduced, and nobody else', async () => {
    const o = await opportunity();
    const picked = await interest(o.id, kube);
    await interest(o.id, entra, { note: 'We would love to help.' });
    await interest(o.id, ops, { withdrawn: true });
    expect((await pick(o.statusPath, [picked])).statusCode).toBe(303);

    const csrf = csrfFrom(await t.app.inject({ method: 'GET', url: o.statusPath, headers: BROWSER }));
    await end(o.statusPath, 'closed', csrf);
    await end(o.statusPath, 'withdrawn', csrf); // ending twice changes nothing

    const events = await mailEvents('not-picked', o.id);
    expect(events.map((e) => e.payload)).toEqual([{ kind: 'not-picked', opportunityId: o.id, partnerId: entra }]);
    const mail = await t.smtp.waitFor((m) => m.envelope.to.includes('entra@partners.example') && about(o.title)(m));
    expect(mail.parsed.subject).toBe(`Update on ${o.title}`);
    expect(mail.parsed.text).toContain('did not pick you this time');
    expect(mail.parsed.text).not.toContain(o.email);
    expectListHeaders(mail);

    await settle();
    expect(mailsTo('entra@partners.example', o.title)).toHaveLength(1);
    // The introduced partner has only its introduction; the withdrawn one hears nothing.
    expect(mailsTo('kube@partners.example', o.title).map((m) => m.parsed.subject)).toEqual([
      `Introduction: Submitter ${o.title.split(' ').pop()} GmbH would like to talk about ${o.title}`,
    ]);
    expect(mailsTo('ops@partners.example', o.title)).toHaveLength(0);
  });

  it('says the project is off when the opportunity is withdrawn', async () => {
    const o = await opportunity();
    await interest(o.id, ops);
    await end(o.statusPath, 'withdrawn');
    const mail = await t.smtp.waitFor((m) => m.envelope.to.includes('ops@partners.example') && about(o.title)(m));
    expect(mail.parsed.text).toContain('withdrawn it: the project is not going ahead');
  });

  it('takes no more picks once ended, with a friendly page', async () => {
    const o = await opportunity();
    const a = await interest(o.id, kube);
    const { token, cookie } = csrfFrom(await t.app.inject({ method: 'GET', url: o.statusPath, headers: BROWSER }));
    await end(o.statusPath, 'closed');
    const before = await snapshot(o.id);
    const late = await t.app.inject({
      method: 'POST',
      url: `${o.statusPath}/introduce`,
      headers: { ...FORM, cookie },
      payload: formBody({ _csrf: token, interest: [a] }),
    });
    expect(late.statusCode).toBe(409);
    expect(late.body).toContain('is no longer open');
    expect(await snapshot(o.id)).toEqual(before);
    const page = await t.app.inject({ method: 'GET', url: o.statusPath, headers: BROWSER });
    expect(page.body).toContain('kube Ltd');
    expect(page.body).toContain('no more introductions can be made');
    expect(page.body).not.toContain('name="interest"');
  });
});
