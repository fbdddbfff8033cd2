import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeMatch } from '../../src/matching/match-reasons.ts';
import { notifyInterests } from '../../src/interests/interest-notifier.ts';
import { startScheduler } from '../../src/app/roles.ts';
import { addInterest, addOpportunity, addPartner, settle } from '../support/digest-fixtures.ts';
import type { ReceivedMail } from '../support/smtp-sink.ts';
import { createTestStack, eventually, linkIn, type TestStack } from '../support/test-stack.ts';
import { BROWSER } from '../support/browser-requests.ts';

let t: TestStack;
let kube: string;
let entra: string;
let ops: string;

const MINUTE = 60_000;
const BATCH_MINUTES = 15;

let seq = 0;
/** A published, matched opportunity with a submitter address of its own, so its mails are easy to find. */
async function opportunity(title = 'AKS platform') {
  const n = ++seq;
  const email = `sam.${n}@submitter.example`;
  const id = await addOpportunity(t, `${title} ${n}`, ['AKS', 'Entra ID'], {
    submitter: { name: 'Sam Submitter', company: 'Submitter GmbH', email },
  });
  return { id, email, title: `${title} ${n}` };
}

/** What the partner side writes when a partner presses "I'm interested", made `minutesAgo` ago. */
const interest = (opportunityId: string, partnerId: string, minutesAgo: number, extra: { note?: string; withdrawn?: boolean } = {}) =>
  addInterest(t, opportunityId, partnerId, { ...extra, createdAt: new Date(Date.now() - minutesAgo * MINUTE) });

const notify = (now = new Date()) => notifyInterests(t.c.db, { batchMinutes: BATCH_MINUTES, now });

const summaryEvents = async (opportunityId: string) =>
  t.c.db
    .selectFrom('outbox')
    .select(['id', 'payload'])
    .where('topic', '=', 'mail.requested')
    .where(sql<string>`payload->>'kind'`, '=', 'interest-summary')
    .where(sql<string>`payload->>'opportunityId'`, '=', opportunityId)
    .orderBy('id')
    .execute();

const mailsTo = (email: string) => t.smtp.received.filter((m) => m.envelope.to.includes(email));
const summaryTo = (email: string) => t.smtp.waitFor((m) => m.envelope.to.includes(email) && /interested in/.test(m.parsed.subject ?? ''));

beforeAll(async () => {
  t = await createTestStack();
  kube = await addPartner(t, 'kube', ['AKS'], { profile: 'Kubernetes platforms on Azure' });
  entra = await addPartner(t, 'entra', ['Entra ID'], { regions: ['dach', 'nordics'] });
  ops = await addPartner(t, 'ops', ['AKS', 'Entra ID']);
  t.startBackground();
});
afterAll(async () => {
  await t?.close();
});

