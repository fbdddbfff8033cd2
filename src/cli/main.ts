import { readFile } from 'node:fs/promises';
import { Command, InvalidArgumentError } from 'commander';
import type { Logger } from 'pino';
import { ConfigError, loadConfig, type Config } from '../platform/config/config.ts';
import { createContainer, prepareDatabase, type Container } from '../app/container.ts';
import { PERIOD_PATTERN } from '../digests/digest-period.ts';
import type { RoundResult } from '../digests/digest.service.ts';
import { AppError } from '../platform/errors/app-errors.ts';
import { startupErrorOf, type Server, type StartupError } from '../platform/errors/startup-errors.ts';
import { probeRedis } from '../platform/queue/redis-connection.ts';
import { createLogger, prettyDestination, wantsPrettyLogs } from '../platform/logging/logger.ts';
import { importPartnersCsv } from '../partners/partner-import.ts';
import { ROLES, startApi, startMetricsEndpoint, startScheduler, startSmtp, startWorker, type Role, type RunningRole } from '../app/roles.ts';
import { seedDemo } from '../seed/demo-seed.ts';
import { storeDevSecrets, withStoredDevSecrets } from './dev-secrets.ts';
import { progressLine } from './progress.ts';
import { loopTable } from './stats-table.ts';

/** Reads the configuration or stops with one message naming every bad variable. */
async function configure(): Promise<{ config: Config; log: Logger }> {
  let config: Config;
  try {
    config = loadConfig(await withStoredDevSecrets(process.env));
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  const pretty = wantsPrettyLogs(config.logFormat, config.env, process.stdout.isTTY);
  const log = createLogger(config.logLevel, pretty ? prettyDestination(process.stdout.isTTY) : undefined);
  if (config.generatedSecrets.length) {
    await storeDevSecrets(config);
    log.warn(
      { generated: config.generatedSecrets, storedIn: 'var/dev-secrets.json', adminToken: config.generatedSecrets.includes('ADMIN_TOKEN') ? config.adminToken : undefined },
      'development secrets generated; set APP_SECRET and ADMIN_TOKEN for anything but a local try-out',
    );
  }
  return { config, log };
}

async function withContainer<T>(fn: (c: Container) => Promise<T>): Promise<T> {
  const { config, log } = await configure();
  await reachServers(config, log, { redis: true, wait: false });
  const container = await createContainer(config, log);
  try {
    return await fn(container);
  } finally {
    await container.close();
  }
}

/**
 * The long-running service's last word on errors nobody caught. A rejected promise nobody awaited
 * is logged and the service runs on: the work it belonged to fails into its job's retry or is
 * picked up by the reconciler. An uncaught exception is a bug that left the process in an unknown
 * state, the one case (besides bad configuration at start, exit 78, and SIGINT/SIGTERM) in which
 * the service exits: code 70, for the supervisor to restart it; leases and the reconciler hand
 * its unfinished work to the others. Lost Postgres and Redis connections never get this far: the
 * pool, the Redis clients and the queues have listeners of their own.
 */
function guardProcess(log: Logger): void {
  process.on('unhandledRejection', (reason) => {
    log.error({ err: reason }, 'unhandled promise rejection; running on');
  });
  process.on('uncaughtException', (err, origin) => {
    log.fatal({ err, origin }, 'uncaught exception; exiting');
    process.exit(70); // EX_SOFTWARE
  });
}

/** One line on stderr, no stack trace, and EX_UNAVAILABLE: the operator has something to fix. */
function exitUnavailable(failure: StartupError): never {
  console.error(failure.message);
  process.exit(69); // EX_UNAVAILABLE
}

/**
 * Runs `step`, which needs `server`. An error about reaching it or logging in to it ends the
 * command with one readable line (see startup-errors.ts); with `wait` (the service's start), a
 * server that refuses connections or does not answer yet is waited for instead (1 s, 2 s, … every
 * 10 s): containers that start together come up in any order. Other errors are thrown as they are.
 */
async function withServer<T>(server: Server, url: string, step: () => Promise<T>, log: Logger, wait: boolean): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await step();
    } catch (err) {
      const failure = startupErrorOf(server, url, err);
      if (!failure) throw err;
      if (!wait || !failure.transient) exitUnavailable(failure);
      const retryInMs = Math.min(1000 * attempt, 10_000);
      log.warn({ attempt, retryInMs, reason: failure.message.replace(/^p2p-digest: /, '') }, `${server.toLowerCase()} is unreachable; waiting for it`);
      await new Promise((resolve) => setTimeout(resolve, retryInMs));
    }
  }
}

