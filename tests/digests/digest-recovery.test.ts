/**
 * Exactly one digest per partner and period, even when the process sending them dies or Redis
 * loses every job mid-round. Postgres (the ledger) is the truth; the reconciler rebuilds the work.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorker, type RunningRole } from '../../src/app/roles.ts';
import { addOpportunity, addPartner } from '../support/digest-fixtures.ts';
import { childEnv, createTestStack, deleteKeys, eventually, type TestStack } from '../support/test-stack.ts';
import { REPO_ROOT } from '../support/cli-process.ts';

const PARTNERS = 24;

let t: TestStack;
let child: ChildProcess | undefined;
let worker: RunningRole | undefined;

/** The ledger of this file's round, by status. */
async function statuses(): Promise<Record<string, number>> {
  const rows = await t.c.db.selectFrom('digests').select(['status']).execute();
  return rows.reduce<Record<string, number>>((acc, r) => ({ ...acc, [r.status]: (acc[r.status] ?? 0) + 1 }), {});
}

/** Every digest message the sink accepted, grouped by recipient. */
function copiesByRecipient(): Map<string, string[]> {
  const byRecipient = new Map<string, string[]>();
  for (const mail of t.smtp.received) {
    const id = mail.raw.match(/^Message-ID: (<digest\.[^>]+>)/im)?.[1];
    if (!id) continue;
    for (const to of mail.envelope.to) byRecipient.set(to, [...(byRecipient.get(to) ?? []), id]);
  }
  return byRecipient;
}

async function expectExactlyOneDigestEach(): Promise<void> {
  const rows = await t.c.db
    .selectFrom('digests as d')
    .innerJoin('partners as p', 'p.id', 'd.partnerId')
    .select(['p.email', 'd.status', 'd.messageId'])
    .execute();
  expect(rows).toHaveLength(PARTNERS);
  expect(rows.every((r) => r.status === 'sent')).toBe(true);
  const copies = copiesByRecipient();
  expect(copies.size).toBe(PARTNERS);
  for (const row of rows) {
    const ids = copies.get(row.email) ?? [];
    // A partner may see a resend only when the process died between the server's "250 OK" and the
    // ledger's commit; then it carries the same Message-ID, which mail clients fold into one.
    expect(new Set(ids)).toEqual(new Set([row.messageId]));
  }
}

beforeAll(async () => {
  // Replies come slowly and leases are short, so a process can die mid-send and others take over quickly.
  t = await createTestStack({ DIGEST_LEASE_SECONDS: '2' }, { ackDelayMs: 150 });
  await addOpportunity(t, 'AKS landing zone', ['AKS'], { remote: true, regions: [] });
  for (let i = 0; i < PARTNERS; i++) await addPartner(t, `p${String(i).padStart(2, '0')}`, ['AKS']);
});

afterAll(async () => {
  child?.kill('SIGKILL');
  await worker?.stop();
  await t?.close();
});

describe('a round that is interrupted', () => {
  it('resumes after the sending process is killed with SIGKILL, and no partner is missed or sent two digests', { timeout: 90_000 }, async () => {
    await t.c.digests.enqueueRound({ everyone: true });
    // A real worker process, as `p2p-digest start --role worker` runs in production.
    child = spawn(process.execPath, ['bin/p2p-digest.mjs', 'start', '--role', 'worker'], {
      cwd: REPO_ROOT,
      env: childEnv(t, { DIGEST_LEASE_SECONDS: '2', LOG_LEVEL: 'warn' }),
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    // Kill it while it is in the middle of the round: some sent, some in flight, some not started.
    await eventually(async () => t.smtp.received.length >= 4, 20_000);
    child.kill('SIGKILL');
    await new Promise((resolve) => child!.once('exit', resolve));
    const interrupted = await statuses();
    expect(interrupted.sent ?? 0).toBeLessThan(PARTNERS);

    // Another worker takes over; the reconciler hands it what the dead one left.
    worker = startWorker(t.c);
    await new Promise((r) => setTimeout(r, 2_100)); // the dead worker's leases expire
    await eventually(async () => {
      await t.c.digests.reconcile(0);
      return (await statuses()).sent === PARTNERS;
    }, 30_000);
    await expectExactlyOneDigestEach();
  });

  it('resumes after Redis loses every job mid-round', async () => {
    await worker?.stop();
    worker = undefined;
    await addOpportunity(t, 'AKS upgrade, second round', ['AKS'], { remote: true, regions: [] });
    const before = t.smtp.received.length;
    const ids = await t.c.digests.enqueueRound({ everyone: true, period: '2099-W10' });
    expect(ids).toHaveLength(PARTNERS);

    worker = startWorker(t.c);
    await eventually(async () => t.smtp.received.length >= before + 3, 20_000);
    await worker.stop(); // lets the jobs in hand finish
    worker = undefined;
    await deleteKeys(t.c.redis, t.config.queuePrefix);

    worker = startWorker(t.c);
    await eventually(async () => {
      await t.c.digests.reconcile(0);
      const rows = await t.c.db.selectFrom('digests').select('status').where('period', '=', '2099-W10').execute();
      return rows.every((r) => r.status === 'sent');
    }, 30_000);
    const second = t.smtp.received.slice(before).filter((m) => ids.some((id) => m.raw.includes(`<digest.${id}@`)));
    const recipients = second.map((m) => m.envelope.to[0]);
    expect(new Set(recipients).size).toBe(PARTNERS);
    expect(recipients).toHaveLength(PARTNERS); // nothing twice: the worker stopped cleanly, no resend was needed
  });
});
