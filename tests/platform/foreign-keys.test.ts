import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, expect, it, inject } from 'vitest';
import * as indexForeignKeys from '../../migrations/2026_12_03_0005_index_foreign_keys.ts';
import { createDatabaseFromTemplate, dropTestDatabase, uniqueName } from '../support/test-databases.ts';

const dbName = uniqueName('p2p_test_fk');
let pool: pg.Pool;

beforeAll(async () => {
  pool = new pg.Pool({ connectionString: await createDatabaseFromTemplate(inject('templateDatabase'), dbName), max: 1 });
});

afterAll(async () => {
  await pool?.end();
  await dropTestDatabase(dbName);
});

/**
 * Foreign keys whose columns lead no full (non-partial) index. Without one, deleting or updating
 * the referenced row (ON DELETE CASCADE / SET NULL) scans the whole referencing table, and joins
 * along the key cannot use an index. The FK's columns may lead the index in any order.
 */
const UNINDEXED_FOREIGN_KEYS = `
  SELECT c.conrelid::regclass::text AS "table",
         array_agg(a.attname::text ORDER BY k.ord) AS columns,
         c.conname AS "constraint"
    FROM pg_constraint c
    CROSS JOIN LATERAL unnest(c.conkey) WITH ORDINALITY AS k(attnum, ord)
    JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum
   WHERE c.contype = 'f'
     AND c.connamespace = 'public'::regnamespace
     AND NOT EXISTS (
       SELECT 1
         FROM pg_index i
        WHERE i.indrelid = c.conrelid
          AND i.indpred IS NULL
          AND (string_to_array(i.indkey::text, ' ')::int2[])[1:cardinality(c.conkey)] @> c.conkey
          AND (string_to_array(i.indkey::text, ' ')::int2[])[1:cardinality(c.conkey)] <@ c.conkey
     )
   GROUP BY c.conrelid, c.conname
   ORDER BY 1, 3`;

async function unindexedForeignKeys() {
  const { rows } = await pool.query<{ table: string; columns: string[]; constraint: string }>(UNINDEXED_FOREIGN_KEYS);
  return rows;
}

it('indexes every foreign key on the migrated database (its columns lead an index)', async () => {
  const { rows: foreignKeys } = await pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_constraint WHERE contype = 'f' AND connamespace = 'public'::regnamespace`,
  );
  // Guards the query itself: a schema without foreign keys would pass vacuously.
  expect(foreignKeys[0]!.n).toBeGreaterThan(10);

  expect(await unindexedForeignKeys()).toEqual([]);
});

it('migration 0005 adds the index not_relevant.opportunity_id lacked, and takes it away again', async () => {
  const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) });
  await indexForeignKeys.down(db);
  expect(await unindexedForeignKeys()).toEqual([
    { table: 'not_relevant', columns: ['opportunity_id'], constraint: 'not_relevant_opportunity_id_fkey' },
  ]);
  await indexForeignKeys.up(db);
  expect(await unindexedForeignKeys()).toEqual([]);
});
