import { formatDay } from '../../src/platform/text/dates.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDigestService } from '../../src/digests/digest.service.ts';
import { digestSubject, loadDigestRenderer } from '../../src/digests/digest-render.ts';
import { upsertDigestTick } from '../../src/digests/digest-scheduler.ts';
import { addOpportunity, addPartner, digestMailsTo } from '../support/digest-fixtures.ts';
import { createTestStack, type TestStack } from '../support/test-stack.ts';

let t: TestStack;
const reject = new Set<string>();
const defer = new Set<string>();

const ledger = (partnerEmail: string) =>
  t.c.db
    .selectFrom('digests as d')
    .innerJoin('partners as p', 'p.id', 'd.partnerId')
    .select(['d.id', 'd.period', 'd.status', 'd.attempts', 'd.messageId', 'd.lastError'])
    .where('p.email', '=', partnerEmail)
    .orderBy('d.createdAt')
    .execute();

beforeAll(async () => {
  t = await createTestStack({}, { reject, defer });
  await addPartner(t, 'kube', ['AKS', 'Entra ID']);
  await addPartner(t, 'endpoint', ['Intune'], { regions: ['uk-ireland'], timezone: 'Europe/London' });
  await addPartner(t, 'idle', ['SAP on Azure']);
  await addPartner(t, 'leaver', ['AKS']);
  await t.c.unsubscribe.unsubscribe('leaver@partners.example');
  await addPartner(t, 'bounced', ['AKS']);
  await t.c.suppressions.suppress('bounced@partners.example', 'hard_bounce');
  await addOpportunity(t, 'AKS platform for a machine builder', ['kubernetes-on-azure', 'identity-access-management']);
  await addOpportunity(t, 'AKS security review', ['AKS'], { regions: [], remote: true, anonymous: true });
  await addOpportunity(t, 'Intune rollout for 400 laptops', ['Intune'], { regions: ['uk-ireland'] });
});

afterAll(async () => {
  await t?.close();
});

