import { CamelCasePlugin, Kysely, PostgresDialect, type Transaction } from 'kysely';
import pg from 'pg';
import type { DB } from './database.types.ts';

export type Database = Kysely<DB>;

// Postgres `date` columns stay 'YYYY-MM-DD' strings: a start date has no time zone to shift.
pg.types.setTypeParser(pg.types.builtins.DATE, (value: string) => value);

/** Opens a pooled connection to Postgres. Close it with `db.destroy()`. */
export function createDatabase(databaseUrl: string, poolSize = 10): Database {
  return new Kysely<DB>({
    dialect: new PostgresDialect({
      pool: new pg.Pool({ connectionString: databaseUrl, max: poolSize }),
    }),
    // Columns are snake_case in SQL and camelCase in TypeScript.
    plugins: [new CamelCasePlugin()],
  });
}

/**
 * Creates the database named in the URL when it does not exist yet, so a newcomer's first
 * `npm run dev` works against a bare local Postgres.
 */
export async function ensureDatabaseExists(databaseUrl: string): Promise<boolean> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!name) throw new Error('DATABASE_URL names no database');
  url.pathname = '/postgres';
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount) return false;
    // Identifiers cannot be bound as parameters; quote the name the way Postgres does.
    await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
    return true;
  } catch (error) {
    // Two processes starting at once: the loser sees "already exists", which is fine.
    if ((error as { code?: string }).code === '42P04') return false;
    throw error;
  } finally {
    await client.end();
  }
}

/** A database handle or an open transaction: repositories accept either. */
export type Executor = Database | Transaction<DB>;
