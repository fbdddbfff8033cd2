/**
 * Urgent opportunities reach partners who asked for them as alerts (one opportunity, within
 * minutes) or in a daily summary, through the digest ledger: the alert respects everything a
 * digest respects, the partner's minimum score, a per-day cap and quiet hours in the partner's
 * time zone, and the ledger carries an opportunity to a partner once, whatever path carried it.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { UrgentRules } from '../../src/digests/digest-urgent.repository.ts';
import { addOpportunity, addPartner, digestServiceWith } from '../support/digest-fixtures.ts';
import { createTestStack, type TestStack } from '../support/test-stack.ts';

let t: TestStack;
const DAY = 86_400_000;
const inDays = (days: number) => new Date(Date.now() + days * DAY).toISOString().slice(0, 10);
const NO_QUIET: UrgentRules = { alertsPerDay: 3, quietHours: null };

/** A time zone where it is now the middle of the day: a test at real time stays on one local date. */
function zoneAtMidday(): string {
  for (const zone of ['Europe/Berlin', 'America/New_York', 'Asia/Tokyo', 'America/Los_Angeles']) {
    const hour = Number(new Intl.DateTimeFormat('en-US', { timeZone: zone, hour: 'numeric', hourCycle: 'h23' }).format(new Date()));
    if (hour >= 2 && hour <= 20) return zone;
  }
  throw new Error('no zone at midday');
}

/** The digest service as the container builds it, at a moment and with urgent rules of the test's choosing. */
async function urgentDigests(at: Date, urgent: UrgentRules) {
  return digestServiceWith(t, urgent, () => at);
}

/** Creates the urgent rows due at `at`, then builds and sends them here, as the jobs would. */
async function urgentPass(at: Date, urgent: UrgentRules = NO_QUIET, opportunityId?: string) {
  const digests = await urgentDigests(at, urgent);
  const created = await digests.startUrgent(opportunityId ? { opportunityId } : {});
  const ids = [...created.alerts, ...created.daily];
  const built = await digests.buildMany(ids);
  await digests.sendMany(ids.filter((id) => built.get(id) === 'ready'));
  return created;
}

const rowsOf = (email: string) =>
  t.c.db
    .selectFrom('digests as d')
    .innerJoin('partners as p', 'p.id', 'd.partnerId')
    .select(['d.id', 'd.kind', 'd.period', 'd.status'])
    .where('p.email', '=', email)
    .orderBy('d.createdAt')
    .execute();

const mailsTo = (email: string) => t.smtp.received.filter((m) => m.envelope.to.includes(email));

const carried = (email: string) =>
  t.c.db
    .selectFrom('digestItems as di')
    .innerJoin('partners as p', 'p.id', 'di.partnerId')
    .innerJoin('digests as d', 'd.id', 'di.digestId')
    .innerJoin('opportunities as o', 'o.id', 'di.opportunityId')
    .select(['o.title', 'd.kind'])
    .where('p.email', '=', email)
    .execute();

async function setPartner(email: string, values: { minScore?: number; digestHour?: number; digestFrequency?: 'paused' | 'weekly' }) {
  await t.c.db.updateTable('partners').set(values).where('email', '=', email).execute();
}

beforeAll(async () => {
  t = await createTestStack();
});

afterAll(async () => {
  await t?.close();
});

beforeEach(async () => {
  await t.c.db.deleteFrom('digests').execute();
  await t.c.db.deleteFrom('opportunities').execute();
  await t.c.db.deleteFrom('partners').execute();
  t.smtp.received.length = 0;
});

