/**
 * `npm run bench:reach`: the reach preview alone (no SMTP, no Redis), at BENCH_PARTNERS partners
 * (10000) on BENCH_REACH_DRAFTS seeded opportunities read as drafts (21): the median and the
 * slowest, against the 200 ms target. `npm run bench` measures the same after its own seeding.
 * It creates and drops a database p2p_bench_reach_<random> (BENCH_DATABASE_URL: the server).
 * A measurement, not a test: it exits 0 whether the target is met or not.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { pino } from 'pino';
import { prepareDatabase } from '../src/app/container.ts';
import { refreshSkillCountsIfStale } from '../src/matching/match.repository.ts';
import { createDatabase } from '../src/platform/db/database.ts';
import { measureReachPreview, REACH_PREVIEW_TARGET_MS } from './reach-preview.ts';
import { seedOpportunities, seedPartners } from './seed.ts';

const SERVER_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const PARTNERS = Number(process.env.BENCH_PARTNERS ?? 10_000);
const DRAFTS = Number(process.env.BENCH_REACH_DRAFTS ?? 21);
const say = (line: string) => process.stderr.write(`[bench:reach] ${line}\n`);

async function main(): Promise<void> {
  const name = `p2p_bench_reach_${randomBytes(5).toString('hex')}`;
  const url = new URL(SERVER_URL);
  url.pathname = `/${name}`;
  const log = pino({ level: 'silent' });
  await prepareDatabase({ databaseUrl: url.toString() }, log);
  const db = createDatabase(url.toString(), 4);
  try {
    await seedPartners(db, 1, PARTNERS);
    const ids = await seedOpportunities(db, 1, DRAFTS);
    await refreshSkillCountsIfStale(db, 0);
    say(`seeded ${PARTNERS} partners and ${ids.length} opportunities`);
    const stats = await measureReachPreview(db, ids);
    process.stdout.write(`${JSON.stringify({ partners: PARTNERS, ...stats }, null, 2)}\n`);
    const ok = stats.medianMs < REACH_PREVIEW_TARGET_MS;
    process.stdout.write(
      `reach preview at ${PARTNERS} partners, median of ${stats.drafts}: ${stats.medianMs} ms (slowest ${stats.maxMs} ms; ${stats.avgMatched} partners matched on average)  < ${REACH_PREVIEW_TARGET_MS} ms  ${ok ? 'pass' : 'MISS'}\n`,
    );
  } finally {
    await db.destroy();
    const client = new pg.Client({ connectionString: SERVER_URL });
    await client.connect();
    try {
      await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    } finally {
      await client.end();
    }
  }
}

await main();