describe('a digest round', () => {
  it('sends each partner one digest with the opportunities that fit them, best first', async () => {
    const result = await t.c.digests.runRound({ everyone: true });
    expect(result).toMatchObject({ sent: 2, skipped: 1, failed: 0 });

    const [kubeMail, ...more] = digestMailsTo(t, 'kube@partners.example');
    expect(more).toHaveLength(0);
    const text = kubeMail!.parsed.text ?? '';
    // The subject names the best card (the first), then how many more.
    const best = /^1\. (.+)$/m.exec(text)?.[1];
    expect(best).toMatch(/^AKS /);
    expect(kubeMail!.parsed.subject).toBe(`${best} + 1 more for your Azure and Security skills`);
    // Each card says until when the opportunity takes interest: its closing day, as people write dates.
    const { expiresAt } = await t.c.db.selectFrom('opportunities').select('expiresAt').where('title', '=', best!).executeTakeFirstOrThrow();
    const closing = formatDay(expiresAt);
    expect(closing).toMatch(/^\d{1,2} [A-Z][a-z]{2} \d{4}$/);
    expect(text).toMatch(new RegExp(`^Open until: +${closing}$`, 'm')); // the card body at the left margin
    expect(kubeMail!.parsed.html).toMatch(new RegExp(`>Open until</td><td[^>]*>${closing}</td>`));
    expect(text).toContain('1. AKS');
    expect(text).toContain('2. AKS');
    expect(text).not.toContain('Intune rollout');
    // Best first: the cards follow the stored items, whose scores never rise.
    const [row] = await ledger('kube@partners.example');
    const items = await t.c.db.selectFrom('digestItems').select(['position', 'score']).where('digestId', '=', row!.id).orderBy('position').execute();
    expect(items.map((i) => i.score)).toEqual([...items.map((i) => i.score)].sort((a, b) => b - a));
    expect(text).toContain('Submitter GmbH'); // the named opportunity's submitter; the other is anonymous
    expect(text.match(/Submitter GmbH/g)).toHaveLength(1);
    expect(kubeMail!.parsed.html).toContain('AKS security review');

    const endpointMail = digestMailsTo(t, 'endpoint@partners.example');
    expect(endpointMail).toHaveLength(1);
    expect(endpointMail[0]!.parsed.subject).toBe('Intune rollout for 400 laptops for your Modern Work skills');

    // Nothing fits "idle": a row, skipped, no email. Unsubscribed and suppressed partners get nothing at all.
    expect((await ledger('idle@partners.example')).map((r) => r.status)).toEqual(['skipped']);
    expect(digestMailsTo(t, 'idle@partners.example')).toHaveLength(0);
    expect(await ledger('leaver@partners.example')).toEqual([]);
    expect(await ledger('bounced@partners.example')).toEqual([]);
    expect(t.smtp.received.filter((m) => /leaver@|bounced@/.test(m.envelope.to.join()))).toHaveLength(0);
  });

  it('carries the headers mail providers need, a plain-text part and a deterministic Message-ID', async () => {
    const [mail] = digestMailsTo(t, 'kube@partners.example');
    const [row] = await ledger('kube@partners.example');
    expect(row).toMatchObject({ status: 'sent', attempts: 1, messageId: `<digest.${row!.id}@p2p.test>` });
    expect(mail!.raw).toMatch(new RegExp(`^Message-ID: <digest\\.${row!.id}@p2p\\.test>`, 'm'));
    expect(mail!.raw).toMatch(/^List-Unsubscribe:\s+<http:\/\/p2p\.test\/u\/[\w.-]+>,\s+<mailto:unsubscribe@localhost\?subject=unsubscribe>/m);
    expect(mail!.raw).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r?$/m);
    expect(mail!.raw).toMatch(/^List-Id: p2p-digest opportunities <opportunities\.p2p\.test>\r?$/im);
    expect(mail!.raw).toMatch(/^Auto-Submitted: auto-generated\r?$/m);
    expect(mail!.parsed.text).toMatch(/http:\/\/p2p\.test\/i\/[\w.-]+/);
    expect(mail!.parsed.text).toMatch(/http:\/\/p2p\.test\/p\/[\w.-]+/);
    expect(mail!.parsed.html).toContain('http://p2p.test/n/');
  });

  it('sends nothing the second time for the same period', async () => {
    const before = t.smtp.received.length;
    const result = await t.c.digests.runRound({ everyone: true });
    expect(result).toMatchObject({ created: 0, sent: 0, failed: 0, alreadyDone: 3 });
    expect(t.smtp.received.length).toBe(before);
  });

  it('never repeats an opportunity in a later period: only what is new', async () => {
    await addOpportunity(t, 'Second AKS cluster for the same customer', ['AKS']);
    const result = await t.c.digests.runRound({ everyone: true, period: '2099-W01' });
    expect(result.sent).toBe(1);
    const mails = digestMailsTo(t, 'kube@partners.example');
    expect(mails).toHaveLength(2);
    expect(mails[1]!.parsed.subject).toBe('Second AKS cluster for the same customer for your Azure skills');
    expect(mails[1]!.parsed.text).toContain('Second AKS cluster');
    expect(mails[1]!.parsed.text).not.toContain('AKS platform for a machine builder');
  });

  it('handles the same send twice at once as one email', async () => {
    const partnerId = await addPartner(t, 'twice', ['AKS']);
    await t.c.digests.runRound({ everyone: true, partnerId, period: '2099-W02' }).catch(() => undefined);
    // Now a new row, built but not yet sent: two send jobs race for it.
    await addOpportunity(t, 'Third AKS job', ['AKS']);
    const [id] = await t.c.digests.enqueueRound({ everyone: true, partnerId, period: '2099-W03' });
    expect(await t.c.digests.build(id!)).toBe('ready');
    const outcomes = await Promise.all([t.c.digests.send(id!), t.c.digests.send(id!), t.c.digests.send(id!)]);
    expect(outcomes.filter((o) => o === 'sent')).toHaveLength(1);
    expect(await t.c.digests.send(id!)).toBe('done-before');
    expect(await t.c.digests.build(id!)).toBe('done-before');
    const copies = t.smtp.received.filter((m) => m.raw.includes(`<digest.${id}@p2p.test>`));
    expect(copies).toHaveLength(1);
  });

  it('leaves out an opportunity closed after the digest was built, and skips a digest left empty', async () => {
    const partnerId = await addPartner(t, 'late', ['Power BI']);
    const closing = await addOpportunity(t, 'Power BI dashboards, soon filled', ['Power BI']);
    const [id] = await t.c.digests.enqueueRound({ everyone: true, partnerId });
    expect(await t.c.digests.build(id!)).toBe('ready');
    await t.c.opportunities.end(closing, 'closed');
    expect(await t.c.digests.send(id!)).toBe('skipped');
    expect(digestMailsTo(t, 'late@partners.example')).toHaveLength(0);
  });
});