describe('who gets an alert', () => {
  it('only partners who take urgent work as it comes, above their minimum score, and nobody a digest would leave out', async () => {
    await addPartner(t, 'alerted', ['AKS'], { urgentDelivery: 'alert' });
    await addPartner(t, 'digester', ['AKS'], { urgentDelivery: 'digest' });
    await addPartner(t, 'summary', ['AKS'], { urgentDelivery: 'daily' });
    await addPartner(t, 'picky', ['AKS'], { urgentDelivery: 'alert' });
    await setPartner('picky@partners.example', { minScore: 0.99 });
    await addPartner(t, 'paused', ['AKS'], { urgentDelivery: 'alert' });
    await setPartner('paused@partners.example', { digestFrequency: 'paused' });
    await addPartner(t, 'bounced', ['AKS'], { urgentDelivery: 'alert' });
    await t.c.suppressions.suppress('bounced@partners.example', 'hard_bounce');
    const notRelevant = await addPartner(t, 'uninterested', ['AKS'], { urgentDelivery: 'alert' });
    const muting = await addPartner(t, 'muting', ['AKS'], { urgentDelivery: 'alert' });
    await t.c.db.insertInto('mutedSubmitters').values({ partnerId: muting, submitterEmail: 'sam@submitter.example' }).execute();
    // The submitter's own company (its mail domain): matching leaves it out, so no alert either.
    await addPartner(t, 'own', ['AKS'], { urgentDelivery: 'alert', email: 'colleague@submitter.example' });
    const urgent = await addOpportunity(t, 'AKS cluster rescue before go-live', ['AKS'], { urgent: true, startDate: inDays(9) });
    await t.c.db.insertInto('notRelevant').values({ partnerId: notRelevant, opportunityId: urgent, reason: 'skills' }).execute();
    await addOpportunity(t, 'AKS upgrade next spring', ['AKS']);

    const created = await urgentPass(new Date(), NO_QUIET, urgent);
    expect(created.alerts).toHaveLength(1);
    expect(await rowsOf('alerted@partners.example')).toMatchObject([{ kind: 'alert', period: `alert:${urgent}`, status: 'sent' }]);
    expect(await rowsOf('colleague@submitter.example')).toEqual([]);
    for (const other of ['digester', 'summary', 'picky', 'paused', 'bounced', 'uninterested', 'muting']) {
      expect(await rowsOf(`${other}@partners.example`), other).toEqual([]);
      expect(mailsTo(`${other}@partners.example`), other).toHaveLength(0);
    }
    // One alert, one opportunity: the ordinary opportunity waits for the digest.
    expect(await carried('alerted@partners.example')).toEqual([{ title: 'AKS cluster rescue before go-live', kind: 'alert' }]);
    // A second pass (the reconciler's, a duplicated job) creates nothing.
    expect((await urgentPass(new Date(), NO_QUIET)).alerts).toEqual([]);
    expect(mailsTo('alerted@partners.example')).toHaveLength(1);
  });
});

describe('an alert email', () => {
  it('names the opportunity in its subject and has the digest headers, a plain-text part, unsubscribe and preferences links', async () => {
    await addPartner(t, 'alerted', ['AKS'], { urgentDelivery: 'alert' });
    const start = inDays(10);
    const urgent = await addOpportunity(t, 'AKS cluster rescue before go-live', ['AKS'], { urgent: true, startDate: start });
    await urgentPass(new Date(), NO_QUIET, urgent);
    const [mail, ...more] = mailsTo('alerted@partners.example');
    expect(more).toHaveLength(0);
    const [row] = await rowsOf('alerted@partners.example');
    const day = new Date(`${start}T00:00:00Z`);
    const label = `${day.getUTCDate()} ${['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][day.getUTCMonth()]}`;
    expect(mail!.parsed.subject).toBe(`Urgent: AKS cluster rescue before go-live — starts ${label}`);
    expect(mail!.raw).toMatch(new RegExp(`^Message-ID: <digest\\.${row!.id}@p2p\\.test>`, 'm'));
    expect(mail!.raw).toMatch(/^List-Unsubscribe:\s+<http:\/\/p2p\.test\/u\/[\w.-]+>,\s+<mailto:unsubscribe@localhost\?subject=unsubscribe>/m);
    expect(mail!.raw).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r?$/m);
    expect(mail!.raw).toMatch(/^List-Id: p2p-digest opportunities <opportunities\.p2p\.test>\r?$/im);
    expect(mail!.raw).toMatch(/^Auto-Submitted: auto-generated\r?$/m);
    const text = mail!.parsed.text ?? '';
    expect(text).toContain('AKS cluster rescue before go-live');
    expect(text).toMatch(/I'm interested:\s+http:\/\/p2p\.test\/i\/[\w.-]+/);
    expect(text).toMatch(/Not relevant:\s+http:\/\/p2p\.test\/n\/[\w.-]+/);
    expect(text).toMatch(/Preferences: http:\/\/p2p\.test\/p\/[\w.-]+/);
    expect(text).toMatch(/Unsubscribe: http:\/\/p2p\.test\/u\/[\w.-]+/);
    expect(text).toContain('Another partner needs help soon with this opportunity');
    expect(text).toContain('as it comes');
    expect(mail!.parsed.html).toContain('another partner needs help soon with this opportunity');
    expect(mail!.parsed.html).toContain('AKS cluster rescue before go-live');
    expect(mail!.parsed.html).toContain(`Starts ${label}`);
  });
});

