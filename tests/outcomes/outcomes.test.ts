import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BROWSER, FORM } from '../support/browser-requests.ts';
import { databaseFingerprint } from '../support/db-fingerprint.ts';
import { addInterest, addOpportunity, addPartner, settle } from '../support/digest-fixtures.ts';
import { linksOf } from '../support/link-scanner.ts';
import type { ReceivedMail } from '../support/smtp-sink.ts';
import { createTestStack, csrfFrom, eventually, formBody, tamper, type TestStack } from '../support/test-stack.ts';

const DAY = 86_400_000;
/** What answering could write: the outcome tables, and how many events the outbox holds (its rows' publishing by the relay aside). */
async function written() {
  const outbox = await t.c.db.selectFrom('outbox').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  return { ...(await databaseFingerprint(t.c.db, ['outcome_requests', 'partner_outcome_stats', 'introductions'])), outbox: outbox.n };
}

let t: TestStack;
let seq = 0;

/**
 * An introduction made `daysAgo` days ago (the real introduce, then its row moved back in time):
 * a partner of its own, an opportunity with a submitter of its own.
 */
async function introduction(daysAgo: number) {
  const n = ++seq;
  const partnerId = await addPartner(t, `ask${n}`, ['AKS']);
  const submitter = { name: `Sam ${n}`, company: `Buyer ${n} GmbH`, email: `sam.${n}@buyer.example` };
  const opportunityId = await addOpportunity(t, `AKS landing zone ${n}`, ['AKS'], { submitter });
  const interestId = await addInterest(t, opportunityId, partnerId);
  await t.c.introductions.introduce(opportunityId, [interestId]);
  const row = await t.c.db
    .updateTable('introductions')
    .set({ createdAt: new Date(Date.now() - daysAgo * DAY) })
    .where('opportunityId', '=', opportunityId)
    .returning(['id', 'createdAt'])
    .executeTakeFirstOrThrow();
  const o = await t.c.db.selectFrom('opportunities').select('expiresAt').where('id', '=', opportunityId).executeTakeFirstOrThrow();
  return {
    introductionId: row.id,
    partnerId,
    opportunityId,
    submitter,
    partnerEmail: `ask${n}@partners.example`,
    partnerCompany: `ask${n} Ltd`,
    statusPath: new URL(t.c.links.opportunityStatus(opportunityId, o.expiresAt)).pathname,
  };
}

type Intro = Awaited<ReturnType<typeof introduction>>;

const questionsTo = (email: string) => t.smtp.received.filter((m) => m.envelope.to.includes(email) && /work together\?$/.test(m.parsed.subject ?? ''));
const remindersTo = (email: string) => questionsTo(email).filter((m) => (m.parsed.subject ?? '').startsWith('Reminder:'));
const requestsOf = (introductionId: string) =>
  t.c.db.selectFrom('outcomeRequests').selectAll().where('introductionId', '=', introductionId).orderBy('side').execute();
const requestOf = async (intro: Intro, side: 'submitter' | 'partner') => (await requestsOf(intro.introductionId)).find((r) => r.side === side)!;
const answerPath = (requestId: string, answer?: string) => {
  const url = new URL(t.c.links.outcome(requestId, answer));
  return url.pathname + url.search;
};

/** Answers on the page as a browser does: GET for the form's CSRF token, then its POST. */
async function answer(requestId: string, fields: Record<string, string | undefined>) {
  const path = answerPath(requestId);
  const page = await t.app.inject({ method: 'GET', url: path, headers: BROWSER });
  const { token, cookie } = csrfFrom(page);
  return t.app.inject({ method: 'POST', url: path, headers: { ...FORM, cookie }, payload: formBody({ _csrf: token, ...fields }) });
}

function expectSameHeadersAsOtherMails(mail: ReceivedMail) {
  expect(mail.parsed.text?.length).toBeGreaterThan(100);
  expect(mail.raw).toMatch(/^List-Unsubscribe:\s+<http:\/\/p2p\.test\/u\/[\w.-]+>\r?$/m);
  expect(mail.raw).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r?$/m);
  expect(mail.raw).toMatch(/^Auto-Submitted: auto-generated\r?$/m);
  expect(mail.raw).toMatch(/^Message-ID: <outcome-(question|reminder)\./m);
}

beforeAll(async () => {
  t = await createTestStack();
  t.startBackground();
});
afterAll(async () => {
  await t?.close();
});