describe('when the SMTP server says no', () => {
  it('fails the row and suppresses the address on a permanent 5xx, without retrying', async () => {
    const partnerId = await addPartner(t, 'gone', ['AKS']);
    reject.add('gone@partners.example');
    const [id] = await t.c.digests.enqueueRound({ everyone: true, partnerId });
    await t.c.digests.build(id!);
    expect(await t.c.digests.send(id!)).toBe('failed');
    const [row] = await ledger('gone@partners.example');
    expect(row).toMatchObject({ status: 'failed', attempts: 1 });
    expect(row!.lastError).toMatch(/550/);
    const suppressed = await t.c.db.selectFrom('suppressions').selectAll().where('email', '=', 'gone@partners.example').execute();
    expect(suppressed).toMatchObject([{ reason: 'hard_bounce' }]);
    expect(await t.c.digests.send(id!)).toBe('done-before');
  });

  it('releases the row on a temporary 4xx so a retry sends it, with the same Message-ID', async () => {
    const partnerId = await addPartner(t, 'greylisted', ['AKS']);
    defer.add('greylisted@partners.example');
    const [id] = await t.c.digests.enqueueRound({ everyone: true, partnerId });
    await t.c.digests.build(id!);
    await expect(t.c.digests.send(id!)).rejects.toThrow(/451/);
    expect(await ledger('greylisted@partners.example')).toMatchObject([{ status: 'ready', attempts: 1 }]);
    defer.delete('greylisted@partners.example');
    expect(await t.c.digests.send(id!)).toBe('sent');
    expect(await ledger('greylisted@partners.example')).toMatchObject([{ status: 'sent', attempts: 2, messageId: `<digest.${id}@p2p.test>` }]);
    expect(digestMailsTo(t, 'greylisted@partners.example')).toHaveLength(1);
  });
});

describe('the hourly tick', () => {
  it('creates rows only for partners whose local send time has come, once', async () => {
    // Monday 2026-11-23 07:30 UTC: 08:30 in Berlin (due), 07:30 in London (not yet).
    const at = new Date('2026-11-23T07:30:00Z');
    const digests = createDigestService({
      ...t.c,
      renderer: await loadDigestRenderer(),
      subjectFor: digestSubject,
      settings: { mailDomain: 'p2p.test', unsubscribeMailto: 'u@p2p.test', operator: 'x', leaseSeconds: 60, maxSendAttempts: 3 },
      now: () => at,
    });
    await t.c.db.deleteFrom('digests').execute();
    const first = await digests.tick();
    const rows = await t.c.db
      .selectFrom('digests as d')
      .innerJoin('partners as p', 'p.id', 'd.partnerId')
      .select(['p.timezone', 'd.period', 'd.status'])
      .execute();
    expect(rows.length).toBe(first.created);
    expect(rows.every((r) => r.timezone === 'Europe/Berlin' && r.period === '2026-W48' && r.status === 'pending')).toBe(true);
    expect(rows.length).toBeGreaterThan(0);
    const ids = (await t.c.db.selectFrom('digests').select('id').execute()).map((r) => r.id);
    const waiting = await t.c.queues.queue('digest').getJobs(['waiting']);
    const queued = waiting
      .filter((j) => j.name === 'digest-build')
      .flatMap((j) => (j.data as { digestIds: string[] }).digestIds)
      .filter((id) => ids.includes(id));
    // Every new row is in exactly one build job.
    expect(queued.sort()).toEqual([...ids].sort());
    expect((await digests.tick()).created).toBe(0);
  });

  it('is one BullMQ job scheduler however often it is upserted', async () => {
    await upsertDigestTick(t.c.queues);
    await upsertDigestTick(t.c.queues);
    const schedulers = await t.c.queues.queue('digest').getJobSchedulers();
    expect(schedulers).toHaveLength(1);
    expect(schedulers[0]).toMatchObject({ key: 'digest-tick-hourly', pattern: '0 * * * *' });
  });
});

