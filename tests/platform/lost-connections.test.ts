/**
 * Connections that Postgres or Redis end under a running process: each must fail only the work in
 * flight and be replaced, never raise an 'error' event nobody hears (which ends the process).
 */
import { Redis } from 'ioredis';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { createDatabase, type Database } from '../../src/platform/db/database.ts';
import { isConnectionError } from '../../src/platform/errors/connection-errors.ts';
import { nextDelayMs, poll } from '../../src/platform/queue/poller.ts';
import { pino } from 'pino';
import { createDatabaseFromTemplate, databaseUrl, dropTestDatabase, terminateConnections, uniqueName } from '../support/test-databases.ts';
import { eventually } from '../support/test-stack.ts';

const APPLICATION_NAME = 'p2p-lost-connections';
const dbName = uniqueName('p2p_lost');
let db: Database;
const lost: Error[] = [];

beforeAll(async () => {
  await createDatabaseFromTemplate(inject('templateDatabase'), dbName);
  const url = new URL(databaseUrl(dbName));
  url.searchParams.set('application_name', APPLICATION_NAME);
  db = createDatabase(url.toString(), 4, (err) => lost.push(err));
});

afterAll(async () => {
  await db?.destroy();
  await dropTestDatabase(dbName);
});

/** What a Postgres restart does to our connections: every backend of this pool is terminated. */
const terminatePool = () => terminateConnections(dbName, APPLICATION_NAME);

describe('the Postgres pool', () => {
  it('reports idle connections that Postgres ends, and serves the next query from a new one', async () => {
    // Four connections open and back in the pool, idle.
    await Promise.all(Array.from({ length: 4 }, () => sql`SELECT pg_sleep(0.05)`.execute(db)));
    expect(await terminatePool()).toBe(4);
    await eventually(async () => lost.length >= 4);
    expect(lost.every(isConnectionError)).toBe(true);
    expect((await sql<{ one: number }>`SELECT 1 AS one`.execute(db)).rows).toEqual([{ one: 1 }]);
  });

  it('fails the query of a connection ended while in use, and goes on with the next', async () => {
    lost.length = 0;
    const inFlight = sql`SELECT pg_sleep(5)`.execute(db).then(
      () => undefined,
      (err: unknown) => err,
    );
    await eventually(async () => (await terminatePool()) > 0);
    expect(await inFlight).toMatchObject({ code: '57P01' });
    await eventually(async () => lost.length >= 1);
    // A transaction's client is checked out between statements: its loss must not go unheard either.
    const between = db.transaction().execute(async (trx) => {
      await sql`SELECT 1`.execute(trx);
      await terminatePool();
      await new Promise((r) => setTimeout(r, 200));
      await sql`SELECT 1`.execute(trx);
    });
    await expect(between).rejects.toThrow();
    expect((await sql<{ one: number }>`SELECT 1 AS one`.execute(db)).rows).toEqual([{ one: 1 }]);
  });
});

describe('connection errors', () => {
  it('tells an unreachable server from a failing statement', async () => {
    const refused = await sql`SELECT 1`.execute(createDatabase('postgres://127.0.0.1:1/none', 1, () => undefined)).catch((e: unknown) => e);
    expect(isConnectionError(refused)).toBe(true);
    const wrong = await sql`SELECT * FROM no_such_table`.execute(db).catch((e: unknown) => e);
    expect(isConnectionError(wrong)).toBe(false);
    // ioredis, giving up a command while Redis is away: its retries spent, or no offline queue.
    const redis = new Redis('redis://127.0.0.1:1', { maxRetriesPerRequest: 1, retryStrategy: () => 50 });
    redis.on('error', () => undefined);
    const givenUp = await redis.ping().catch((e: unknown) => e);
    redis.disconnect();
    expect(isConnectionError(givenUp)).toBe(true);
    expect(isConnectionError(new Error('ERR unknown command'))).toBe(false);
  });
});

describe('pollers', () => {
  it('retry a failing task after a second, doubling up to the longer of ten seconds and their interval', () => {
    expect([0, 1, 2, 3, 4, 5, 6].map((f) => nextDelayMs(1_000, f))).toEqual([1_000, 1_000, 2_000, 4_000, 8_000, 10_000, 10_000]);
    expect([0, 1, 2, 6, 7, 9].map((f) => nextDelayMs(60_000, f))).toEqual([60_000, 1_000, 2_000, 32_000, 60_000, 60_000]);
  });

  it('run at once when asked, and once more after a run in progress', async () => {
    let runs = 0;
    let release: () => void = () => undefined;
    const poller = poll(
      'test',
      3_600_000,
      async () => {
        runs++;
        if (runs === 2) await new Promise<void>((r) => (release = r));
      },
      pino({ level: 'silent' }),
    );
    await eventually(async () => runs === 1);
    poller.runNow();
    await eventually(async () => runs === 2);
    poller.runNow(); // while the second run waits
    release();
    await eventually(async () => runs === 3);
    await poller.stop();
  });
});