/** Postgres created, migrated and synced; Redis answering (when the command uses it). */
async function reachServers(config: Config, log: Logger, options: { redis: boolean; wait: boolean }): Promise<void> {
  await withServer('Postgres', config.databaseUrl, () => prepareDatabase(config, log), log, options.wait);
  if (options.redis) await withServer('Redis', config.redisUrl, () => probeRedis(config.redisUrl), log, options.wait);
}

function parseRoles(value: string): Role[] {
  const roles = value.split(',').map((r) => r.trim()).filter(Boolean);
  const unknown = roles.filter((r) => !(ROLES as readonly string[]).includes(r));
  if (unknown.length || roles.length === 0) throw new InvalidArgumentError(`roles are ${ROLES.join(', ')} (comma-separated)`);
  return roles as Role[];
}

const program = new Command('p2p-digest').description('Income in your inbox: opportunities matched to IT partners, by email.');

program
  .command('start')
  .description('run the service (all roles unless --role says otherwise); applies migrations first')
  .option('--role <roles>', `comma-separated roles: ${ROLES.join(', ')}`, parseRoles, [...ROLES])
  .option('--demo', 'seed demo partners and opportunities when there are none yet')
  .action(async (options: { role: Role[]; demo?: boolean }) => {
    const { config, log } = await configure();
    guardProcess(log);
    await reachServers(config, log, { redis: true, wait: true });
    const container = await createContainer(config, log);
    if (options.demo) {
      const result = await seedDemo(container);
      if (result.seeded) log.info({ partners: result.partners, opportunities: result.opportunities.length }, 'demo data seeded');
    }
    const running: RunningRole[] = [];
    if (options.role.includes('worker')) running.push(startWorker(container));
    if (options.role.includes('scheduler')) running.push(startScheduler(container, { relayMs: 1000, reconcileMs: config.reconcileIntervalMs }));
    if (options.role.includes('smtp')) running.push(await startSmtp(container));
    if (options.role.includes('api')) {
      const api = await startApi(container);
      running.push(api);
      log.info(
        { url: config.publicBaseUrl, mail: container.mailer.mode === 'outbox' ? `${config.publicBaseUrl}/dev/outbox` : 'smtp' },
        'p2p-digest is up: forms at /join and /submit, API docs at /docs',
      );
    }
    if (!options.role.includes('api') && config.metricsPort) {
      const endpoint = await startMetricsEndpoint(container, config.metricsPort);
      running.push({ role: 'worker', stop: () => endpoint.stop() });
      log.info({ url: `${endpoint.url}/metrics` }, 'metrics served');
    }
    log.info({ roles: options.role }, 'started');
    let stopping = false;
    const stop = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      log.info({ signal }, 'stopping');
      await Promise.all(running.map((r) => r.stop()));
      await container.close();
      process.exit(0);
    };
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, (s) => void stop(s));
  });

program
  .command('migrate')
  .description('create the database if missing, apply migrations and sync the skill taxonomy')
  .action(async () => {
    const { config, log } = await configure();
    await reachServers(config, log, { redis: false, wait: false });
    log.info('database is up to date');
  });

program
  .command('seed')
  .description('seed data')
  .requiredOption('--demo', 'about 60 demo partners and a handful of matched opportunities')
  .action(async () => {
    await withContainer(async (c) => {
      const progress = progressLine(process.stderr, 'seeding demo data');
      const result = await seedDemo(c, new Date(), (done, total) => progress.update(done, total));
      if (result.seeded) progress.finish();
      if (!result.seeded) {
        console.log('Demo data is already there; nothing to do.');
        return;
      }
      console.log(`Seeded ${result.partners} demo partners and ${result.opportunities.length} opportunities:`);
      for (const o of result.opportunities) console.log(`  ${o.id}  ${String(o.matches).padStart(3)} matches  ${o.title}`);
    });
  });