describe('limits', () => {
  it('sends at most URGENT_ALERTS_PER_DAY alerts a local day, best first; the rest waits for the daily summary', async () => {
    await addPartner(t, 'alerted', ['AKS'], { urgentDelivery: 'alert', timezone: zoneAtMidday() });
    await setPartner('alerted@partners.example', { digestHour: 23 });
    for (let i = 1; i <= 5; i++) await addOpportunity(t, `Urgent AKS job number ${i}`, ['AKS'], { urgent: true, startDate: inDays(3) });
    const now = new Date();
    await urgentPass(now, NO_QUIET);
    const alerts = (await rowsOf('alerted@partners.example')).filter((r) => r.kind === 'alert');
    expect(alerts).toHaveLength(3);
    expect(mailsTo('alerted@partners.example')).toHaveLength(3);
    // Later the same day: still three.
    await urgentPass(new Date(now.getTime() + 60_000), NO_QUIET);
    expect(mailsTo('alerted@partners.example')).toHaveLength(3);
    // At the digest hour, the daily summary carries the two left over, once.
    const zone = (await t.c.db.selectFrom('partners').select('timezone').where('email', '=', 'alerted@partners.example').executeTakeFirstOrThrow()).timezone;
    const localHour = Number(new Intl.DateTimeFormat('en-US', { timeZone: zone, hour: 'numeric', hourCycle: 'h23' }).format(now));
    await setPartner('alerted@partners.example', { digestHour: localHour });
    const { daily } = await urgentPass(new Date(now.getTime() + 120_000), NO_QUIET);
    expect(daily).toHaveLength(1);
    const summary = mailsTo('alerted@partners.example')[3]!;
    // Named after its best card, as a digest is.
    expect(summary.parsed.subject).toMatch(/^Urgent today: .+ \+ 1 more$/);
    expect(summary.parsed.text).toContain(summary.parsed.subject!.slice('Urgent today: '.length, -' + 1 more'.length));
    expect((await carried('alerted@partners.example')).filter((c) => c.kind === 'daily')).toHaveLength(2);
    expect((await urgentPass(new Date(now.getTime() + 180_000), NO_QUIET)).daily).toEqual([]);
    expect(mailsTo('alerted@partners.example')).toHaveLength(4);
  });

  it('keeps an alert due in quiet hours (in the partner\'s time zone, not UTC) until they end', async () => {
    // Tokyo has no daylight saving time: UTC+9 all year.
    await addPartner(t, 'tokyo', ['AKS'], { urgentDelivery: 'alert', timezone: 'Asia/Tokyo' });
    await addPartner(t, 'london', ['AKS'], { urgentDelivery: 'alert', timezone: 'Europe/London' });
    await setPartner('tokyo@partners.example', { digestHour: 23 });
    const urgent = await addOpportunity(t, 'AKS cluster rescue before go-live', ['AKS'], { urgent: true, startDate: inDays(7) });
    const quiet: UrgentRules = { alertsPerDay: 3, quietHours: { start: 20, end: 8 } };
    const today = new Date().toISOString().slice(0, 10);
    // 12:00 UTC: 21:00 in Tokyo (quiet), 12:00 in London (not).
    await urgentPass(new Date(`${today}T12:00:00Z`), quiet, urgent);
    expect(await rowsOf('tokyo@partners.example')).toEqual([]);
    expect(mailsTo('london@partners.example')).toHaveLength(1);
    // 22:30 UTC: 07:30 in Tokyo, still quiet; the scheduler's pass finds nothing to send yet.
    await urgentPass(new Date(`${today}T22:30:00Z`), quiet);
    expect(await rowsOf('tokyo@partners.example')).toEqual([]);
    // 23:00 UTC: 08:00 in Tokyo, quiet hours over: the scheduler's pass sends it.
    await urgentPass(new Date(`${today}T23:00:00Z`), quiet);
    expect(await rowsOf('tokyo@partners.example')).toMatchObject([{ kind: 'alert', status: 'sent' }]);
    expect(mailsTo('tokyo@partners.example')).toHaveLength(1);
    expect(mailsTo('london@partners.example')).toHaveLength(1);
  });
});