describe('batching interest into one email to the submitter', () => {
  it('sends nothing inside the window, then one email listing every interest of the window', async () => {
    const o = await opportunity();
    const first = await interest(o.id, kube, 5, { note: 'We ran AKS for three machine builders.' });
    const second = await interest(o.id, entra, 1, { note: 'Entra ID is all we do.' });

    expect(await notify()).toBe(0);
    expect(await summaryEvents(o.id)).toHaveLength(0);

    // Eleven minutes on, the oldest interest is sixteen minutes old: the window has passed.
    expect(await notify(new Date(Date.now() + 11 * MINUTE))).toBe(1);
    const events = await summaryEvents(o.id);
    expect(events).toHaveLength(1);
    expect(events[0]!.payload).toEqual({ kind: 'interest-summary', opportunityId: o.id, interestIds: [first, second].sort() });
    const notified = await t.c.db.selectFrom('interests').select('notifiedAt').where('opportunityId', '=', o.id).execute();
    expect(notified.every((i) => i.notifiedAt !== null)).toBe(true);

    const mail = await summaryTo(o.email);
    expect(mail.parsed.subject).toBe(`2 partners are interested in ${o.title}`);
    expect(mail.parsed.text).toContain('kube Ltd');
    expect(mail.parsed.text).toContain('entra Ltd');
    expect(mail.parsed.text).toContain('We ran AKS for three machine builders.');
    expect(mail.parsed.text).toContain('Entra ID is all we do.');
    await settle();
    expect(mailsTo(o.email).filter((m) => /interested in/.test(m.parsed.subject ?? ''))).toHaveLength(1);
  });

  it('leaves out an interest withdrawn inside the window', async () => {
    const o = await opportunity();
    const kept = await interest(o.id, kube, 20);
    await interest(o.id, entra, 18, { withdrawn: true });

    expect(await notify()).toBe(1);
    expect((await summaryEvents(o.id))[0]!.payload).toMatchObject({ interestIds: [kept] });
    const mail = await summaryTo(o.email);
    expect(mail.parsed.subject).toBe(`1 partner is interested in ${o.title}`);
    expect(mail.parsed.text).toContain('kube Ltd');
    expect(mail.parsed.text).not.toContain('entra Ltd');
  });

  it('sends nothing when every interest was withdrawn', async () => {
    const o = await opportunity();
    await interest(o.id, kube, 30, { withdrawn: true });
    await interest(o.id, entra, 20, { withdrawn: true });
    expect(await notify(new Date(Date.now() + 60 * MINUTE))).toBe(0);
    expect(await summaryEvents(o.id)).toHaveLength(0);
    await settle();
    expect(mailsTo(o.email).filter((m) => /interested in/.test(m.parsed.subject ?? ''))).toHaveLength(0);
  });

  it('sends once however often (and however concurrently) the notifier runs', async () => {
    const o = await opportunity();
    await interest(o.id, kube, 20);
    await interest(o.id, ops, 17);
    const runs = await Promise.all([notify(), notify(), notify()]);
    expect(runs.reduce((a, b) => a + b, 0)).toBe(1);
    expect(await notify()).toBe(0);
    expect(await summaryEvents(o.id)).toHaveLength(1);
    await summaryTo(o.email);
    await settle();
    expect(mailsTo(o.email).filter((m) => /interested in/.test(m.parsed.subject ?? ''))).toHaveLength(1);
  });

  it('tells the submitter about later interest in a second email, without repeating the first', async () => {
    const o = await opportunity();
    const early = await interest(o.id, kube, 40);
    expect(await notify()).toBe(1);
    const late = await interest(o.id, entra, 16);
    expect(await notify()).toBe(1);
    const events = await summaryEvents(o.id);
    expect(events.map((e) => (e.payload as { interestIds: string[] }).interestIds)).toEqual([[early], [late]]);
  });

  it('sends nothing for an opportunity that has ended', async () => {
    const o = await opportunity();
    await interest(o.id, kube, 30);
    await t.c.opportunities.end(o.id, 'closed');
    expect(await notify()).toBe(0);
    expect(await summaryEvents(o.id)).toHaveLength(0);
  });

  it('runs in the scheduler role, every INTEREST_BATCH_MINUTES', async () => {
    const o = await opportunity();
    await interest(o.id, ops, 25);
    // A second scheduler with a short interval, next to the one startBackground runs.
    const scheduler = startScheduler(t.c, { relayMs: 50, reconcileMs: 3_600_000, interestNotifyMs: 100 });
    try {
      await eventually(async () => (await summaryEvents(o.id)).length === 1);
      const mail = await summaryTo(o.email);
      expect(mail.parsed.text).toContain('ops Ltd');
    } finally {
      await scheduler.stop();
    }
    expect(await summaryEvents(o.id)).toHaveLength(1);
  });
});

