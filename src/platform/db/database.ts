import { CamelCasePlugin, Kysely, PostgresDialect, type Transaction } from 'kysely';
import pg from 'pg';
import type { DB } from './database.types.ts';

export type Database = Kysely<DB>;

// Postgres `date` columns stay 'YYYY-MM-DD' strings: a start date has no time zone to shift.
pg.types.setTypeParser(pg.types.builtins.DATE, (value: string) => value);

/** Where a lost connection is reported; the pool replaces the client by itself. */
export type ConnectionErrorListener = (err: Error) => void;

/**
 * How long a query waits for a connection before it fails: a Postgres that is down or cut off
 * must fail the work (which then retries) rather than hold it without end.
 */
const CONNECT_TIMEOUT_MS = 10_000;

/**
 * Opens a pooled connection to Postgres. Close it with `db.destroy()`.
 *
 * A connection Postgres ends (a restart, `pg_terminate_backend`, a dropped network) raises an
 * 'error' event on its client, idle or checked out; an 'error' event nobody listens to ends the
 * process. So every client and the pool get `onConnectionError`: the query in flight fails on
 * its own, the pool opens a new connection for the next one, and the process keeps running.
 */
export function createDatabase(databaseUrl: string, poolSize = 10, onConnectionError: ConnectionErrorListener = warnOnConsole): Database {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: poolSize, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, keepAlive: true });
  // The pool hears only its idle clients, and a client in use would raise its error unheard: each
  // client reports its own, and the pool's copy of an idle client's error is the same one again.
  pool.on('connect', (client) => {
    client.on('error', (err) => onConnectionError(err));
    usePreparedStatements(client);
  });
  pool.on('error', () => undefined);
  return new Kysely<DB>({
    dialect: new PostgresDialect({ pool }),
    // Columns are snake_case in SQL and camelCase in TypeScript.
    plugins: [new CamelCasePlugin()],
  });
}

/** Statement texts run once per email or more: each is prepared once per connection. */
const preparedNames = new Map<string, string>();

/**
 * Marks a statement's text (run through `CompiledQuery.raw`, unchanged) as one to prepare: on
 * each connection Postgres then parses and plans it once instead of at every run. For the
 * statements of the send hour, where each digest runs one: the parse and plan of an UPDATE with
 * two CTEs cost Postgres more than its execution.
 */
export function prepared(text: string): string {
  if (!preparedNames.has(text)) preparedNames.set(text, `p2p_${preparedNames.size + 1}`);
  return text;
}

/**
 * Kysely hands pg the text and the values; pg prepares a statement only when it is given a name.
 * A statement marked `prepared` gets its name here, on every client of the pool.
 */
function usePreparedStatements(client: pg.PoolClient): void {
  const query = client.query.bind(client) as (config: unknown, values?: unknown, callback?: unknown) => unknown;
  client.query = ((config: unknown, values?: unknown, callback?: unknown) => {
    const name = typeof config === 'string' && Array.isArray(values) && callback === undefined ? preparedNames.get(config) : undefined;
    return name ? query({ name, text: config, values }) : query(config, values, callback);
  }) as typeof client.query;
}

function warnOnConsole(err: Error): void {
  console.warn(`postgres connection lost: ${err.message}`);
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
  // A connection lost mid-query fails that query; unheard, its 'error' event would end the process.
  client.on('error', () => undefined);
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
