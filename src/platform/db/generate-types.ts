/**
 * Regenerates `database.types.ts` from a freshly migrated scratch database, or with `--verify`
 * checks that the committed file is current (CI runs that). Development tool: `npm run db:types`.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { createDatabase, ensureDatabaseExists } from './database.ts';
import { migrateToLatest } from './migrate.ts';
import { dropDatabase } from './drop-database.ts';

const verify = process.argv.includes('--verify');
const baseUrl = process.env.TYPES_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const url = new URL(baseUrl);
url.pathname = `/p2p_types_${randomBytes(4).toString('hex')}`;
const scratchUrl = url.toString();
const outFile = fileURLToPath(new URL('./database.types.ts', import.meta.url));

await ensureDatabaseExists(scratchUrl);
try {
  const db = createDatabase(scratchUrl, 1);
  await migrateToLatest(db);
  await db.destroy();
  execFileSync(
    'npx',
    [
      'kysely-codegen',
      '--dialect', 'postgres',
      '--url', scratchUrl,
      '--out-file', outFile,
      '--exclude-pattern', 'kysely_*',
      '--camel-case',
      '--date-parser', 'string',
      ...(verify ? ['--verify'] : []),
    ],
    { stdio: 'inherit' },
  );
} catch (error) {
  process.exitCode = 1;
  if (!verify) throw error;
  console.error('src/platform/db/database.types.ts is out of date: run `npm run db:types` and commit the result.');
} finally {
  await dropDatabase(scratchUrl);
}
