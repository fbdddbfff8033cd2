/**
 * The digest ledger's exactly-once promise holds for alerts: a worker process killed with SIGKILL
 * in the middle of sending an urgent opportunity's alerts leaves rows that another worker finishes,
 * and no partner gets two alerts (a resend after a "250" the ledger never recorded carries the same
 * Message-ID, as for digests). An urgent-alert job lost with Redis is found again from Postgres.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorker, type RunningRole } from '../../src/app/roles.ts';
import { addOpportunity, addPartner } from '../support/digest-fixtures.ts';
import { REPO_ROOT } from '../support/cli-process.ts';
import { childEnv, createTestStack, deleteKeys, eventually, type TestStack } from '../support/test-stack.ts';

const PARTNERS = 16;
const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

let t: TestStack;
let child: ChildProcess | undefined;
let worker: RunningRole | undefined;

/** The alert rows of one opportunity, with their partner's address. */
const alertRows = (opportunityId: string) =>
  t.c.db
    .selectFrom('digests as d')
    .innerJoin('partners as p', 'p.id', 'd.partnerId')
    .select(['p.email', 'd.status', 'd.messageId', 'd.kind'])
    .where('d.period', '=', `alert:${opportunityId}`)
    .execute();

/** Alert messages the sink accepted for this opportunity's rows, by recipient (their Message-IDs). */
function copiesByRecipient(messageIds: Set<string>): Map<string, string[]> {
  const byRecipient = new Map<string, string[]>();
  for (const mail of t.smtp.received) {
    const id = mail.raw.match(/^Message-ID: (<digest\.[^>]+>)/im)?.[1];
    if (!id || !messageIds.has(id)) continue;
    for (const to of mail.envelope.to) byRecipient.set(to, [...(byRecipient.get(to) ?? []), id]);
  }
  return byRecipient;
}

async function expectOneAlertEach(opportunityId: string): Promise<void> {
  const rows = await alertRows(opportunityId);
  expect(rows).toHaveLength(PARTNERS);
  expect(rows.every((r) => r.status === 'sent' && r.kind === 'alert')).toBe(true);
  const copies = copiesByRecipient(new Set(rows.map((r) => r.messageId!)));
  expect(copies.size).toBe(PARTNERS);
  for (const row of rows) expect(new Set(copies.get(row.email))).toEqual(new Set([row.messageId]));
  // And the ledger carried the opportunity once per partner.
  const items = await t.c.db.selectFrom('digestItems').select('partnerId').where('opportunityId', '=', opportunityId).execute();
  expect(items).toHaveLength(PARTNERS);
}

beforeAll(async () => {
  // Slow "250"s and short leases: a process dies mid-send and another takes over quickly.
  t = await createTestStack({ DIGEST_LEASE_SECONDS: '2', URGENT_QUIET_HOURS: 'off', URGENT_ALERTS_PER_DAY: '5' }, { ackDelayMs: 150 });
  for (let i = 0; i < PARTNERS; i++) await addPartner(t, `a${String(i).padStart(2, '0')}`, ['AKS'], { urgentDelivery: 'alert' });
});

afterAll(async () => {
  child?.kill('SIGKILL');
  await worker?.stop();
  await t?.close();
});

describe('alerts that are interrupted', () => {
  it('are finished by another worker after the sending process is killed with SIGKILL, one alert each', { timeout: 90_000 }, async () => {
    const opportunityId = await addOpportunity(t, 'AKS cluster rescue before go-live', ['AKS'], { urgent: true, startDate: inDays(6), remote: true, regions: [] });
    // What the match job queues once an urgent opportunity is matched.
    await t.c.queues.enqueue('urgent-alert', { opportunityId }, `urgent-alert-${opportunityId}`);
    child = spawn(process.execPath, ['bin/p2p-digest.mjs', 'start', '--role', 'worker'], {
      cwd: REPO_ROOT,
      env: childEnv(t, { DIGEST_LEASE_SECONDS: '2', URGENT_QUIET_HOURS: 'off', URGENT_ALERTS_PER_DAY: '5', LOG_LEVEL: 'warn' }),
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    await eventually(async () => t.smtp.received.length >= 3, 20_000);
    child.kill('SIGKILL');
    await new Promise((resolve) => child!.once('exit', resolve));
    const interrupted = await alertRows(opportunityId);
    expect(interrupted.filter((r) => r.status === 'sent').length).toBeLessThan(PARTNERS);

    worker = startWorker(t.c);
    await new Promise((r) => setTimeout(r, 2_100)); // the dead worker's leases expire
    await eventually(async () => {
      await t.c.digests.reconcile(0);
      await t.c.digests.startUrgent(); // the reconciler's urgent pass: creates nothing twice
      return (await alertRows(opportunityId)).every((r) => r.status === 'sent');
    }, 30_000);
    await expectOneAlertEach(opportunityId);
  });

  it('are found again from Postgres when Redis loses the urgent-alert job', { timeout: 60_000 }, async () => {
    await worker?.stop();
    worker = undefined;
    const opportunityId = await addOpportunity(t, 'AKS security review before an audit', ['AKS'], { urgent: true, startDate: inDays(4), remote: true, regions: [] });
    await t.c.queues.enqueue('urgent-alert', { opportunityId }, `urgent-alert-${opportunityId}`);
    await deleteKeys(t.c.redis, t.config.queuePrefix);
    expect(await alertRows(opportunityId)).toEqual([]);

    worker = startWorker(t.c);
    await t.c.digests.startUrgent();
    await eventually(async () => {
      const rows = await alertRows(opportunityId);
      return rows.length === PARTNERS && rows.every((r) => r.status === 'sent');
    }, 30_000);
    await expectOneAlertEach(opportunityId);
  });
});