describe('batches of rows', () => {
  it('builds two rows of one partner in one batch without giving an opportunity to both', async () => {
    const partnerId = await addPartner(t, 'double', ['Azure Virtual Desktop']);
    await addOpportunity(t, 'AVD for a law firm', ['Azure Virtual Desktop']);
    await addOpportunity(t, 'AVD for a school', ['Azure Virtual Desktop']);
    const ids = [
      ...(await t.c.digests.enqueueRound({ everyone: true, partnerId, period: '2099-W10' })),
      ...(await t.c.digests.enqueueRound({ everyone: true, partnerId, period: '2099-W11' })),
    ];
    expect(ids).toHaveLength(2);
    const built = await t.c.digests.buildMany(ids);
    expect(built.size).toBe(2);
    const items = await t.c.db.selectFrom('digestItems').select(['digestId', 'opportunityId']).where('partnerId', '=', partnerId).execute();
    expect(items).toHaveLength(2);
    expect(new Set(items.map((i) => i.opportunityId)).size).toBe(2);
    // Built rows are not built again, in a batch or alone.
    expect((await t.c.digests.buildMany(ids)).size).toBe(0);
    expect(await t.c.digests.build(ids[0]!)).toBe('done-before');
  });

  it('sends the rest of a batch when one address is deferred, and retries that one as a job of its own', async () => {
    const deferred = await addPartner(t, 'batch-deferred', ['Microsoft Sentinel']);
    const fine = await addPartner(t, 'batch-fine', ['Microsoft Sentinel']);
    await addOpportunity(t, 'Sentinel onboarding for a retailer', ['Microsoft Sentinel']);
    defer.add('batch-deferred@partners.example');
    const ids = [
      ...(await t.c.digests.enqueueRound({ everyone: true, partnerId: deferred, period: '2099-W20' })),
      ...(await t.c.digests.enqueueRound({ everyone: true, partnerId: fine, period: '2099-W20' })),
    ];
    await t.c.digests.buildMany(ids);
    await t.c.digests.sendJob(ids, 60_000); // resolves: one address's 4xx does not fail the batch
    expect(digestMailsTo(t, 'batch-fine@partners.example')).toHaveLength(1);
    expect(await ledger('batch-deferred@partners.example')).toMatchObject([{ status: 'ready', attempts: 1 }]);
    const delayed = await t.c.queues.queue('digest-send').getJobs(['delayed']);
    const retries = delayed.filter((j) => (j.data as { digestIds: string[] }).digestIds.includes(ids[0]!));
    expect(retries.map((j) => j.data as unknown)).toEqual([{ digestIds: [ids[0]] }]);
    await Promise.all(retries.map((j) => j.remove()));

    // A lone digest's 4xx fails its job, for BullMQ's backoff.
    await expect(t.c.digests.sendJob([ids[0]!])).rejects.toThrow(/451/);
    defer.delete('batch-deferred@partners.example');
    await t.c.digests.sendJob([ids[0]!]);
    expect(digestMailsTo(t, 'batch-deferred@partners.example')).toHaveLength(1);
    expect(digestMailsTo(t, 'batch-fine@partners.example')).toHaveLength(1);
  });

  it('says per row why a batch could not send it', async () => {
    const partnerId = await addPartner(t, 'batch-mixed', ['Microsoft Purview']);
    await addOpportunity(t, 'Purview labelling rollout', ['Microsoft Purview']);
    const [pending] = await t.c.digests.enqueueRound({ everyone: true, partnerId, period: '2099-W30' });
    const [built] = await t.c.digests.enqueueRound({ everyone: true, partnerId, period: '2099-W31' });
    await t.c.digests.buildMany([built!]);
    await t.c.digests.sendMany([built!]);
    const results = await t.c.digests.sendMany([pending!, built!, '00000000-0000-4000-8000-000000000000']);
    expect([...results.values()].map((r) => r.outcome)).toEqual(['not-built', 'done-before', 'done-before']);
  });

  it('re-enqueues a stale row once per grace period, not at every pass of the reconciler', async () => {
    const partnerId = await addPartner(t, 'stale', ['Intune']);
    const [id] = await t.c.digests.enqueueRound({ everyone: true, partnerId, period: '2099-W40' });
    await t.c.db.updateTable('digests').set({ updatedAt: new Date(Date.now() - 3_600_000) }).where('id', '=', id!).execute();
    const first = await t.c.digests.reconcile(600);
    expect(first.builds).toBeGreaterThanOrEqual(1);
    const queued = async () =>
      (await t.c.queues.queue('digest').getJobs(['waiting'])).filter((j) => (j.data as { digestIds?: string[] }).digestIds?.includes(id!));
    const before = (await queued()).length;
    expect(before).toBeGreaterThanOrEqual(2); // the round's own job and the reconciler's
    await t.c.digests.reconcile(600);
    expect((await queued()).length).toBe(before);
  });
});
