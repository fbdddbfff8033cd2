import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { buildApp } from '../../src/app/http-app.ts';
import { httpSettings } from '../../src/app/app-deps.ts';
import { createTestStack, type TestStack } from '../support/test-stack.ts';

let t: TestStack;

beforeAll(async () => {
  t = await createTestStack();
});
afterAll(async () => {
  await t?.close();
});

describe('health endpoints', () => {
  it('/healthz answers while the process is up', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });

  it('/readyz answers 200 when Postgres and Redis are reachable', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok', postgres: 'ok', redis: 'ok' });
  });

  it('/readyz answers 503 and names the dependency that is down', async () => {
    // Port 1 on loopback: nothing listens there, so every Redis command fails.
    const deadRedis = new Redis('redis://127.0.0.1:1', { maxRetriesPerRequest: 0, retryStrategy: () => null, lazyConnect: true });
    deadRedis.on('error', () => undefined);
    const app = await buildApp({ ...t.c, redis: deadRedis, settings: httpSettings(t.config, 'smtp') });
    try {
      const res = await app.inject({ method: 'GET', url: '/readyz' });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toEqual({ status: 'unavailable', postgres: 'ok', redis: 'unreachable' });
    } finally {
      await app.close();
      deadRedis.disconnect();
    }
  });

  it('answers unknown routes with a JSON 404 for API clients and a page for browsers', async () => {
    const api = await t.app.inject({ method: 'GET', url: '/api/nothing-here' });
    expect(api.statusCode).toBe(404);
    expect(api.json()).toMatchObject({ error: { code: 'not_found' } });
    const page = await t.app.inject({ method: 'GET', url: '/nothing-here', headers: { accept: 'text/html' } });
    expect(page.statusCode).toBe(404);
    expect(page.headers['content-type']).toMatch(/text\/html/);
  });
});
