/**
 * `npm run bench:hour`: the worst hour. Every partner due at once, the tick run as in production,
 * and the worker role (`p2p-digest start --role worker`) in 1, then 2, separate processes doing the
 * round through BullMQ: wall time from the tick to the last ledger row finished, and where it goes
 * (CPU of each worker process, of Postgres, of the SMTP sink, of the tick).
 *
 * A measurement, not a test: it prints numbers and exits 0 (non-zero only when something breaks).
 * Everything it creates is its own: a database p2p_bench_hour_<random> (dropped at the end, also
 * on failure), a BullMQ prefix (its keys deleted at the end), an SMTP sink in a separate process
 * (the one `npm run bench` uses), and the worker processes (stopped at the end).
 *
 * Knobs (environment): BENCH_DATABASE_URL, BENCH_REDIS_URL (as `npm run bench`),
 * BENCH_HOUR_PARTNERS (100000: partners seeded, all due in the same hour), BENCH_HOUR_OPPORTUNITIES
 * (500: open opportunities, matched against every partner before the hour),
 * BENCH_HOUR_WORKERS ("1,2": worker processes for each round, one round per entry),
 * BENCH_SMTP_SINK (node: the Node sink even where Postfix's is installed), MAX_REACH_PER_ROUND
 * (passed to the tick and the workers; 25 by default, as in the service).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import pg from 'pg';
import { pino } from 'pino';
import { createContainer, prepareDatabase, type Container } from '../src/app/container.ts';
import { matchOpportunity } from '../src/matching/match.service.ts';
import { loadConfig } from '../src/platform/config/config.ts';
import { cpuDelta, cpuSecondsOfAll } from './profile.ts';
import { seedOpportunities, seedPartners } from './seed.ts';
import { startSmtpSink, type BenchSmtpSink } from './smtp-sink.ts';
import { cleanUpOnSignal, runCleanup, type CleanupStep } from './cleanup.ts';

const intEnv = (name: string, fallback: number) => {
  const value = process.env[name];
  if (!value) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer`);
  return n;
};

const SERVER_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const PARTNERS = intEnv('BENCH_HOUR_PARTNERS', 100_000);
const OPPORTUNITIES = intEnv('BENCH_HOUR_OPPORTUNITIES', 500);
const WORKERS = (process.env.BENCH_HOUR_WORKERS ?? '1,2')
  .split(',')
  .map((v) => Number(v.trim()))
  .filter((n) => Number.isInteger(n) && n > 0);
if (WORKERS.length === 0) throw new Error('BENCH_HOUR_WORKERS must list worker process counts, e.g. "1,2"');
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = path.join(ROOT, 'bin', 'p2p-digest.mjs');

const log = pino({ level: 'silent' });
const say = (line: string) => process.stderr.write(`[bench:hour] ${line}\n`);
const seconds = (since: number) => (performance.now() - since) / 1000;
const round1 = (n: number) => Math.round(n * 10) / 10;
const round2 = (n: number) => Math.round(n * 100) / 100;
const pct = (share: number) => `${Math.round(share * 100)}%`;

function databaseUrl(name: string): string {
  const url = new URL(SERVER_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

async function dropDatabase(name: string): Promise<void> {
  const client = new pg.Client({ connectionString: SERVER_URL });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

/** Peak resident set of a process (VmHWM), in MB; undefined when /proc cannot tell. */
async function peakRssMb(pid: number): Promise<number | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kb = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
    return kb ? Number(kb) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Backend pids of the bench database plus Postgres's own background writers. */
async function postgresPids(c: Container, dbName: string): Promise<number[]> {
  const rows = await sql<{ pid: number }>`
    SELECT pid FROM pg_stat_activity
     WHERE datname = ${dbName}
        OR backend_type IN ('walwriter', 'checkpointer', 'background writer', 'autovacuum worker')
  `.execute(c.db);
  return rows.rows.map((r) => r.pid);
}

