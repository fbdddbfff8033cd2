/**
 * Statements marked `prepared` (the send hour's, one a digest) are parsed and planned once per
 * connection: pg names them, Postgres keeps them. Everything else goes as before, unnamed.
 */
import { CompiledQuery, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { createDatabase, prepared, type Database } from '../../src/platform/db/database.ts';
import { createDatabaseFromTemplate, databaseUrl, dropTestDatabase, terminateConnections, uniqueName } from '../support/test-databases.ts';

const APPLICATION_NAME = 'p2p-prepared-statements';
const dbName = uniqueName('p2p_prepared');
let db: Database;

const MARKED = prepared('SELECT $1::int + 1 AS next, count(*)::int AS n FROM prepared_probe WHERE label = $2');
const UNMARKED = 'SELECT $1::int + 2 AS next, count(*)::int AS n FROM prepared_probe WHERE label = $2';

beforeAll(async () => {
  await createDatabaseFromTemplate(inject('templateDatabase'), dbName);
  const url = new URL(databaseUrl(dbName));
  url.searchParams.set('application_name', APPLICATION_NAME);
  // One connection: what one statement prepares, the next one finds.
  db = createDatabase(url.toString(), 1, () => undefined);
  await sql`CREATE TABLE prepared_probe (label text)`.execute(db);
  await sql`INSERT INTO prepared_probe VALUES ('a'), ('a'), ('b')`.execute(db);
});

afterAll(async () => {
  await db?.destroy();
  await dropTestDatabase(dbName);
});

const run = async (text: string, values: unknown[]) => (await db.executeQuery<{ next: number; n: number }>(CompiledQuery.raw(text, values))).rows;

/** The statements this connection has prepared (the pool has one). */
const preparedHere = async () =>
  (await sql<{ statement: string }>`SELECT statement FROM pg_prepared_statements WHERE NOT from_sql`.execute(db)).rows.map((r) => r.statement);

describe('statements marked prepared', () => {
  it('are prepared once on the connection and answer with each run’s own values', async () => {
    expect(await run(MARKED, [1, 'a'])).toEqual([{ next: 2, n: 2 }]);
    expect(await run(MARKED, [41, 'b'])).toEqual([{ next: 42, n: 1 }]);
    expect(await run(UNMARKED, [1, 'a'])).toEqual([{ next: 3, n: 2 }]);
    const statements = await preparedHere();
    expect(statements.filter((s) => s === MARKED)).toHaveLength(1);
    expect(statements).not.toContain(UNMARKED);
  });

  it('keep working when the table changes under them (Postgres plans them again)', async () => {
    await run(MARKED, [1, 'a']);
    await sql`ALTER TABLE prepared_probe ADD COLUMN extra int`.execute(db);
    await sql`CREATE INDEX prepared_probe_label_idx ON prepared_probe (label)`.execute(db);
    expect(await run(MARKED, [2, 'a'])).toEqual([{ next: 3, n: 2 }]);
  });

  it('are prepared again on the connection that replaces a lost one', async () => {
    await run(MARKED, [1, 'a']);
    expect(await terminateConnections(dbName, APPLICATION_NAME)).toBe(1);
    // The query in flight on the lost connection fails; the pool's next connection serves the rest.
    await run(MARKED, [1, 'a']).catch(() => undefined);
    expect(await run(MARKED, [5, 'b'])).toEqual([{ next: 6, n: 1 }]);
    expect((await preparedHere()).filter((s) => s === MARKED)).toHaveLength(1);
  });
});
