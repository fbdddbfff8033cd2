import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** Where tests create their databases; CI and developers share the local server. */
export const TEST_SERVER_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export function databaseUrl(name: string): string {
  const url = new URL(TEST_SERVER_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

export const uniqueName = (prefix: string) => `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_SERVER_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * Copies the migrated template (made once per run in global-setup) into a fresh database:
 * much faster than migrating per file, and files never share a database.
 */
export async function createDatabaseFromTemplate(template: string, name: string): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    try {
      await admin((c) => c.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`));
      return databaseUrl(name);
    } catch (error) {
      // Another file copying the template at the same moment: wait and try again.
      if ((error as { code?: string }).code !== '55006' || attempt >= 20) throw error;
      await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
    }
  }
}

/**
 * Drops a test database once its connections are gone. A pool that was just ended may still be
 * closing its sockets: forcing the drop then kills those backends, and the dying clients raise
 * "terminating connection due to administrator command" as unhandled errors. So wait for them
 * first, and force only what is still there after a few seconds (a killed child process's).
 */
export async function dropTestDatabase(name: string): Promise<void> {
  for (let attempt = 0; attempt < 50; attempt++) {
    try {
      await admin((c) => c.query(`DROP DATABASE IF EXISTS "${name}"`));
      return;
    } catch (error) {
      // 55006: the database is being accessed by other users.
      if ((error as { code?: string }).code !== '55006') throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  await admin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
}

/**
 * What a Postgres restart does to a pool's connections: every backend of the database opened with
 * this application_name is terminated. Returns how many were.
 */
export async function terminateConnections(database: string, applicationName: string): Promise<number> {
  const result = await admin((c) =>
    c.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND application_name = $2', [database, applicationName]),
  );
  return result.rowCount ?? 0;
}
