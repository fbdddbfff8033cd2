import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDigestService } from '../../src/digests/digest.service.ts';
import { dueWithin } from '../../src/digests/digest-period.ts';
import { digestSubject, loadDigestRenderer } from '../../src/digests/digest-render.ts';
import { finishUnsent, keepOnlyItems } from '../../src/digests/digest-send.repository.ts';
import { loadConfig } from '../../src/platform/config/config.ts';
import { addOpportunity, addPartner, digestMailsTo, settle } from '../support/digest-fixtures.ts';
import { captureStatement } from '../support/sql-capture.ts';
import { createTestStack, type TestStack } from '../support/test-stack.ts';

// Build ahead (issue 14): the tick creates and builds the rows of partners due within the next
// hour, stores their due moment (send_at), and nothing is sent before it. Every test here drives
// the service's clock; the partners are all due at Monday 08:00 in London (UTC in January), and
// the clock starts 40 minutes before that.
const DUE = new Date('2027-01-04T08:00:00Z');
const BEFORE = new Date('2027-01-04T07:20:00Z');

let t: TestStack;
let clock = BEFORE;

async function service(buildAheadMinutes = 60) {
  return createDigestService({
    ...t.c,
    renderer: await loadDigestRenderer(),
    subjectFor: digestSubject,
    settings: { mailDomain: 'p2p.test', unsubscribeMailto: 'u@p2p.test', operator: 'x', leaseSeconds: 60, maxSendAttempts: 3, buildAheadMinutes },
    now: () => clock,
  });
}

/** A partner due at Monday 08:00 London time, matched to the opportunities given. */
async function londonPartner(key: string, skills: string[]): Promise<string> {
  const id = await addPartner(t, key, skills, { timezone: 'Europe/London' });
  await t.c.db.updateTable('partners').set({ digestDay: 1, digestHour: 8, digestFrequency: 'weekly' }).where('id', '=', id).execute();
  return id;
}

const rowOf = (partnerId: string) =>
  t.c.db.selectFrom('digests').select(['id', 'status', 'period', 'sendAt', 'attempts', 'lastError']).where('partnerId', '=', partnerId).executeTakeFirst();
const itemsOf = (digestId: string) =>
  t.c.db.selectFrom('digestItems').select(['opportunityId', 'position']).where('digestId', '=', digestId).orderBy('position').execute();
const sendJobs = async () => (await t.c.queues.queue('digest-send').getJobs(['waiting', 'delayed'])).filter((j) => j.name === 'digest-send');

/** What the worker does with the tick's build jobs: builds each batch (and queues its sends). */
async function runBuildJobs(digests: Awaited<ReturnType<typeof service>>) {
  const jobs = (await t.c.queues.queue('digest').getJobs(['waiting'])).filter((j) => j.name === 'digest-build');
  for (const job of jobs) {
    await digests.buildJob((job.data as { digestIds: string[] }).digestIds);
    await job.remove();
  }
}

beforeAll(async () => {
  t = await createTestStack();
  await addOpportunity(t, 'Azure Arc for 40 branch servers', ['Azure Arc'], { remote: true, regions: [] });
});
afterAll(async () => {
  await t?.close();
});
beforeEach(async () => {
  clock = BEFORE;
  // One partner per test: the others are moved out of the way (paused partners get no rows).
  await t.c.db.updateTable('partners').set({ digestFrequency: 'paused' }).execute();
  await t.c.db.deleteFrom('digests').execute();
  for (const q of ['digest', 'digest-send'] as const) await t.c.queues.queue(q).obliterate({ force: true });
});

describe('the due moment (digest-period.ts)', () => {
  const london = { timezone: 'Europe/London', frequency: 'weekly' as const, day: 1, hour: 8 };
  it('is the first minute the partner wall clock reaches their day and hour, within the span', () => {
    expect(dueWithin(london, BEFORE, new Date(BEFORE.getTime() + 3_600_000))).toEqual({ period: '2027-W01', at: DUE });
    // Not within the span, or due already: nothing ahead.
    expect(dueWithin(london, new Date('2027-01-04T06:00:00Z'), new Date('2027-01-04T07:00:00Z'))).toBeNull();
    expect(dueWithin(london, new Date('2027-01-04T08:10:00Z'), new Date('2027-01-04T09:10:00Z'))).toBeNull();
  });
  it('follows the zone, half hours and DST included', () => {
    // Kolkata is UTC+05:30: 08:00 there is 02:30 UTC.
    const kolkata = { ...london, timezone: 'Asia/Kolkata' };
    expect(dueWithin(kolkata, new Date('2027-01-04T02:00:00Z'), new Date('2027-01-04T03:00:00Z'))?.at).toEqual(new Date('2027-01-04T02:30:00Z'));
    // 2027-03-28 is a Sunday: Berlin skips 02:00–03:00; a Sunday 02:00 digest is due at 03:00 CEST (01:00 UTC).
    const berlin = { timezone: 'Europe/Berlin', frequency: 'weekly' as const, day: 7, hour: 2 };
    expect(dueWithin(berlin, new Date('2027-03-28T00:30:00Z'), new Date('2027-03-28T01:30:00Z'))?.at).toEqual(new Date('2027-03-28T01:00:00Z'));
  });
});

