/**
 * An SMTP outage costs time, not mail. The server goes away mid-round (it says 421, then its port
 * refuses connections) for longer than the old retries lasted, with a reconciler pass every
 * 250 ms and no grace, so every row is tried again and again meanwhile; once the server is back,
 * every partner gets exactly one digest.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorker, type RunningRole } from '../../src/app/roles.ts';
import { REPO_ROOT } from '../support/cli-process.ts';
import { addOpportunity, addPartner, expectOneCopyEach } from '../support/digest-fixtures.ts';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.ts';
import { childEnv, createTestStack, eventually, type TestStack } from '../support/test-stack.ts';

const PARTNERS = 20;
// Nothing dies here, so the lease only needs to outlast a slow heartbeat on a busy test machine.
const ENV = { DIGEST_LEASE_SECONDS: '3', SMTP_PAUSE_MAX_SECONDS: '1', SMTP_CONNECTION_TIMEOUT_SECONDS: '2' };

let t: TestStack;
let proxy: TcpProxy;
let child: ChildProcess | undefined;
let worker: RunningRole | undefined;
let reconciling: NodeJS.Timeout | undefined;

beforeAll(async () => {
  proxy = await startTcpProxy();
  t = await createTestStack({ ...ENV, SMTP_URL: `smtp://127.0.0.1:${proxy.port}` }, { ackDelayMs: 100 });
  proxy.targetPort = Number(new URL(t.smtp.url).port);
  await addOpportunity(t, 'Entra ID clean-up', ['Entra ID'], { remote: true, regions: [] });
  for (let i = 0; i < PARTNERS; i++) await addPartner(t, `o${String(i).padStart(2, '0')}`, ['Entra ID']);
});

afterAll(async () => {
  clearInterval(reconciling);
  child?.kill('SIGKILL');
  await worker?.stop();
  await proxy?.close();
  await t?.close();
});

describe('an SMTP outage mid-round', () => {
  it('sends every partner exactly one digest once the server is back', { timeout: 120_000 }, async () => {
    child = spawn(process.execPath, ['bin/p2p-digest.mjs', 'start', '--role', 'worker'], {
      cwd: REPO_ROOT,
      env: childEnv(t, { ...ENV, SMTP_URL: `smtp://127.0.0.1:${proxy.port}`, LOG_LEVEL: 'warn' }),
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    worker = startWorker(t.c);
    reconciling = setInterval(() => void t.c.digests.reconcile(0).catch(() => undefined), 250);
    await t.c.digests.enqueueRound({ everyone: true });

    await eventually(async () => t.smtp.received.length >= 3, 30_000);
    // The server goes away: 421 to whatever is started now, and once the messages on the way
    // have had their "250", its port refuses connections. (Cutting a connection between the "250"
    // and the client's reading of it is the one case a second copy is allowed; not tested here.)
    t.smtp.options.unavailable = true;
    await t.smtp.quiesced();
    await new Promise((r) => setTimeout(r, 100));
    await proxy.cut();
    const during = t.smtp.received.length;
    await new Promise((r) => setTimeout(r, 12_000));
    expect(t.smtp.received.length).toBe(during);
    const waiting = await t.c.db.selectFrom('digests').select('status').execute();
    expect(waiting.filter((r) => r.status === 'failed')).toEqual([]);

    await proxy.restore();
    t.smtp.options.unavailable = false;
    await expectOneCopyEach(t, PARTNERS);
  });
});
