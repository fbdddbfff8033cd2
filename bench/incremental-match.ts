import { performance } from 'node:perf_hooks';
import { CompiledQuery, sql } from 'kysely';
import type { Logger } from 'pino';
import { matchingStatement, refreshSkillCountsIfStale } from '../src/matching/match.repository.ts';
import { matchOpportunity } from '../src/matching/match.service.ts';
import type { Database } from '../src/platform/db/database.ts';
import { seedOpportunities } from './seed.ts';

export interface IncrementalMatchStats {
  runs: Array<{ seconds: number; matches: number }>;
  medianSeconds: number;
  /** One more new opportunity, seeded alike and left unmatched (to EXPLAIN). */
  spareId: string;
  /** EXPLAIN (ANALYZE, BUFFERS, VERBOSE) of the statement on one more opportunity, when asked for. */
  plan?: string[];
  /** Postgres's own "Execution Time" of each run's statement, from EXPLAIN ANALYZE (when asked for). */
  executionMs?: number[];
}

class RollbackSignal extends Error {}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** EXPLAIN ANALYZE of the matching statement for one opportunity, rolled back (it runs the INSERT). */
export async function explainMatch(db: Database, opportunityId: string, options = 'ANALYZE, BUFFERS, VERBOSE'): Promise<string[]> {
  const compiled = matchingStatement({ id: opportunityId, ownDomain: null }).compile(db);
  const plan: string[] = [];
  await db
    .transaction()
    .execute(async (trx) => {
      const res = await trx.executeQuery<Record<string, string>>(CompiledQuery.raw(`EXPLAIN (${options}) ${compiled.sql}`, [...compiled.parameters]));
      plan.push(...res.rows.map((row) => Object.values(row)[0] ?? ''));
      throw new RollbackSignal();
    })
    .catch((error: unknown) => {
      if (!(error instanceof RollbackSignal)) throw error;
    });
  return plan;
}

/**
 * Step 4 of the bench: `runs` new opportunities (numbered from `firstOpportunity`, the same ones
 * every run) each matched against every partner already seeded, timed one by one through
 * `matchOpportunity` (the job's own transaction), after a VACUUM of the partner tables. The
 * per-skill partner counts are refreshed first: the job refreshes them when they are ten minutes old, not on every match, so a run that
 * happened to refresh them would time the count instead of the match. With `explain`, one more
 * opportunity's statement is EXPLAINed (ANALYZE, BUFFERS, rolled back), and each timed
 * opportunity's statement again afterwards (its matches dropped first), for Postgres's own
 * execution time, which depends less on what else runs on the machine.
 */
export async function measureIncrementalMatch(
  db: Database,
  log: Logger,
  { firstOpportunity, runs, explain }: { firstOpportunity: number; runs: number; explain: boolean },
): Promise<IncrementalMatchStats> {
  const fresh = await seedOpportunities(db, firstOpportunity, runs + 1, 0.31);
  await refreshSkillCountsIfStale(db, 0);
  // A settled database, as autovacuum leaves it a while after a bulk load: without it the timed
  // runs also paid for the load (setting hint bits on 100,000 fresh rows, writing the pages back)
  // and raced autovacuum starting on the tables just loaded.
  await sql`VACUUM (ANALYZE) partners, partner_skills, partner_profile_skills`.execute(db);
  const timed: Array<{ seconds: number; matches: number }> = [];
  for (const id of fresh.slice(0, runs)) {
    const started = performance.now();
    const outcome = await matchOpportunity(db, id, log);
    timed.push({ seconds: (performance.now() - started) / 1000, matches: outcome.status === 'matched' ? outcome.matches : 0 });
  }
  const stats: IncrementalMatchStats = { runs: timed, medianSeconds: median(timed.map((r) => r.seconds)), spareId: fresh[runs]! };
  if (explain) {
    stats.plan = await explainMatch(db, fresh[runs]!);
    // Postgres's own time for the same statements: their matches dropped again first, so each
    // EXPLAIN ANALYZE inserts what the timed run did (and is rolled back).
    const timedIds = fresh.slice(0, runs);
    await sql`DELETE FROM matches WHERE opportunity_id = ANY (${timedIds}::uuid[])`.execute(db);
    await sql`UPDATE opportunities SET matched_at = NULL WHERE id = ANY (${timedIds}::uuid[])`.execute(db);
    stats.executionMs = [];
    for (const id of timedIds) {
      const plan = await explainMatch(db, id, 'ANALYZE');
      const line = plan.find((l) => l.startsWith('Execution Time'));
      stats.executionMs.push(Number(/([\d.]+) ms/.exec(line ?? '')?.[1] ?? Number.NaN));
    }
  }
  return stats;
}
