import type { TestProject } from 'vitest/node';
import { createDatabase } from '../../src/platform/db/database.ts';
import { migrateToLatest } from '../../src/platform/db/migrate.ts';
import { loadTaxonomyFile } from '../../src/skills/load-taxonomy.ts';
import { syncTaxonomy } from '../../src/skills/skills.service.ts';
import { databaseUrl, dropTestDatabase, uniqueName } from './test-databases.ts';
import pg from 'pg';
import { TEST_SERVER_URL } from './test-databases.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    templateDatabase: string;
  }
}

/**
 * Once per test run: a database migrated with the real migrations and seeded with the real
 * taxonomy, used as the template every test file copies. Dropped at the end of the run.
 */
export default async function setup(project: TestProject) {
  const name = uniqueName('p2p_test_tpl');
  const client = new pg.Client({ connectionString: TEST_SERVER_URL });
  await client.connect();
  await client.query(`CREATE DATABASE "${name}"`);
  await client.end();
  const db = createDatabase(databaseUrl(name), 1);
  try {
    await migrateToLatest(db);
    await syncTaxonomy(db, await loadTaxonomyFile());
  } finally {
    await db.destroy();
  }
  project.provide('templateDatabase', name);
  return async () => {
    await dropTestDatabase(name);
  };
}
