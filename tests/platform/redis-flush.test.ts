import { afterAll, beforeAll, expect, it } from 'vitest';
import { reconcileUnmatched } from '../../src/matching/match-reconciler.ts';
import { relayOutboxOnce } from '../../src/platform/outbox/outbox-relay.ts';
import { startWorker, type RunningRole } from '../../src/app/roles.ts';
import { createTestStack, deleteKeys, eventually, type TestStack } from '../support/test-stack.ts';

let t: TestStack;
let worker: RunningRole | undefined;

beforeAll(async () => {
  t = await createTestStack();
  await t.c.partners.createByAdmin({
    company: 'Kubeworks GmbH',
    contactName: 'Jana Berg',
    email: 'jana@kubeworks.example',
    regions: ['dach'],
    remoteOk: true,
    timezone: 'Europe/Berlin',
    skills: ['AKS'],
  });
});

afterAll(async () => {
  await worker?.stop();
  await t?.close();
});

it('still matches an opportunity whose queued job was lost when Redis was flushed', async () => {
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/opportunities',
    headers: t.adminHeaders,
    payload: {
      title: 'AKS migration for a logistics firm',
      description: 'Move twelve services from VMs to Azure Kubernetes Service before spring.',
      requiredSkills: ['AKS'],
      regions: ['dach'],
      submitter: { name: 'Max Huber', company: 'Alpenwolke GmbH', email: 'max@alpenwolke.example' },
    },
  });
  expect(res.statusCode).toBe(201);
  const { id } = res.json<{ id: string }>();

  // The relay publishes the outbox event: the match job now waits in Redis.
  expect(await relayOutboxOnce(t.c.db, t.c.outboxRoutes, t.c.log)).toBeGreaterThanOrEqual(1);
  const waitingMatchJobs = async () =>
    (await t.c.queues.queue('match').getJobs(['waiting'])).filter((j) => j.name === 'match-opportunity').length;
  expect(await waitingMatchJobs()).toBe(1);

  // Redis loses everything of ours before any worker picks the job up.
  expect(await deleteKeys(t.c.redis, t.config.queuePrefix)).toBeGreaterThan(0);
  expect(await waitingMatchJobs()).toBe(0);

  worker = startWorker(t.c);
  await new Promise((r) => setTimeout(r, 300));
  expect((await t.c.opportunities.getRow(id)).matchedAt).toBeNull();
  // The outbox row is already marked published: the relay alone would never try again.
  expect(await relayOutboxOnce(t.c.db, t.c.outboxRoutes, t.c.log)).toBe(0);

  // The reconciler rebuilds the lost work from Postgres, the source of truth.
  expect(await reconcileUnmatched(t.c.db, t.c.queues, 0)).toBe(1);
  await eventually(async () => (await t.c.opportunities.getRow(id)).matchedAt);
  const matches = await t.app.inject({ method: 'GET', url: `/api/opportunities/${id}/matches`, headers: t.adminHeaders });
  expect(matches.json<{ matches: Array<{ company: string }> }>().matches.map((m) => m.company)).toEqual(['Kubeworks GmbH']);

  // Nothing left to reconcile, and running it again is harmless.
  expect(await reconcileUnmatched(t.c.db, t.c.queues, 0)).toBe(0);
});
