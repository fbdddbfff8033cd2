/**
 * Losing Postgres under running roles (and not having it at start): a real `p2p-digest start` process (api, worker and
 * scheduler) reaches Postgres through a TCP proxy the test cuts, after its connections were
 * terminated the way a Postgres restart ends them. The process must not exit, readiness must say
 * 503 while Postgres is away and 200 once it is back, and the round must finish.
 */
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { spawnService, startService, type ServiceProcess } from '../support/cli-process.ts';
import { addOpportunity, addPartner, deliveriesOf, roundDelivered } from '../support/digest-fixtures.ts';
import { freePort } from '../support/link-scanner.ts';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.ts';
import { TEST_SERVER_URL } from '../support/test-databases.ts';
import { createTestStack, eventually, type TestStack } from '../support/test-stack.ts';

const PARTNERS = 30;
const PERIOD = '2099-W20';
/** Marks the service's own connections, so the test terminates those and no others. */
const APPLICATION_NAME = 'p2p-outage-service';

let t: TestStack;
let proxy: TcpProxy;
let service: ServiceProcess | undefined;

beforeAll(async () => {
  // Slow answers from SMTP keep the round going long enough to lose Postgres in the middle of it.
  // Every partner gets the round's opportunity: no cap below the 30 partners (fair exposure has tests of its own).
  t = await createTestStack({ MAX_REACH_PER_ROUND: String(PARTNERS) }, { ackDelayMs: 100 });
  await addOpportunity(t, 'Sentinel rollout', ['Microsoft Sentinel'], { remote: true, regions: [] });
  for (let i = 0; i < PARTNERS; i++) await addPartner(t, `pg${String(i).padStart(2, '0')}`, ['Microsoft Sentinel']);
  const target = new URL(t.config.databaseUrl);
  proxy = await startTcpProxy(Number(target.port || 5432));
});

afterAll(async () => {
  await service?.stop();
  await proxy?.close();
  await t?.close();
});

/** Terminates the service's connections to its database, as `pg_ctl restart` would. */
async function terminateServiceConnections(): Promise<number> {
  const admin = new pg.Client({ connectionString: TEST_SERVER_URL });
  await admin.connect();
  try {
    const result = await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND application_name = $2', [
      new URL(t.config.databaseUrl).pathname.slice(1),
      APPLICATION_NAME,
    ]);
    return result.rowCount ?? 0;
  } finally {
    await admin.end();
  }
}

async function readiness(port: number): Promise<{ status: number; body: { postgres?: string; redis?: string } }> {
  const res = await fetch(`http://127.0.0.1:${port}/readyz`);
  return { status: res.status, body: (await res.json()) as { postgres?: string; redis?: string } };
}

/** The service's DATABASE_URL: through the proxy, with an application name of its own. */
function serviceDatabaseUrl(): string {
  const viaProxy = new URL(t.config.databaseUrl);
  viaProxy.port = String(proxy.port);
  viaProxy.searchParams.set('application_name', APPLICATION_NAME);
  return viaProxy.toString();
}

it('waits for Postgres at start instead of exiting', { timeout: 60_000 }, async () => {
  await proxy.cut();
  const waiting = spawnService(t, 'worker', { DATABASE_URL: serviceDatabaseUrl() });
  try {
    await eventually(async () => waiting.output().some((line) => line.includes('postgres is unreachable; waiting for it')), 30_000);
    expect(waiting.alive()).toBe(true);
    await proxy.restore();
    await waiting.started();
  } finally {
    await proxy.restore();
    await waiting.stop();
  }
});

it('keeps every role running through a Postgres outage, answers 503 meanwhile, and finishes the round', { timeout: 120_000 }, async () => {
  const port = await freePort();
  service = await startService(t, 'api,worker,scheduler', {
    DATABASE_URL: serviceDatabaseUrl(),
    PORT: String(port),
    HOST: '127.0.0.1',
    DIGEST_LEASE_SECONDS: '3',
    RECONCILE_INTERVAL_SECONDS: '2',
  });
  expect((await readiness(port)).status).toBe(200);

  await t.c.digests.enqueueRound({ everyone: true, period: PERIOD });
  await eventually(async () => t.smtp.received.length >= 3, 30_000);

  // Postgres restarts: every connection the service holds, idle or busy, is terminated…
  expect(await terminateServiceConnections()).toBeGreaterThan(0);
  // …and stays away for a few seconds.
  await proxy.cut();
  const during = await readiness(port);
  expect(during).toEqual({ status: 503, body: { status: 'unavailable', postgres: 'unreachable', redis: 'ok' } });
  // An API request meanwhile is told to come back, not that the service is broken.
  const request = await fetch(`http://127.0.0.1:${port}/api/partners`, { headers: t.adminHeaders });
  expect(request.status).toBe(503);
  expect(request.headers.get('retry-after')).toBe('30');
  expect(await request.json()).toMatchObject({ error: { code: 'unavailable' } });
  await new Promise((r) => setTimeout(r, 3_000));
  expect(service.alive()).toBe(true);
  await proxy.restore();

  await eventually(async () => (await readiness(port)).status === 200, 20_000);
  await eventually(() => roundDelivered(t, PERIOD, PARTNERS), 60_000);
  expect(service.alive()).toBe(true);
  expect(service.output().some((line) => line.includes('postgres connection lost'))).toBe(true);
  const deliveries = await deliveriesOf(t, PERIOD);
  expect(deliveries).toHaveLength(PARTNERS);
  expect(deliveries.every((d) => d.status === 'sent' && d.copies >= 1)).toBe(true);
});