const digest = program.command('digest').description('weekly digests');
digest
  .command('run')
  .description('run a digest round now, in this process, and print what it did; a second run for the same period sends nothing')
  .option('--period <period>', 'the period to run, e.g. 2026-W48 or 2026-11 (default: each partner\'s current one)', (value: string) => {
    if (!PERIOD_PATTERN.test(value)) throw new InvalidArgumentError('a period looks like 2026-W48 (a week) or 2026-11 (a month)');
    return value;
  })
  .option('--partner <id>', 'only this partner (treated as due now)', (value: string) => {
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value)) throw new InvalidArgumentError('a partner id is a UUID');
    return value;
  })
  .option('--now', 'treat every active partner as due, whatever their local time')
  .option('--wait <seconds>', 'how long to wait out SMTP trouble and rows another process holds before reporting what is left', (value: string) => {
    if (!/^\d{1,6}$/.test(value)) throw new InvalidArgumentError('seconds, a whole number (0 = do not wait)');
    return Number(value);
  }, 300)
  .action(async (options: { period?: string; partner?: string; now?: boolean; wait: number }) => {
    await withContainer(async (c) => {
      const progress = progressLine(process.stderr, 'digest round');
      const result = await c.digests.runRound({
        everyone: Boolean(options.now || options.partner || options.period),
        period: options.period,
        partnerId: options.partner,
        waitMs: options.wait * 1000,
        onProgress: (handled, total) => progress.update(handled, total),
      });
      progress.finish();
      console.log(
        `digest round: ${result.sent} sent, ${result.skipped} skipped, ${result.failed} failed, ${result.alreadyDone} already done (${result.created} new ledger rows)`,
      );
      for (const line of roundLeftovers(result)) console.log(line);
      if (result.failed) process.exitCode = 1;
      else if (result.leftForRetry || result.heldElsewhere) process.exitCode = 75; // EX_TEMPFAIL
    });
  });

/** What a round left unfinished, said plainly: nothing is counted as done that is not. */
function roundLeftovers(result: RoundResult): string[] {
  const lines: string[] = [];
  const at = (d: Date) => d.toISOString().replace(/\.\d+Z$/, 'Z');
  if (result.leftForRetry) {
    const next =
      result.nextAttemptAt && result.nextAttemptAt > new Date()
        ? `next attempt at ${at(result.nextAttemptAt)} (SMTP is unreachable until then)`
        : 'next attempt by a running worker (within a few minutes) or by running this again';
    lines.push(`${result.leftForRetry} left for retry, ${next}; failed if still unsent at ${result.giveUpAt ? at(result.giveUpAt) : 'the end of the send window'}`);
  }
  if (result.heldElsewhere) lines.push(`${result.heldElsewhere} held by another worker (being sent by another process right now)`);
  if (result.notDue) lines.push(`${result.notDue} built ahead, waiting for their send moment (a worker sends each then)`);
  return lines;
}

program
  .command('stats')
  .description('the loop per month (UTC): digests sent, interests, introductions, confirmed work together')
  .option('--months <n>', 'how many months, this one included', (value: string) => {
    if (!/^\d{1,3}$/.test(value) || Number(value) < 1 || Number(value) > 120) throw new InvalidArgumentError('a whole number of months, 1 to 120');
    return Number(value);
  }, 6)
  .option('--json', 'print JSON (one object a month, oldest first) instead of a table')
  .action(async (options: { months: number; json?: boolean }) => {
    await withContainer(async (c) => {
      const rows = await c.outcomes.perMonth(options.months);
      console.log(options.json ? JSON.stringify(rows, null, 2) : loopTable(rows));
    });
  });

const partners = program.command('partners').description('partner administration');
partners
  .command('import')
  .argument('<file>', 'CSV file with a header row (company, contact_name, email, regions, skills, …)')
  .description('import partners from CSV; importing the same file twice changes nothing')
  .action(async (file: string) => {
    const csv = await readFile(file).catch(() => {
      console.error(`Cannot read ${file}`);
      process.exit(66); // EX_NOINPUT
    });
    await withContainer(async (c) => {
      let report;
      const progress = progressLine(process.stderr, `importing ${file}`);
      try {
        report = await importPartnersCsv(csv, c.partners, (done, total) => progress.update(done, total));
        progress.finish();
      } catch (error) {
        if (error instanceof AppError) {
          console.error(`${file}: ${error.message}`);
          process.exitCode = 65; // EX_DATAERR
          return;
        }
        throw error;
      }
      console.log(`${file}: ${report.created} created, ${report.updated} updated, ${report.unchanged} unchanged, ${report.rejected.length} rejected`);
      for (const r of report.rejected) {
        console.log(`  line ${r.line}${r.email ? ` (${r.email})` : ''}: ${r.reasons.join('; ')}`);
      }
      if (report.rejected.length) process.exitCode = 65;
    });
  });

partners
  .command('profile-evidence')
  .description("reads every partner's profile again for the skills it names (run once after upgrading, and after taxonomy changes)")
  .action(async () => {
    await withContainer(async (c) => {
      const { partners: read, changed } = await c.partners.refreshProfileEvidence();
      console.log(`${read} partner profiles read, ${changed} with changed profile evidence (those active are matched again)`);
    });
  });

await program.parseAsync(process.argv);