describe('the summary email', () => {
  let o: Awaited<ReturnType<typeof opportunity>>;
  let mail: ReceivedMail;

  beforeAll(async () => {
    o = await opportunity('Entra rollout');
    await interest(o.id, kube, 30, { note: 'Happy to start in January.' });
    await interest(o.id, entra, 20);
    expect(await notify()).toBe(1);
    mail = await summaryTo(o.email);
  });

  it('has a plain-text part, List-Unsubscribe with one-click, and a deterministic Message-ID', () => {
    expect(mail.parsed.text?.length).toBeGreaterThan(100);
    expect(mail.parsed.html).toBeTruthy();
    expect(mail.raw).toMatch(/^List-Unsubscribe:\s+<http:\/\/p2p\.test\/u\/[\w.-]+>\r?$/m);
    expect(mail.raw).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r?$/m);
    expect(mail.parsed.messageId).toMatch(/^<interest-summary\.mail-\d+@p2p\.test>$/);
  });

  it("shows each partner's company, skills, regions, reasons and note", () => {
    const text = mail.parsed.text!;
    expect(text).toContain('kube Ltd');
    expect(text).toContain('Kubernetes on Microsoft Azure');
    expect(text).toContain('DACH (Germany, Austria, Switzerland)');
    expect(text).toContain('Matches their skills: Kubernetes on Microsoft Azure');
    expect(text).toContain('Happy to start in January.');
    expect(text).toContain('entra Ltd');
    expect(text).toContain('Nordics');
  });

  it('shows one card per interested partner, ✓ on the skills the opportunity asks for, their note, and a button to the status page', async () => {
    const mixed = await addPartner(t, 'mixed', ['AKS', 'Intune'], { regions: ['dach', 'uk-ireland'] });
    const o2 = await opportunity('Card check');
    await interest(o2.id, mixed, 30, { note: 'Two AKS clusters live this year.' });
    await interest(o2.id, entra, 20);
    expect(await notify()).toBeGreaterThanOrEqual(1);
    const m = await summaryTo(o2.email);
    const html = String(m.parsed.html);
    const text = m.parsed.text!;
    // One card each, like the digest's, after the button that leads to the status page.
    const cards = html.split(/class="notice-card[ "]/).slice(1);
    expect(cards).toHaveLength(2);
    const button = /<a href="(http:\/\/p2p\.test\/o\/[^"]+)"[^>]*>\s*Choose whom to meet\s*<\/a>/g;
    const buttons = [...html.matchAll(button)];
    expect(buttons).toHaveLength(2); // above the cards (one tap away) and again after the last
    expect(buttons[0]!.index).toBeLessThan(html.indexOf('class="notice-card'));
    expect(buttons[0]![1]).toBe(linkIn(text, '/o/'));
    expect(text).toMatch(/^Choose whom to meet:\nhttp:\/\/p2p\.test\/o\//m);
    const card = (name: string) => cards.find((c) => c.includes(`${name} Ltd`))!;
    // ✓ where a skill is one the opportunity asks for (AKS, Entra ID), plain where not (Intune).
    expect(card('mixed')).toMatch(/>&#10003; Kubernetes on Microsoft Azure</);
    expect(card('mixed')).toMatch(/>Microsoft Intune</);
    expect(card('mixed')).not.toMatch(/&#10003; Microsoft Intune/);
    expect(card('mixed')).toContain('UK &amp; Ireland');
    expect(card('mixed')).toContain('Two AKS clusters live this year.');
    expect(card('mixed')).toContain('THEIR NOTE');
    expect(card('mixed')).toContain('WHY THEY FIT');
    expect(card('entra')).toMatch(/>&#10003; Identity and Access Management</);
    expect(card('entra')).not.toContain('THEIR NOTE');
    // The text part says as much, card by card.
    const mixedText = text.slice(text.indexOf('mixed Ltd'), text.indexOf('entra Ltd') > text.indexOf('mixed Ltd') ? text.indexOf('entra Ltd') : undefined);
    expect(mixedText).toMatch(/Skills: +✓ Kubernetes on Microsoft Azure, Microsoft Intune/);
    expect(mixedText).toMatch(/Regions: +DACH \(Germany, Austria, Switzerland\), UK & Ireland/);
    expect(mixedText).toMatch(/Their note:\n +> Two AKS clusters live this year\./);
    expect(text).toMatch(/^1\. (mixed|entra) Ltd$/m);
    expect(text).toMatch(/^2\. (mixed|entra) Ltd$/m);
  });

  it("never shows a partner's email address or contact name, in either part", () => {
    for (const part of [mail.parsed.text!, String(mail.parsed.html)]) {
      expect(part).not.toContain('@partners.example');
      expect(part).not.toMatch(/Contact (kube|entra)/);
    }
  });

  it('links to the status page, which opens (changing nothing) with the interested partners to pick', async () => {
    const link = linkIn(mail.parsed.text, '/o/');
    expect(link.startsWith('http://p2p.test/o/')).toBe(true);
    expect(mail.parsed.html).toContain(link);
    const page = await t.app.inject({ method: 'GET', url: new URL(link).pathname, headers: BROWSER });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`<h1>${o.title}</h1>`);
    expect(page.body).toContain('kube Ltd');
    expect(page.body).toContain('entra Ltd');
    expect(page.body.match(/name="interest" value=/g)).toHaveLength(2);
  });

  it("gives each card its own link, in both parts, straight to that partner's box to tick on the status page", async () => {
    const html = String(mail.parsed.html);
    const text = mail.parsed.text!;
    const ids = await t.c.db.selectFrom('interests').select(['id', 'partnerId']).where('opportunityId', '=', o.id).execute();
    const page = await t.app.inject({ method: 'GET', url: new URL(linkIn(text, '/o/')).pathname, headers: BROWSER });
    for (const [partnerId, company] of [
      [kube, 'kube Ltd'],
      [entra, 'entra Ltd'],
    ] as const) {
      const interestId = ids.find((i) => i.partnerId === partnerId)!.id;
      // The HTML card: a link "Choose <company>" to the status page with that interest's fragment.
      const card = html
        .split(/class="notice-card[ "]/)
        .slice(1)
        .find((c) => c.includes(company))!;
      const link = new RegExp(`<a href="(http://p2p\\.test/o/[^"#]+)#([^"]+)"[^>]*>\\s*Choose ${company}\\s*</a>`).exec(card);
      expect(link, company).not.toBeNull();
      const [, statusUrl, fragment] = link!;
      expect(statusUrl).toBe(linkIn(text, '/o/'));
      // The text part carries the same link under the same words.
      expect(text).toMatch(new RegExp(`Choose ${company}:\\n +${statusUrl!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}#${fragment}\\n`));
      // The fragment is the id of that partner's box to tick on the status page (a GET only shows it).
      expect(page.body).toMatch(new RegExp(`<input type="checkbox" name="interest" value="${interestId}" id="${fragment}">`));
    }
    expect(await t.c.db.selectFrom('introductions').select('id').where('opportunityId', '=', o.id).execute()).toEqual([]);
  });

  it('gives a partner already introduced no "Choose" link: the status page has no box left to tick for them', async () => {
    const other = await opportunity();
    const a = await interest(other.id, kube, 30);
    const b = await interest(other.id, entra, 30);
    await t.c.introductions.introduce(other.id, [b]);
    expect(await t.c.mail.send({ kind: 'interest-summary', opportunityId: other.id, interestIds: [a, b] }, 'mail-test-introduced')).toBe('sent');
    const sent = await t.smtp.waitFor((m) => m.envelope.to.includes(other.email) && /are interested in/.test(m.parsed.subject ?? ''));
    const html = String(sent.parsed.html);
    expect(html).toContain('Already introduced to you');
    expect(html).toMatch(/>\s*Choose kube Ltd\s*<\/a>/);
    expect(html).not.toMatch(/Choose entra Ltd/);
    expect(sent.parsed.text).toMatch(/Choose kube Ltd:/);
    expect(sent.parsed.text).not.toMatch(/Choose entra Ltd/);
  });

  it('leaves out an interest withdrawn between batching and sending, and sends nothing when none is left', async () => {
    const other = await opportunity();
    const a = await interest(other.id, kube, 30);
    const b = await interest(other.id, entra, 30);
    const job = { kind: 'interest-summary' as const, opportunityId: other.id, interestIds: [a, b] };
    await t.c.db.updateTable('interests').set({ status: 'withdrawn', withdrawnAt: new Date() }).where('id', '=', b).execute();
    expect(await t.c.mail.send(job, 'mail-test-1')).toBe('sent');
    const sent = await summaryTo(other.email);
    expect(sent.parsed.subject).toBe(`1 partner is interested in ${other.title}`);
    expect(sent.parsed.text).not.toContain('entra Ltd');

    await t.c.db.updateTable('interests').set({ status: 'withdrawn', withdrawnAt: new Date() }).where('id', '=', a).execute();
    expect(await t.c.mail.send(job, 'mail-test-2')).toBe('obsolete');
  });
});

describe('match reasons for the submitter', () => {
  it('speaks about the partner, not to them', () => {
    const lines = describeMatch({
      skills: [
        { skill: 'Kubernetes on Microsoft Azure', role: 'required', tier: 'exact', via: null },
        { skill: 'Modernize Endpoints', role: 'required', tier: 'related', via: 'Microsoft Intune' },
        { skill: 'Cloud Security', role: 'required', tier: 'designation', via: 'Microsoft Sentinel' },
        { skill: 'Power BI', role: 'nice', tier: 'exact', via: null },
      ],
      regions: ['dach'],
      remote: false,
      textRelevance: 0.5,
    }, 'submitter');
    expect(lines).toEqual([
      'Matches their skills: Kubernetes on Microsoft Azure',
      'Close to their skills: Modernize Endpoints (they list Microsoft Intune)',
      'In the same field as their skills: Cloud Security (they list Microsoft Sentinel)',
      'Nice to have, and they offer it: Power BI',
      'Serves DACH (Germany, Austria, Switzerland)',
      'Their profile describes similar work',
    ]);
    expect(lines.join(' ')).not.toMatch(/\byou/i);
  });
});