describe('one path per partner and opportunity', () => {
  it('an alert carries the opportunity out of the next digest; the digest partner gets it in the round', async () => {
    await addPartner(t, 'alerted', ['AKS'], { urgentDelivery: 'alert' });
    await addPartner(t, 'digester', ['AKS'], { urgentDelivery: 'digest' });
    const urgent = await addOpportunity(t, 'AKS cluster rescue before go-live', ['AKS'], { urgent: true, startDate: inDays(5) });
    await addOpportunity(t, 'AKS upgrade next spring', ['AKS']);
    await urgentPass(new Date(), NO_QUIET, urgent);
    expect(mailsTo('alerted@partners.example')).toHaveLength(1);
    expect(mailsTo('digester@partners.example')).toHaveLength(0);

    await t.c.digests.runRound({ everyone: true });
    const digest = mailsTo('alerted@partners.example')[1]!;
    expect(digest.parsed.subject).toMatch(/^AKS upgrade next spring for your /);
    expect(digest.parsed.text).toContain('AKS upgrade next spring');
    expect(digest.parsed.text).not.toContain('AKS cluster rescue');
    const [toDigester, ...more] = mailsTo('digester@partners.example');
    expect(more).toHaveLength(0);
    expect(toDigester!.parsed.text).toContain('AKS cluster rescue');
    expect((await carried('alerted@partners.example')).map((c) => c.kind).sort()).toEqual(['alert', 'digest']);
  });

  it('a digest that carried it first leaves nothing for an alert', async () => {
    await addPartner(t, 'alerted', ['AKS'], { urgentDelivery: 'alert' });
    const urgent = await addOpportunity(t, 'AKS cluster rescue before go-live', ['AKS'], { urgent: true, startDate: inDays(5) });
    // A quiet night kept the alert back; the Monday digest went first.
    await t.c.digests.runRound({ everyone: true });
    expect((await urgentPass(new Date(), NO_QUIET, urgent)).alerts).toEqual([]);
    expect(mailsTo('alerted@partners.example')).toHaveLength(1);
  });

  it('a daily summary holds only urgent opportunities not yet delivered, at the partner\'s digest hour', async () => {
    await addPartner(t, 'summary', ['AKS'], { urgentDelivery: 'daily' });
    await setPartner('summary@partners.example', { digestHour: 23 });
    await addOpportunity(t, 'AKS urgent one', ['AKS'], { urgent: true, startDate: inDays(2) });
    await addOpportunity(t, 'AKS urgent two', ['AKS'], { urgent: true, startDate: inDays(4) });
    await addOpportunity(t, 'AKS not urgent', ['AKS']);
    const today = new Date().toISOString().slice(0, 10);
    // 22:00 in Berlin: not yet the digest hour (23).
    expect((await urgentPass(new Date(`${today}T21:00:00Z`), NO_QUIET)).daily).toEqual([]);
    // Long after the digest hour (08:00 here, 15:00 in Berlin) is too late: it waits for the next one.
    await setPartner('summary@partners.example', { digestHour: 8 });
    expect((await urgentPass(new Date(`${today}T14:00:00Z`), NO_QUIET)).daily).toEqual([]);
    await setPartner('summary@partners.example', { digestHour: 23 });
    expect((await urgentPass(new Date(`${today}T22:10:00Z`), NO_QUIET)).daily).toHaveLength(1);
    const [summary, ...more] = mailsTo('summary@partners.example');
    expect(more).toHaveLength(0);
    expect(summary!.parsed.subject).toMatch(/^Urgent today: AKS urgent (one|two) \+ 1 more$/);
    expect(summary!.parsed.text).toContain('AKS urgent one');
    expect(summary!.parsed.text).not.toContain('AKS not urgent');
    expect(summary!.raw).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r?$/m);
    expect(await rowsOf('summary@partners.example')).toMatchObject([{ kind: 'daily', period: `daily:${today}`, status: 'sent' }]);
    // The round then carries only what is not urgent.
    await t.c.digests.runRound({ everyone: true });
    const digest = mailsTo('summary@partners.example')[1]!;
    expect(digest.parsed.text).toContain('AKS not urgent');
    expect(digest.parsed.text).not.toContain('AKS urgent');
  });
});