describe('asking whether they worked together', () => {
  it('asks each side once, after the delay, by email with three answers, a plain-text part and the usual headers', async () => {
    const young = await introduction(13);
    const due = await introduction(14.01);
    const first = await t.c.outcomes.askAndRemind();
    expect(first.asked).toBe(2);
    expect(await requestsOf(young.introductionId)).toEqual([]);
    expect((await requestsOf(due.introductionId)).map((r) => r.side).sort()).toEqual(['partner', 'submitter']);
    // A second pass (another scheduler, the next minute) asks nobody again.
    expect(await t.c.outcomes.askAndRemind()).toEqual({ asked: 0, reminded: 0 });

    await eventually(async () => questionsTo(due.submitter.email).length === 1 && questionsTo(due.partnerEmail).length === 1);
    await settle();
    expect(questionsTo(due.submitter.email)).toHaveLength(1);
    expect(questionsTo(due.partnerEmail)).toHaveLength(1);
    expect(questionsTo(young.submitter.email)).toHaveLength(0);

    const toSubmitter = questionsTo(due.submitter.email)[0]!;
    expect(toSubmitter.parsed.subject).toBe(`Did you and ${due.partnerCompany} work together?`);
    expect(questionsTo(due.partnerEmail)[0]!.parsed.subject).toBe(`Did you and ${due.submitter.company} work together?`);
    expectSameHeadersAsOtherMails(toSubmitter);
    const submitterRequest = await requestOf(due, 'submitter');
    for (const a of ['yes', 'talking', 'no']) {
      const link = toSubmitter.parsed.text?.match(new RegExp(`http://p2p\\.test/w/([\\w.-]+)\\?answer=${a}\\s`));
      const verified = t.c.signer.verify(link?.[1] ?? '', 'outcome');
      expect(verified.ok && verified.claims.subject, a).toBe(submitterRequest.id);
    }
    expect(toSubmitter.parsed.text).toContain('Yes, a project is under way:');
    expect(toSubmitter.parsed.text).toContain('Still talking:');
    // The day of the introduction as people read dates, in mail as on pages: "4 Dec 2026".
    expect(toSubmitter.parsed.text).toMatch(/, on \d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} we introduced you/);
    expect(toSubmitter.parsed.text).not.toMatch(/on \d{4}-\d{2}-\d{2} we introduced/);
  });

  it('reminds once, only while unanswered, and never after an answer', async () => {
    const intro = await introduction(14.5);
    const askedAt = new Date();
    await t.c.outcomes.askAndRemind(askedAt);
    await eventually(async () => questionsTo(intro.submitter.email).length === 1 && questionsTo(intro.partnerEmail).length === 1);
    // The partner answers; the submitter does not.
    expect((await answer((await requestOf(intro, 'partner')).id, { answer: 'talking' })).statusCode).toBe(200);

    expect((await t.c.outcomes.askAndRemind(new Date(askedAt.getTime() + 6.9 * DAY))).reminded).toBe(0);
    const later = new Date(askedAt.getTime() + 7 * DAY + 60_000);
    const reminded = await t.c.outcomes.askAndRemind(later);
    expect(reminded.reminded).toBeGreaterThanOrEqual(1);
    expect((await requestOf(intro, 'submitter')).remindedAt).not.toBeNull();
    expect((await requestOf(intro, 'partner')).remindedAt).toBeNull();
    // One reminder at most, however often the pass runs.
    const remindedAt = (await requestOf(intro, 'submitter')).remindedAt;
    await t.c.outcomes.askAndRemind(new Date(later.getTime() + 30 * DAY));
    expect((await requestOf(intro, 'submitter')).remindedAt).toEqual(remindedAt);
    expect((await requestOf(intro, 'partner')).remindedAt).toBeNull();

    await eventually(async () => remindersTo(intro.submitter.email).length === 1);
    await settle();
    expect(remindersTo(intro.submitter.email)).toHaveLength(1);
    expect(remindersTo(intro.partnerEmail)).toHaveLength(0);
    expect(questionsTo(intro.partnerEmail)).toHaveLength(1);
    expectSameHeadersAsOtherMails(remindersTo(intro.submitter.email)[0]!);

    // A question or reminder whose answer came in before its job ran sends nothing.
    const answered = (await requestOf(intro, 'partner')).id;
    expect(await t.c.mail.send({ kind: 'outcome-reminder', requestId: answered }, 'late-reminder')).toBe('obsolete');
    expect(await t.c.mail.send({ kind: 'outcome-question', requestId: answered }, 'late-question')).toBe('obsolete');
    expect(await t.c.mail.send({ kind: 'outcome-reminder', requestId: (await requestOf(intro, 'submitter')).id }, 'unanswered')).toBe('sent');
  });

  it('asks and reminds once when two schedulers run the pass at the same moment', async () => {
    const intro = await introduction(14.2);
    const at = new Date();
    const asked = await Promise.all([t.c.outcomes.askAndRemind(at), t.c.outcomes.askAndRemind(at)]);
    expect(asked[0].asked + asked[1].asked).toBe(2);
    expect(await requestsOf(intro.introductionId)).toHaveLength(2);
    const later = new Date(at.getTime() + 8 * DAY);
    const before = (await requestsOf(intro.introductionId)).filter((r) => r.remindedAt).length;
    await Promise.all([t.c.outcomes.askAndRemind(later), t.c.outcomes.askAndRemind(later)]);
    expect(before).toBe(0);
    expect((await requestsOf(intro.introductionId)).filter((r) => r.remindedAt)).toHaveLength(2);
    const events = await t.c.db
      .selectFrom('outbox')
      .select('dedupeKey')
      .where('dedupeKey', 'in', (await requestsOf(intro.introductionId)).flatMap((r) => [`mail:outcome-question:${r.id}`, `mail:outcome-reminder:${r.id}`]))
      .execute();
    expect(events).toHaveLength(4);
    await eventually(async () => remindersTo(intro.submitter.email).length === 1 && remindersTo(intro.partnerEmail).length === 1);
    await settle();
    // The question and its reminder, once each.
    expect(questionsTo(intro.submitter.email)).toHaveLength(2);
    expect(remindersTo(intro.submitter.email)).toHaveLength(1);
    expect(questionsTo(intro.partnerEmail)).toHaveLength(2);
  });

  it('sends nothing to a suppressed address, and nothing to a partner who unsubscribed', async () => {
    const bounced = await introduction(15);
    await t.c.suppressions.suppress(bounced.submitter.email, 'hard_bounce');
    const left = await introduction(15);
    await t.c.db.updateTable('partners').set({ status: 'unsubscribed' }).where('id', '=', left.partnerId).execute();
    await t.c.outcomes.askAndRemind();
    await eventually(async () => questionsTo(bounced.partnerEmail).length === 1 && questionsTo(left.submitter.email).length === 1);
    await settle();
    expect(questionsTo(bounced.submitter.email)).toHaveLength(0);
    expect(questionsTo(left.partnerEmail)).toHaveLength(0);
  });

  it('leaves an unanswered question unanswered: the status page says so, and the request stays as it is', async () => {
    const intro = await introduction(16);
    const before = await t.app.inject({ method: 'GET', url: intro.statusPath, headers: BROWSER });
    expect(before.body).toContain('We ask you both on');
    await t.c.outcomes.askAndRemind();
    const page = await t.app.inject({ method: 'GET', url: intro.statusPath, headers: BROWSER });
    expect(page.body).toContain('You: not answered yet');
    expect(page.body).toContain(`${intro.partnerCompany}: not answered yet`);
  });
});