describe('building ahead', () => {
  it('the tick builds the row of a partner due in 40 minutes now, and sends nothing until the due moment', async () => {
    const partnerId = await londonPartner('ahead', ['Azure Arc']);
    const digests = await service();
    expect((await digests.tick()).created).toBe(1);
    const row = await rowOf(partnerId);
    expect(row).toMatchObject({ status: 'pending', period: '2027-W01', sendAt: DUE });
    await runBuildJobs(digests);
    expect(await rowOf(partnerId)).toMatchObject({ status: 'ready' });
    expect(await itemsOf(row!.id)).toHaveLength(1);

    // The build queued the send, delayed until the due moment (40 minutes of the service's clock).
    const [job] = await sendJobs();
    expect(job?.data).toEqual({ digestIds: [row!.id] });
    expect(job?.opts.delay).toBe(40 * 60_000);

    // A send job arriving early does nothing: no claim, no attempt, no mail.
    clock = new Date(DUE.getTime() - 60_000);
    await digests.sendJob([row!.id]);
    expect(await digests.send(row!.id)).toBe('not-due');
    expect(await rowOf(partnerId)).toMatchObject({ status: 'ready', attempts: 0 });
    await settle();
    expect(digestMailsTo(t, 'ahead@partners.example')).toHaveLength(0);
    // … and the next tick, still before the moment, creates nothing more.
    expect((await digests.tick()).created).toBe(0);

    clock = DUE;
    await digests.sendJob([row!.id]);
    expect(await rowOf(partnerId)).toMatchObject({ status: 'sent', attempts: 1 });
    expect(digestMailsTo(t, 'ahead@partners.example')).toHaveLength(1);
  });

  it('starts partners due now and partners due within the hour in one tick, only the latter with a send moment', async () => {
    const later = await londonPartner('later', ['Azure Arc']);
    // Berlin is UTC+1 in January: at 07:20 UTC its 08:00 has passed.
    const now = await addPartner(t, 'now', ['Azure Arc'], { timezone: 'Europe/Berlin' });
    await t.c.db.updateTable('partners').set({ digestDay: 1, digestHour: 8, digestFrequency: 'weekly' }).where('id', '=', now).execute();
    const digests = await service();
    expect((await digests.tick()).created).toBe(2);
    expect(await rowOf(now)).toMatchObject({ period: '2027-W01', sendAt: null });
    expect(await rowOf(later)).toMatchObject({ period: '2027-W01', sendAt: DUE });
    await runBuildJobs(digests);
    // The one due now is queued to send at once, the other delayed until its moment.
    const jobs = await sendJobs();
    const delayOf = async (partnerId: string) => {
      const { id } = (await rowOf(partnerId))!;
      return jobs.find((j) => (j.data as { digestIds: string[] }).digestIds.includes(id))?.opts.delay ?? 0;
    };
    expect(await delayOf(now)).toBe(0);
    expect(await delayOf(later)).toBe(40 * 60_000);
  });

  it('builds nothing ahead with DIGEST_BUILD_AHEAD_MINUTES=0, and the configuration says 60 by default', async () => {
    const partnerId = await londonPartner('not-ahead', ['Azure Arc']);
    expect((await (await service(0)).tick()).created).toBe(0);
    expect(await rowOf(partnerId)).toBeUndefined();
    const base = { APP_SECRET: 'x'.repeat(32), ADMIN_TOKEN: 'y'.repeat(24) };
    expect(loadConfig(base).digestBuildAheadMinutes).toBe(60);
    expect(loadConfig({ ...base, DIGEST_BUILD_AHEAD_MINUTES: '0' }).digestBuildAheadMinutes).toBe(0);
    expect(() => loadConfig({ ...base, DIGEST_BUILD_AHEAD_MINUTES: '1441' })).toThrow(/DIGEST_BUILD_AHEAD_MINUTES/);
  });

  it('leaves out an opportunity withdrawn between build and send, and releases its item', async () => {
    const partnerId = await londonPartner('withdrawn-between', ['Azure Stack HCI']);
    const stays = await addOpportunity(t, 'Azure Stack HCI for a hospital', ['Azure Stack HCI'], { remote: true, regions: [] });
    const goes = await addOpportunity(t, 'Azure Stack HCI for a school board', ['Azure Stack HCI'], { remote: true, regions: [] });
    const digests = await service();
    await digests.tick();
    await runBuildJobs(digests);
    const row = (await rowOf(partnerId))!;
    expect((await itemsOf(row.id)).map((i) => i.opportunityId).sort()).toEqual([stays, goes].sort());
    // The opportunity on the first card goes, whichever it is.
    const first = (await itemsOf(row.id))[0]!.opportunityId;
    const kept = first === goes ? stays : goes;
    await t.c.opportunities.end(first, 'withdrawn');

    clock = DUE;
    expect(await digests.send(row.id)).toBe('sent');
    const [mail] = digestMailsTo(t, 'withdrawn-between@partners.example');
    const titles = await t.c.db.selectFrom('opportunities').select(['id', 'title']).where('id', 'in', [stays, goes]).execute();
    const titleOf = (id: string) => titles.find((o) => o.id === id)!.title;
    expect(mail!.raw).toContain(titleOf(kept));
    expect(mail!.raw).not.toContain(titleOf(first));
    // Card #1 of the mail is the item at position 0: a reply "interested #1" names the one sent.
    expect(await itemsOf(row.id)).toEqual([{ opportunityId: kept, position: 0 }]);
    expect(await digests.opportunityOnCard(row.id, 1)).toBe(kept);
  });

  it('sends nothing to a partner who unsubscribes between build and send, and blocks nothing for later', async () => {
    const partnerId = await londonPartner('leaves', ['Azure Arc']);
    const digests = await service();
    await digests.tick();
    await runBuildJobs(digests);
    const row = (await rowOf(partnerId))!;
    expect((await itemsOf(row.id)).length).toBeGreaterThan(0);
    await t.c.unsubscribe.unsubscribe('leaves@partners.example');

    clock = DUE;
    await digests.sendJob([row.id]);
    expect(await rowOf(partnerId)).toMatchObject({ status: 'skipped', lastError: 'partner is unsubscribed' });
    expect(await itemsOf(row.id)).toEqual([]);
    await settle();
    expect(digestMailsTo(t, 'leaves@partners.example')).toHaveLength(0);
  });

  it('sends nothing to a partner who pauses their digest between build and send', async () => {
    const partnerId = await londonPartner('pauses', ['Azure Arc']);
    const digests = await service();
    await digests.tick();
    await runBuildJobs(digests);
    const row = (await rowOf(partnerId))!;
    await t.c.unsubscribe.changeFrequency('pauses@partners.example', 'paused');

    clock = DUE;
    expect(await digests.send(row.id)).toBe('skipped');
    expect(await rowOf(partnerId)).toMatchObject({ status: 'skipped', lastError: 'partner paused their digests' });
    expect(await itemsOf(row.id)).toEqual([]);
    expect(digestMailsTo(t, 'pauses@partners.example')).toHaveLength(0);
  });

  it('a send job lost between build and send is recovered by the reconciler at the due moment, not before', async () => {
    const partnerId = await londonPartner('lost-job', ['Azure Arc']);
    const digests = await service();
    await digests.tick();
    await runBuildJobs(digests);
    const row = (await rowOf(partnerId))!;
    expect(row.status).toBe('ready');
    // Redis loses the delayed send job.
    await t.c.queues.queue('digest-send').obliterate({ force: true });
    expect(await sendJobs()).toHaveLength(0);

    // Before the moment the row is not stale, however long it has waited.
    clock = new Date(DUE.getTime() - 60_000);
    expect(await digests.reconcile(0)).toEqual({ builds: 0, sends: 0 });
    expect(await sendJobs()).toHaveLength(0);

    clock = DUE;
    expect(await digests.reconcile(0)).toEqual({ builds: 0, sends: 1 });
    const [job] = await sendJobs();
    expect(job?.data).toEqual({ digestIds: [row.id] });
    await digests.sendJob((job!.data as { digestIds: string[] }).digestIds);
    expect(await rowOf(partnerId)).toMatchObject({ status: 'sent' });
    expect(digestMailsTo(t, 'lost-job@partners.example')).toHaveLength(1);
  });

  it('counts the send window from the due moment, not from the build', async () => {
    const partnerId = await londonPartner('window', ['Azure Arc']);
    const digests = await service();
    await digests.tick();
    await runBuildJobs(digests);
    const row = (await rowOf(partnerId))!;
    // Built more than the window (24 h) before its moment: still inside the window at the moment.
    await t.c.db.updateTable('digests').set({ createdAt: new Date(Date.now() - 25 * 3_600_000) }).where('id', '=', row.id).execute();
    clock = DUE;
    expect(await digests.send(row.id)).toBe('sent');
  });

  it('`digest run` builds every row first, then sends', async () => {
    const partnerId = await londonPartner('run', ['Azure Arc']);
    const order: string[] = [];
    const digests = await service();
    const result = await digests.runRound({
      everyone: true,
      partnerId,
      onBuilt: () => order.push(`built, ${digestMailsTo(t, 'run@partners.example').length} sent`),
    });
    order.push(`done, ${digestMailsTo(t, 'run@partners.example').length} sent`);
    expect(order).toEqual(['built, 0 sent', 'done, 1 sent']);
    expect(result).toMatchObject({ created: 1, sent: 1, notDue: 0 });
  });
});

it('keeps the statements that release a digest’s items under review', async () => {
  const row = { id: '00000000-0000-4000-8000-000000000001', claimToken: '00000000-0000-4000-8000-0000000000cc' };
  await expect(await captureStatement((db) => finishUnsent(db, row, 'partner is unsubscribed'))).toMatchFileSnapshot('./__snapshots__/digest-finish-unsent.sql');
  await expect(await captureStatement((db) => keepOnlyItems(db, row, ['00000000-0000-4000-8000-0000000000bb']))).toMatchFileSnapshot(
    './__snapshots__/digest-keep-only-items.sql',
  );
});