interface WorkerProcess {
  child: ChildProcess;
  pid: number;
  stop(): Promise<void>;
}

/** `p2p-digest start --role worker` in a process of its own; resolves once it logged "started". */
async function startWorkerProcess(env: Record<string, string>, index: number): Promise<WorkerProcess> {
  // The worker processes run with this process's Node flags (npm run bench:hour gives the service's).
  const child = spawn(process.execPath, [...process.execArgv, CLI, 'start', '--role', 'worker'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tail = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker ${index} did not start within 60 s: ${tail.slice(-500)}`)), 60_000);
    const onData = (chunk: Buffer) => {
      tail = (tail + chunk.toString('utf8')).slice(-4000);
      if (/"msg":"started"/.test(tail)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk: Buffer) => (tail = (tail + chunk.toString('utf8')).slice(-4000)));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`worker ${index} exited (code ${code}) before starting: ${tail.slice(-500)}`));
    });
  });
  // Keep reading (a full pipe would stall the worker); only warnings and errors are printed.
  child.stdout.removeAllListeners('data');
  child.stdout.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) if (/"level":(40|50|60)/.test(line)) say(`worker ${index}: ${line.slice(0, 300)}`);
  });
  if (child.pid === undefined) throw new Error('worker has no pid');
  const pid = child.pid;
  return {
    child,
    pid,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

interface HourRound {
  workers: number;
  rows: number;
  sent: number;
  skipped: number;
  failed: number;
  cards: number;
  tickSeconds: number;
  /** What the tick wrote for fair exposure: digest_reach rows (places given, and before 0024 every held-back candidate too), and the candidates held back. */
  reachRows: number;
  heldBack: number;
  /** From the tick's start until no row is pending or building, and until every row is finished. */
  builtSeconds: number;
  wallSeconds: number;
  /** CPU of each worker process over the wall time (1 = one core all along), and their peak RSS. */
  workerCpu: number[];
  workerPeakRssMb: number[];
  postgresCpu: number | undefined;
  sinkCpu: number | undefined;
  benchCpu: number;
  loadAverage: number[];
}

async function main(): Promise<void> {
  const dbName = `p2p_bench_hour_${randomBytes(5).toString('hex')}`;
  const prefix = `p2pbench-hour-${randomBytes(4).toString('hex')}`;
  let sink: BenchSmtpSink | undefined;
  let c: Container | undefined;
  let workers: WorkerProcess[] = [];
  let databaseCreated = false;
  let cleaned = false;

  const cleanup = async () => {
    if (cleaned) return;
    cleaned = true;
    const steps: CleanupStep[] = [
      ['workers', async () => Promise.all(workers.map((w) => w.stop()))],
      [
        'redis keys',
        async () => {
          if (!c) return;
          let cursor = '0';
          do {
            const [next, keys] = await c.redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
            cursor = next;
            if (keys.length) await c.redis.del(...keys);
          } while (cursor !== '0');
        },
      ],
      ['container', async () => c?.close()],
      ['smtp sink', async () => sink?.stop()],
      ['database', async () => (databaseCreated ? dropDatabase(dbName) : undefined)],
    ];
    await runCleanup(steps, say);
  };
  const stopListening = cleanUpOnSignal(cleanup, say);

  try {
    sink = await startSmtpSink();
    say(`SMTP sink: ${sink.kind} (pid ${sink.pid}) at ${sink.url}`);
    // One environment for the bench's own container (the tick) and every worker process.
    const env: Record<string, string> = {
      NODE_ENV: 'production',
      DATABASE_URL: databaseUrl(dbName),
      REDIS_URL,
      SMTP_URL: sink.url,
      QUEUE_PREFIX: prefix,
      APP_SECRET: 'bench-app-secret-0123456789-0123456789',
      ADMIN_TOKEN: 'bench-admin-token-0123456789',
      PUBLIC_BASE_URL: 'https://p2p-digest.example',
      MAIL_FROM: 'p2p-digest <digest@p2p-digest.example>',
      OPERATOR_ADDRESS: 'p2p-digest · Example Street 1 · 12345 Example City',
      LOG_LEVEL: 'info',
      LOG_FORMAT: 'json',
      ...(process.env.MAX_REACH_PER_ROUND ? { MAX_REACH_PER_ROUND: process.env.MAX_REACH_PER_ROUND } : {}),
    };
    const config = loadConfig({ ...env, LOG_LEVEL: 'silent' });
    databaseCreated = true;
    await prepareDatabase(config, log);
    c = await createContainer(config, log);
    const container = c;

    // ── Seed and match, before the hour ───────────────────────────────────────────────────
    let t = performance.now();
    await seedPartners(c.db, 1, PARTNERS);
    // Everyone due in this hour: weekly, on today's weekday at this hour, each in their own zone.
    await sql`
      UPDATE partners
         SET digest_frequency = 'weekly',
             digest_day = extract(isodow FROM now() AT TIME ZONE timezone)::int,
             digest_hour = extract(hour FROM now() AT TIME ZONE timezone)::int
    `.execute(c.db);
    const opportunityIds = await seedOpportunities(c.db, 1, OPPORTUNITIES);
    say(`seeded ${PARTNERS} partners (all due this hour) and ${opportunityIds.length} opportunities in ${seconds(t).toFixed(1)} s`);
    t = performance.now();
    let matches = 0;
    let next = 0;
    // Two at a time: the match job's concurrency on a 2-core machine.
    await Promise.all(
      [0, 1].map(async () => {
        for (let i = next++; i < opportunityIds.length; i = next++) {
          const outcome = await matchOpportunity(container.db, opportunityIds[i]!, log);
          if (outcome.status === 'matched') matches += outcome.matches;
        }
      }),
    );
    const matchSeconds = seconds(t);
    say(`matched ${opportunityIds.length} opportunities against ${PARTNERS} partners in ${matchSeconds.toFixed(1)} s: ${matches} matches`);
    await sql`VACUUM (ANALYZE) partners, partner_skills, matches, opportunities`.execute(c.db);

    // ── The hour, once per worker count ───────────────────────────────────────────────────
    const rounds: HourRound[] = [];
    for (const count of WORKERS) {
      // digest_held_back since migration 0024 (the bench also runs on code from before it, for comparisons).
      const heldBackTable = (await sql<{ t: string | null }>`SELECT to_regclass('digest_held_back')::text AS t`.execute(c.db)).rows[0]?.t;
      await sql`TRUNCATE digest_items, digest_reach, digests`.execute(c.db);
      if (heldBackTable) await sql`TRUNCATE digest_held_back`.execute(c.db);
      workers = [];
      for (let i = 0; i < count; i++) workers.push(await startWorkerProcess(env, i + 1));
      say(`${count} worker process${count > 1 ? 'es' : ''} started (pids ${workers.map((w) => w.pid).join(', ')})`);
      // Let their start-up (migration check, taxonomy sync, connections) settle before timing.
      await new Promise((r) => setTimeout(r, 2000));

      const workerPids = workers.map((w) => w.pid);
      const workersBefore = await Promise.all(workerPids.map((pid) => cpuSecondsOfAll([pid])));
      const pgBefore = await cpuSecondsOfAll(await postgresPids(c, dbName));
      const sinkBefore = await cpuSecondsOfAll([sink.pid]);
      const benchBefore = process.cpuUsage();
      const started = performance.now();
      // The tick, as the digest-tick job runs it: the ledger rows and digest_reach in one
      // transaction, then the build jobs for the workers.
      const { created } = await c.digests.tick();
      const tickSeconds = seconds(started);
      if (created !== PARTNERS) say(`warning: the tick created ${created} rows, not ${PARTNERS}`);
      const written = (
        await sql<{ reachRows: number; heldBack: number }>`
          SELECT (SELECT count(*) FROM digest_reach)::int AS "reachRows",
                 ((SELECT count(*) FROM digest_reach WHERE held_back) +
                  ${heldBackTable ? sql`(SELECT coalesce(sum(cardinality(partner_ids)), 0) FROM digest_held_back)` : sql`0`})::int AS "heldBack"
        `.execute(c.db)
      ).rows[0]!;
      say(`the tick: ${created} ledger rows, ${written.reachRows} digest_reach rows (${written.heldBack} candidates held back) in ${tickSeconds.toFixed(1)} s`);
      let builtSeconds: number | undefined;
      let lastReport = performance.now();
      // Backends come and go with the pools: keep the last CPU figure of every one seen.
      const pgSeen = new Map(pgBefore);
      let lastPgSample = 0;
      for (;;) {
        if (performance.now() - lastPgSample > 1000) {
          lastPgSample = performance.now();
          for (const [pid, cpu] of await cpuSecondsOfAll(await postgresPids(c, dbName))) pgSeen.set(pid, cpu);
        }
        const { rows } = await sql<{ open: number; unbuilt: number; finished: number }>`
          SELECT count(*) FILTER (WHERE status NOT IN ('sent', 'skipped', 'failed'))::int AS open,
                 count(*) FILTER (WHERE status IN ('pending', 'building'))::int AS unbuilt,
                 count(*) FILTER (WHERE status IN ('sent', 'skipped', 'failed'))::int AS finished
            FROM digests
        `.execute(c.db);
        const state = rows[0]!;
        if (builtSeconds === undefined && state.unbuilt === 0) builtSeconds = seconds(started);
        if (state.open === 0) break;
        if (performance.now() - lastReport > 15_000) {
          lastReport = performance.now();
          say(`  ${seconds(started).toFixed(0)} s: ${state.finished} finished, ${state.unbuilt} not built yet`);
        }
        if (seconds(started) > 3600) throw new Error('the round did not finish within an hour');
        await new Promise((r) => setTimeout(r, 200));
      }
      const wallSeconds = seconds(started);
      const benchCpu = process.cpuUsage(benchBefore);
      const workersAfter = await Promise.all(workerPids.map((pid) => cpuSecondsOfAll([pid])));
      for (const [pid, cpu] of await cpuSecondsOfAll(await postgresPids(c, dbName))) pgSeen.set(pid, cpu);
      const pgAfter = pgSeen;
      const sinkAfter = await cpuSecondsOfAll([sink.pid]);
      const workerPeakRssMb = (await Promise.all(workerPids.map(peakRssMb))).map((mb) => Math.round(mb ?? 0));
      const counts = await sql<{ sent: number; skipped: number; failed: number; rows: number; cards: number }>`
        SELECT count(*) FILTER (WHERE status = 'sent')::int AS sent,
               count(*) FILTER (WHERE status = 'skipped')::int AS skipped,
               count(*) FILTER (WHERE status = 'failed')::int AS failed,
               count(*)::int AS rows,
               (SELECT count(*) FROM digest_items)::int AS cards
          FROM digests
      `.execute(c.db);
      const n = counts.rows[0]!;
      await Promise.all(workers.map((w) => w.stop()));
      workers = [];
      const round: HourRound = {
        workers: count,
        ...n,
        tickSeconds,
        ...written,
        builtSeconds: builtSeconds ?? wallSeconds,
        wallSeconds,
        workerCpu: workersBefore.map((before, i) => cpuDelta(before, workersAfter[i]!) / wallSeconds),
        workerPeakRssMb,
        postgresCpu: pgAfter.size ? cpuDelta(pgBefore, pgAfter) / wallSeconds : undefined,
        sinkCpu: sinkAfter.size ? cpuDelta(sinkBefore, sinkAfter) / wallSeconds : undefined,
        benchCpu: (benchCpu.user + benchCpu.system) / 1e6 / wallSeconds,
        loadAverage: os.loadavg().map(round2),
      };
      rounds.push(round);
      say(
        `${count} worker process${count > 1 ? 'es' : ''}: ${n.rows} rows (${n.sent} sent, ${n.skipped} skipped, ${n.failed} failed; ${n.cards} cards) ` +
          `in ${wallSeconds.toFixed(1)} s (tick ${tickSeconds.toFixed(1)} s, all built at ${round.builtSeconds.toFixed(1)} s); ` +
          `CPU of a core: workers ${round.workerCpu.map(pct).join(' + ')}, postgres ${round.postgresCpu === undefined ? '?' : pct(round.postgresCpu)}, ` +
          `sink ${round.sinkCpu === undefined ? '?' : pct(round.sinkCpu)}, tick and polling ${pct(round.benchCpu)}; worker peak RSS ${workerPeakRssMb.join(' / ')} MB; ` +
          `load ${round.loadAverage.join(' ')}`,
      );
    }

    // ── Report ────────────────────────────────────────────────────────────────────────────
    const first = rounds[0]!;
    const summary = {
      partners: PARTNERS,
      opportunities: opportunityIds.length,
      matches,
      matchSeconds: round1(matchSeconds),
      maxReachPerRound: config.maxReachPerRound,
      rounds: rounds.map((r) => ({
        ...r,
        tickSeconds: round2(r.tickSeconds),
        builtSeconds: round1(r.builtSeconds),
        wallSeconds: round1(r.wallSeconds),
        workerCpu: r.workerCpu.map(round2),
        postgresCpu: r.postgresCpu === undefined ? undefined : round2(r.postgresCpu),
        sinkCpu: r.sinkCpu === undefined ? undefined : round2(r.sinkCpu),
        benchCpu: round2(r.benchCpu),
        secondsPer10kPartners: round2(r.wallSeconds / (PARTNERS / 10_000)),
        sentPerSecond: Math.round(r.sent / r.wallSeconds),
        rowsPerSecond: Math.round(r.rows / r.wallSeconds),
      })),
      node: process.version,
      cpus: os.cpus().length,
    };
    process.stdout.write(`${JSON.stringify(summary, null, 2)}\n\n`);
    const out: string[] = [];
    out.push(
      `the hour at ${PARTNERS} partners (${opportunityIds.length} opportunities, ${matches} matches, MAX_REACH_PER_ROUND ${config.maxReachPerRound}):`,
    );
    for (const r of summary.rounds) {
      out.push(
        `  ${r.workers} worker process${r.workers > 1 ? 'es' : ''}: ${r.wallSeconds} s from tick to last row ` +
          `(${r.secondsPer10kPartners} s per 10,000 partners; ${r.sent} sent, ${r.skipped} skipped, ${r.failed} failed); ` +
          `tick ${r.tickSeconds} s (${r.reachRows} digest_reach rows, ${r.heldBack} held back), built by ${r.builtSeconds} s; workers ${r.workerCpu.map(pct).join(' + ')} of a core, ` +
          `postgres ${r.postgresCpu === undefined ? '?' : pct(r.postgresCpu)}, sink ${r.sinkCpu === undefined ? '?' : pct(r.sinkCpu)}`,
      );
    }
    for (const r of rounds.slice(1)) {
      const gain = 1 - r.wallSeconds / first.wallSeconds;
      out.push(
        `  ${r.workers} processes against ${first.workers}: ${gain >= 0 ? `${pct(gain)} less wall time` : `${pct(-gain)} more wall time`} ` +
          `(${os.cpus().length} cores; Postgres ${r.postgresCpu === undefined ? '?' : pct(r.postgresCpu)} of a core, the workers ${pct(r.workerCpu.reduce((a, b) => a + b, 0))} together)`,
      );
    }
    process.stdout.write(`${out.join('\n')}\n`);
  } finally {
    stopListening();
    await cleanup();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
