import {
  CamelCasePlugin,
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type CompiledQuery,
} from 'kysely';
import type { Database } from '../../src/platform/db/database.ts';
import type { DB } from '../../src/platform/db/database.types.ts';

/**
 * The statements a repository function sends, compiled as Postgres would receive them but never
 * run: a driver that answers every query with no rows stands in for the database. So a snapshot
 * needs no database, and no repository has to expose its queries for the test's sake. The
 * plugins must match `createDatabase`'s (camelCase in TypeScript, snake_case in SQL).
 */
export async function captureSql(run: (db: Database) => Promise<unknown>): Promise<CompiledQuery[]> {
  const queries: CompiledQuery[] = [];
  const db = new Kysely<DB>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (k) => new PostgresIntrospector(k),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    },
    plugins: [new CamelCasePlugin()],
    log: (event) => {
      if (event.level === 'query') queries.push(event.query);
    },
  });
  try {
    await run(db);
  } finally {
    await db.destroy();
  }
  return queries;
}

/** One statement as a snapshot file holds it: its SQL, then its parameters (as matching.sql does). */
export function sqlSnapshot(query: Pick<CompiledQuery, 'sql' | 'parameters'>): string {
  return `${query.sql.trim()}\n\n-- parameters: ${JSON.stringify(query.parameters)}\n`;
}

/** Every statement a repository function sends, in order, as one snapshot. */
export async function captureStatements(run: (db: Database) => Promise<unknown>): Promise<string> {
  const queries = await captureSql(run);
  if (queries.length === 0) throw new Error('expected statements, got none');
  return queries.map(sqlSnapshot).join('\n');
}

/** The one statement a repository function sends; fails when it sends none or several. */
export async function captureStatement(run: (db: Database) => Promise<unknown>): Promise<string> {
  const queries = await captureSql(run);
  if (queries.length !== 1) throw new Error(`expected one statement, got ${queries.length}`);
  return sqlSnapshot(queries[0]!);
}
