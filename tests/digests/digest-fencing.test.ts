/**
 * A slow SMTP server must not make a second copy of mail it already took. Leases are short here
 * (two seconds) and a reconciler pass runs every 200 ms with no grace, so any row whose lease ran
 * out is handed to the other worker at once: the worst case of issue 16's trials, made routine.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { startWorker, type RunningRole } from '../../src/app/roles.ts';
import { REPO_ROOT } from '../support/cli-process.ts';
import { addOpportunity, addPartner, expectOneCopyEach } from '../support/digest-fixtures.ts';
import { childEnv, createTestStack, type TestStack } from '../support/test-stack.ts';

let t: TestStack | undefined;
let child: ChildProcess | undefined;
let worker: RunningRole | undefined;
let reconciling: NodeJS.Timeout | undefined;

afterEach(async () => {
  clearInterval(reconciling);
  child?.kill('SIGKILL');
  if (child && child.exitCode === null) await new Promise((resolve) => child!.once('exit', resolve));
  await worker?.stop();
  await t?.close();
  [t, child, worker, reconciling] = [undefined, undefined, undefined, undefined];
});

/** A stack with `partners` matched partners, a worker process of its own and one in this process. */
async function twoWorkers(env: Record<string, string>, partners: number, ackDelayMs: number): Promise<TestStack> {
  const stack = await createTestStack(env, { ackDelayMs });
  t = stack;
  await addOpportunity(stack, 'AKS landing zone', ['AKS'], { remote: true, regions: [] });
  for (let i = 0; i < partners; i++) await addPartner(stack, `f${String(i).padStart(2, '0')}`, ['AKS']);
  child = spawn(process.execPath, ['bin/p2p-digest.mjs', 'start', '--role', 'worker'], {
    cwd: REPO_ROOT,
    env: childEnv(stack, { ...env, LOG_LEVEL: 'warn' }),
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  worker = startWorker(stack.c);
  reconciling = setInterval(() => void stack.c.digests.reconcile(0).catch(() => undefined), 200);
  return stack;
}

describe('two workers and a slow SMTP server', () => {
  it('sends every partner one copy when the server holds its "250" longer than the lease', { timeout: 120_000 }, async () => {
    const stack = await twoWorkers({ DIGEST_LEASE_SECONDS: '2' }, 6, 3_500);
    await stack.c.digests.enqueueRound({ everyone: true });
    await expectOneCopyEach(stack, 6);
  });

  it('sends every partner one copy when the SMTP rate makes a claimed batch outlast the lease', { timeout: 120_000 }, async () => {
    // 10 rows in one job at a message a second: ten seconds of sending against a two-second lease.
    const stack = await twoWorkers({ DIGEST_LEASE_SECONDS: '2', SMTP_RATE_PER_SECOND: '1' }, 10, 0);
    await stack.c.digests.enqueueRound({ everyone: true });
    await expectOneCopyEach(stack, 10);
  });
});

describe('the fence before SMTP', () => {
  it('sends no row whose lease ran out before its turn, and gives it back without counting an attempt', { timeout: 60_000 }, async () => {
    const stack = await createTestStack({ DIGEST_LEASE_SECONDS: '1' }, { ackDelayMs: 1_500 });
    t = stack;
    await addOpportunity(stack, 'Intune for a school', ['Intune'], { remote: true, regions: [] });
    const partners = [await addPartner(stack, 'first', ['Intune']), await addPartner(stack, 'second', ['Intune'])];
    const ids: string[] = [];
    for (const partnerId of partners) ids.push(...(await stack.c.digests.enqueueRound({ everyone: true, partnerId })));
    await stack.c.digests.buildMany(ids);

    // One claim takes both; the first holds the server for longer than the second's lease.
    const results = await stack.c.digests.sendMany(ids);
    // 'returned': given back to 'ready' by this claim itself (the send job queues it again at once).
    expect([...results.values()].map((r) => r.outcome).sort()).toEqual(['returned', 'sent']);
    const late = ids.find((id) => results.get(id)!.outcome === 'returned')!;
    const row = () => stack.c.db.selectFrom('digests').select(['status', 'attempts']).where('id', '=', late).executeTakeFirstOrThrow();
    expect(await row()).toEqual({ status: 'ready', attempts: 0 });
    expect(stack.smtp.received).toHaveLength(1);

    expect(await stack.c.digests.send(late)).toBe('sent');
    expect(await row()).toEqual({ status: 'sent', attempts: 1 });
    expect(stack.smtp.received).toHaveLength(2);
  });
});