describe('the answer page', () => {
  it('changes nothing on GET or HEAD of any link of the mails, and preselects the answer the link names', async () => {
    const intro = await introduction(17);
    await t.c.outcomes.askAndRemind();
    await eventually(async () => questionsTo(intro.submitter.email).length === 1);
    const mail = questionsTo(intro.submitter.email)[0]!;
    const links = linksOf(mail.parsed).filter((l) => l.startsWith('http://p2p.test/'));
    expect(links.filter((l) => l.includes('/w/'))).toHaveLength(3);
    const before = await written();
    for (const link of links) {
      const url = new URL(link);
      for (const method of ['GET', 'HEAD'] as const) {
        const res = await t.app.inject({ method, url: url.pathname + url.search, headers: BROWSER });
        expect(res.statusCode, link).toBeLessThan(400);
      }
    }
    expect(await written()).toEqual(before);

    const request = await requestOf(intro, 'submitter');
    const talking = await t.app.inject({ method: 'GET', url: answerPath(request.id, 'talking'), headers: BROWSER });
    expect(talking.body).toMatch(/value="talking" checked/);
    expect(talking.body).not.toMatch(/value="yes" checked/);
    expect(talking.body).toContain(`Did you and ${intro.partnerCompany} work together?`);
    expect(talking.body).toContain(`You are answering as ${intro.submitter.name}`);
    expect(talking.headers['cache-control']).toBe('no-store');
    // Whatever else a link says, nothing is preselected and nothing breaks.
    const odd = await t.app.inject({ method: 'GET', url: `${answerPath(request.id)}?answer=%3Cscript%3E&answer=yes`, headers: BROWSER });
    expect(odd.statusCode).toBe(200);
    expect(await written()).toEqual(before);
  });

  it('records on POST, with an amount band and a note; the answer can be changed later from the same link', async () => {
    const intro = await introduction(18);
    await t.c.outcomes.askAndRemind();
    const request = await requestOf(intro, 'partner');
    const res = await answer(request.id, { answer: 'yes', amount: '10k_50k', note: 'Two sprints booked for January.' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('We recorded your answer: Yes, a project is under way');
    let row = await requestOf(intro, 'partner');
    expect(row).toMatchObject({ answer: 'yes', amount: '10k_50k', note: 'Two sprints booked for January.' });
    expect(row.answeredAt).not.toBeNull();
    expect((await t.c.db.selectFrom('partnerOutcomeStats').selectAll().where('partnerId', '=', intro.partnerId).executeTakeFirstOrThrow()).confirmedCount).toBe(1);

    // The same answer again changes nothing.
    const again = await answer(request.id, { answer: 'yes', amount: '10k_50k', note: 'Two sprints booked for January.' });
    expect(again.body).toContain('This is your answer already');
    // A changed amount is recorded; the answer is still the one given then.
    await t.c.db.updateTable('outcomeRequests').set({ answeredAt: new Date('2026-01-02T03:04:05Z') }).where('id', '=', request.id).execute();
    expect((await answer(request.id, { answer: 'yes', amount: '50k_200k', note: 'Two sprints booked for January.' })).statusCode).toBe(200);
    expect(await requestOf(intro, 'partner')).toMatchObject({ amount: '50k_200k', answeredAt: new Date('2026-01-02T03:04:05Z') });

    // Taken back: the partner's confirmed count follows.
    expect((await answer(request.id, { answer: 'no' })).statusCode).toBe(200);
    row = await requestOf(intro, 'partner');
    expect(row).toMatchObject({ answer: 'no', amount: null, note: null });
    expect(await t.c.outcomes.confirmedCount(intro.partnerId)).toBe(0);

    // Either side's "yes" confirms it, once per introduction.
    await answer((await requestOf(intro, 'submitter')).id, { answer: 'yes', amount: 'undisclosed' });
    await answer(request.id, { answer: 'yes' });
    expect(await t.c.outcomes.confirmedCount(intro.partnerId)).toBe(1);

    const page = await t.app.inject({ method: 'GET', url: intro.statusPath, headers: BROWSER });
    expect(page.body).toContain('You: <strong>Yes, a project is under way</strong> (Rather not say)');
    expect(page.body).toContain(`${intro.partnerCompany}: <strong>Yes, a project is under way</strong>`);
    // The partner's amount and note are theirs and ours, not the submitter's.
    expect(page.body).not.toContain('Two sprints');
  });

  it('answers a bad token with a polite page and writes nothing', async () => {
    const intro = await introduction(19);
    await t.c.outcomes.askAndRemind();
    const request = await requestOf(intro, 'submitter');
    const good = answerPath(request.id).split('/w/')[1]!;
    const before = await written();
    const expired = t.c.signer.sign('outcome', request.id, -10);
    const wrongPurpose = t.c.signer.sign('preferences', request.id, 3600);
    const gone = t.c.signer.sign('outcome', '00000000-0000-4000-8000-000000000000', 3600);
    const cases: Array<[string, number, string]> = [
      [tamper(good), 400, 'This link does not work'],
      ['not-a-token', 400, 'This link does not work'],
      [wrongPurpose, 400, 'This link does not work'],
      [expired, 410, 'This link has expired'],
      [gone, 404, 'This introduction is no longer here'],
    ];
    const { token, cookie } = csrfFrom(await t.app.inject({ method: 'GET', url: answerPath(request.id), headers: BROWSER }));
    for (const [bad, status, text] of cases) {
      const get = await t.app.inject({ method: 'GET', url: `/w/${bad}`, headers: BROWSER });
      expect([get.statusCode, get.body.includes(text)], bad).toEqual([status, true]);
      const post = await t.app.inject({ method: 'POST', url: `/w/${bad}`, headers: { ...FORM, cookie }, payload: formBody({ _csrf: token, answer: 'yes' }) });
      expect([post.statusCode, post.body.includes(text)], bad).toEqual([status, true]);
    }
    expect(await written()).toEqual(before);
  });

  it('answers a bad form with a 4xx page that keeps what was typed, and writes nothing', async () => {
    const intro = await introduction(20);
    await t.c.outcomes.askAndRemind();
    const request = await requestOf(intro, 'submitter');
    const before = await written();
    const bad: Array<Record<string, string | undefined>> = [
      {},
      { answer: 'maybe' },
      { answer: 'yes', amount: 'a million' },
      { answer: 'yes', note: 'x'.repeat(2001) },
      { answer: 'yes', note: 'a NUL \u0000 byte' },
    ];
    for (const fields of bad) {
      const res = await answer(request.id, fields);
      expect(res.statusCode, JSON.stringify(fields).slice(0, 60)).toBe(400);
      expect(res.body).toContain('Nothing was saved.');
    }
    const kept = await answer(request.id, { answer: 'yes', note: `Kept ${'y'.repeat(2000)}` });
    expect(kept.statusCode).toBe(400);
    expect(kept.body).toContain('Kept yyyy');
    // Without the CSRF token: refused too.
    const forged = await t.app.inject({ method: 'POST', url: answerPath(request.id), headers: FORM, payload: formBody({ answer: 'yes' }) });
    expect(forged.statusCode).toBe(403);
    expect(await written()).toEqual(before);
  });
});
