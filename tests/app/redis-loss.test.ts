/**
 * Losing Redis mid-round: a real `p2p-digest start` process (api, worker and scheduler) against a
 * redis-server of this test's own, which the test empties (FLUSHALL) and then kills and restarts
 * empty, while a few digests of the round wait for their retry in Redis. Those jobs are gone each
 * time; Postgres still knows which rows are unfinished. The
 * process must stay up, readiness must say 503 while Redis is away, and the round must finish
 * within one reconciler interval of the loss, not after the reconciler's grace periods.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startService, type ServiceProcess } from '../support/cli-process.ts';
import { addOpportunity, addPartner, deliveriesOf, roundDelivered } from '../support/digest-fixtures.ts';
import { freePort } from '../support/link-scanner.ts';
import { startPrivateRedis, type PrivateRedis } from '../support/private-redis.ts';
import { createTestStack, eventually, type TestStack } from '../support/test-stack.ts';

const PARTNERS = 30;
/** Longer than a round takes here, and far shorter than the reconciler's grace periods (one and two minutes). */
const RECONCILE_INTERVAL_SECONDS = 30;

let redis: PrivateRedis;
let t: TestStack;
let service: ServiceProcess;
let port: number;

beforeAll(async () => {
  redis = await startPrivateRedis();
  // Every partner gets the round's opportunity: no cap below the 30 partners (fair exposure has tests of its own).
  t = await createTestStack({ REDIS_URL: redis.url, MAX_REACH_PER_ROUND: String(PARTNERS) });
  for (let i = 0; i < PARTNERS; i++) await addPartner(t, `rd${String(i).padStart(2, '0')}`, ['Microsoft Purview']);
  port = await freePort();
  service = await startService(t, 'api,worker,scheduler', {
    REDIS_URL: redis.url,
    PORT: String(port),
    HOST: '127.0.0.1',
    RECONCILE_INTERVAL_SECONDS: String(RECONCILE_INTERVAL_SECONDS),
  });
});

afterAll(async () => {
  await service?.stop();
  await t?.close();
  await redis?.close();
});

async function readiness(): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`http://127.0.0.1:${port}/readyz`);
  return { status: res.status, body: await res.json() };
}

/** Partners whose mailbox answers 451 "try again later" until the test lifts it. */
const DEFERRED = ['rd03', 'rd11', 'rd17', 'rd24', 'rd29'].map((key) => `${key}@partners.example`);

/**
 * A new opportunity and a round for it, stopped where a real round often is: most digests sent,
 * a few deferred by the receiving server and waiting in Redis, as delayed jobs, for their retry.
 */
async function roundWaitingForRetries(period: string): Promise<void> {
  await addOpportunity(t, `Purview labels, ${period}`, ['Microsoft Purview'], { remote: true, regions: [] });
  t.smtp.options.defer = new Set(DEFERRED);
  expect(await t.c.digests.enqueueRound({ everyone: true, period })).toHaveLength(PARTNERS);
  await eventually(async () => {
    const deliveries = await deliveriesOf(t, period);
    const waiting = deliveries.filter((d) => d.status === 'ready' && d.attempts >= 1);
    return deliveries.filter((d) => d.status === 'sent').length === PARTNERS - DEFERRED.length && waiting.length === DEFERRED.length;
  }, 30_000);
}

it('finishes a round within one reconciler interval after Redis is emptied mid-round', { timeout: 90_000 }, async () => {
  const period = '2099-W21';
  await roundWaitingForRetries(period);
  await redis.flush();
  t.smtp.options.defer = undefined;

  await eventually(() => roundDelivered(t, period, PARTNERS), RECONCILE_INTERVAL_SECONDS * 1000);
  expect(service.alive()).toBe(true);
});

it('stays up while Redis is down, answers 503 meanwhile, and finishes the round within one interval once Redis is back empty', { timeout: 90_000 }, async () => {
  const period = '2099-W22';
  await roundWaitingForRetries(period);
  await redis.kill();
  t.smtp.options.defer = undefined;
  await eventually(async () => (await readiness()).status === 503, 10_000);
  expect((await readiness()).body).toEqual({ status: 'unavailable', postgres: 'ok', redis: 'unreachable' });
  await new Promise((r) => setTimeout(r, 2_000));
  expect(service.alive()).toBe(true);

  await redis.start();
  await eventually(async () => (await readiness()).status === 200, 20_000);
  await eventually(() => roundDelivered(t, period, PARTNERS), RECONCILE_INTERVAL_SECONDS * 1000);
  expect(service.alive()).toBe(true);
});
