import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { pino, type Logger } from 'pino';
import { inject } from 'vitest';
import { loadConfig, type Config } from '../../src/platform/config/config.ts';
import { createContainer, type Container } from '../../src/app/container.ts';
import { buildApp, type App } from '../../src/app/http-app.ts';
import { httpSettings } from '../../src/app/app-deps.ts';
import { QUEUE_NAMES } from '../../src/app/jobs.ts';
import { queueStateMarker } from '../../src/platform/queue/queue-state-marker.ts';
import { startScheduler, startWorker, type RunningRole } from '../../src/app/roles.ts';
import { startSmtpSink, type SmtpSink, type SmtpSinkOptions } from './smtp-sink.ts';
import { createDatabaseFromTemplate, dropTestDatabase, TEST_REDIS_URL, uniqueName } from './test-databases.ts';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';
export const APP_SECRET = 'test-app-secret-0123456789-0123456789';

export interface TestStack {
  config: Config;
  c: Container;
  app: App;
  smtp: SmtpSink;
  /** Starts the worker and scheduler roles (fast polling), as `start` would. */
  startBackground(): void;
  stopBackground(): Promise<void>;
  adminHeaders: { authorization: string };
  close(): Promise<void>;
}

/**
 * A whole service for one test file: its own database (copied from the migrated template), its
 * own BullMQ prefix on the shared Redis, and a real SMTP server that receives what it sends.
 */
export async function createTestStack(
  env: Record<string, string> = {},
  smtpOptions: SmtpSinkOptions = {},
  /** The service's logger (silent unless TEST_LOG_LEVEL is set): a test that reads the log passes its own. */
  log: Logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
): Promise<TestStack> {
  const dbName = uniqueName('p2p_test');
  const databaseUrl = await createDatabaseFromTemplate(inject('templateDatabase'), dbName);
  const smtp = await startSmtpSink(smtpOptions);
  const prefix = `p2ptest-${randomBytes(4).toString('hex')}`;
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: databaseUrl,
    REDIS_URL: TEST_REDIS_URL,
    SMTP_URL: smtp.url,
    QUEUE_PREFIX: prefix,
    APP_SECRET,
    ADMIN_TOKEN,
    PUBLIC_BASE_URL: 'http://p2p.test',
    LOG_LEVEL: 'silent',
    ...env,
  });
  const c = await createContainer(config, log);
  // A service whose Redis holds its state, as after any start but the first: the scheduler's
  // reconciler keeps its grace periods instead of re-enqueueing every unfinished row at once, so a
  // test may hold rows 'received' or 'ready' for a while. Tests of a lost Redis delete the marker.
  await queueStateMarker(c.redis, prefix).set();
  const app = await buildApp({
    ...c,
    settings: httpSettings(config, 'smtp'),
  });
  let background: RunningRole[] = [];

  return {
    config,
    c,
    app,
    smtp,
    adminHeaders: { authorization: `Bearer ${ADMIN_TOKEN}` },
    startBackground() {
      if (background.length) return;
      background = [startWorker(c), startScheduler(c, { relayMs: 50, reconcileMs: 3_600_000 })];
    },
    async stopBackground() {
      await Promise.all(background.map((r) => r.stop()));
      background = [];
    },
    async close() {
      await Promise.all(background.map((r) => r.stop()));
      await app.close();
      for (const q of QUEUE_NAMES) await c.queues.queue(q).obliterate({ force: true });
      await deleteKeys(c.redis, prefix);
      await c.close();
      await smtp.close();
      await dropTestDatabase(dbName);
    },
  };
}

/**
 * The environment for running the real `p2p-digest` command (or a role) in a child process
 * against this stack: its database, Redis prefix, SMTP sink, base URL and secrets.
 */
export function childEnv(t: TestStack, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: t.config.databaseUrl,
    REDIS_URL: t.config.redisUrl,
    QUEUE_PREFIX: t.config.queuePrefix,
    SMTP_URL: t.smtp.url,
    PUBLIC_BASE_URL: t.config.publicBaseUrl,
    APP_SECRET: t.config.appSecret,
    ADMIN_TOKEN: t.config.adminToken,
    ...extra,
  };
}

/** Removes every Redis key under a prefix (queues, rate limits): the shared Redis stays clean. */
export async function deleteKeys(redis: Redis, prefix: string): Promise<number> {
  let deleted = 0;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
    cursor = next;
    if (keys.length) deleted += await redis.del(...keys);
  } while (cursor !== '0');
  return deleted;
}

/** Polls until `check` returns something truthy. */
export async function eventually<T>(check: () => Promise<T | undefined | null | false>, timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The first link in a mail's plain text that starts with `${base}${path}`. */
export function linkIn(text: string | undefined, path: string): string {
  const match = (text ?? '').match(new RegExp(`https?://[^\\s]+${path.replace(/\//g, '\\/')}[^\\s]*`));
  if (!match) throw new Error(`no ${path} link in:\n${text}`);
  return match[0];
}

/** Form state for a page: the CSRF token in its form and the cookie that goes with it. */
export function csrfFrom(response: { body: string; cookies: Array<{ name: string; value: string }> }) {
  const token = response.body.match(/name="_csrf" value="([^"]+)"/)?.[1];
  const cookie = response.cookies.find((c) => c.name === 'p2p_csrf');
  if (!token || !cookie) throw new Error('page has no CSRF token or cookie');
  return { token, cookie: `p2p_csrf=${cookie.value}` };
}

/** URL-encodes a form, repeating names for arrays as browsers do. */
export function formBody(fields: Record<string, string | string[] | undefined>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) params.append(name, v);
  }
  return params.toString();
}

/** Changes one character of a signed token's signature, keeping it well-formed. */
export function tamper(token: string): string {
  const i = token.lastIndexOf('.') + 1;
  return token.slice(0, i) + (token[i] === 'A' ? 'B' : 'A') + token.slice(i + 1);
}
