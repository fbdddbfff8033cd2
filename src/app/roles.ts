import type { Worker } from 'bullmq';
import Fastify from 'fastify';
import { installErrorHandler } from '../platform/http/error-handler.ts';
import { metricsRoutes } from '../platform/metrics/metrics.routes.ts';
import type { Container } from './container.ts';
import { buildApp } from './http-app.ts';
import { httpSettings } from './app-deps.ts';
import { notifyInterests } from '../interests/interest-notifier.ts';
import { matchOpportunity, matchPartner } from '../matching/match.service.ts';
import { relayOutboxOnce } from '../platform/outbox/outbox-relay.ts';
import { startWorkers } from '../platform/queue/queues.ts';
import { JOBS, QUEUE_CONCURRENCY, queueLockDurations, type JobHandlers, type QueueName } from './jobs.ts';
import { startSmtpListener } from '../inbound/intake/smtp-listener.ts';
import { prepareUnderstanding } from '../inbound/inbound.service.ts';
import { poll } from '../platform/queue/poller.ts';
import { queueStateMarker } from '../platform/queue/queue-state-marker.ts';
import { reconcileOnce, watchQueueState } from './reconcile.ts';

export const ROLES = ['api', 'worker', 'scheduler', 'smtp'] as const;
export type Role = (typeof ROLES)[number];

export interface RunningRole {
  role: Role;
  stop(): Promise<void>;
}

/** The HTTP server: forms, JSON API, link pages, health. */
export async function startApi(c: Container): Promise<RunningRole & { url: string }> {
  const app = await buildApp({
    ...c,
    settings: httpSettings(c.config, c.mailer.mode),
  });
  const url = await app.listen({ host: c.config.host, port: c.config.port });
  return { role: 'api', url, stop: () => app.close() };
}

/**
 * /metrics on METRICS_PORT for a process without the api role (a worker on a machine of its own):
 * its counters (digests, SMTP, matching, inbound) live in this process, so it is scraped itself.
 */
export async function startMetricsEndpoint(c: Container, port: number): Promise<{ url: string; stop(): Promise<void> }> {
  const app = Fastify({ logger: false });
  installErrorHandler(app, c.pages);
  await app.register(metricsRoutes(c.metrics, c.config.metricsToken));
  const url = await app.listen({ host: c.config.host, port });
  return { url, stop: () => app.close() };
}

/** The email intake's SMTP listener (INBOUND_SMTP_PORT): stores what reaches our addresses. */
export async function startSmtp(c: Container, port = c.config.inboundSmtpPort): Promise<RunningRole & { port: number }> {
  const listener = await startSmtpListener({
    accept: (message) => c.intake.accept(message),
    log: c.log,
    settings: {
      intakeAddresses: c.config.intakeAddresses,
      unsubscribeMailto: c.config.unsubscribeMailto,
      host: c.config.host,
      port,
      maxBytes: c.config.inboundMaxBytes,
      serverName: c.mailDomain,
      ...c.config.inboundSmtpLimits,
    },
  });
  return { role: 'smtp', port: listener.port, stop: () => listener.stop() };
}

/** Runs `work` and reports how long it took, whether it succeeded or failed. */
async function timed<T>(report: (seconds: number) => void, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await work();
  } finally {
    report((performance.now() - started) / 1000);
  }
}

/** The job handlers: the one place that says which code runs for which job. */
export function jobHandlers(c: Container): JobHandlers {
  return {
    'match-opportunity': async ({ opportunityId }) => {
      const outcome = await timed((seconds) => c.metrics.matchingTimed('opportunity', seconds), () => matchOpportunity(c.db, opportunityId, c.log));
      // Urgent work goes out as soon as it is matched; lost, the reconciler's urgent pass finds it.
      if (outcome.status === 'matched' && outcome.urgent) await c.queues.enqueue('urgent-alert', { opportunityId }, `urgent-alert-${opportunityId}`);
    },
    'match-partner': async ({ partnerId }) => {
      await timed((seconds) => c.metrics.matchingTimed('partner', seconds), () => matchPartner(c.db, partnerId, c.log));
    },
    'send-mail': async (data, job) => {
      await c.mail.send(data, String(job.id));
    },
    'digest-tick': async () => {
      await c.digests.tick();
    },
    'digest-build': async ({ digestIds }) => {
      await c.digests.buildJob(digestIds);
    },
    'digest-send': async ({ digestIds }) => {
      await c.digests.sendJob(digestIds);
    },
    'urgent-alert': async ({ opportunityId }) => {
      await c.digests.startUrgent({ opportunityId });
    },
    'inbound-process': async ({ inboundId }) => {
      await c.inbound.process(inboundId);
    },
  };
}

/** BullMQ workers: the only role that consumes jobs. */
export function startWorker(c: Container, concurrency: Record<QueueName, number> = QUEUE_CONCURRENCY): RunningRole {
  const lockDurationMs = queueLockDurations(c.config.inboundDnsTimeoutMs);
  // Before any job: reading the city data holds the thread about half a second.
  if (concurrency.inbound > 0) prepareUnderstanding();
  const workers: Worker[] = startWorkers(JOBS, { ...c.queueSettings, concurrency, lockDurationMs }, jobHandlers(c), c.log);
  return { role: 'worker', stop: async () => void (await Promise.all(workers.map((w) => w.close()))) };
}

export interface SchedulerIntervals {
  /** The outbox relay's interval; the watch for lost queue state in Redis runs as often. */
  relayMs: number;
  reconcileMs: number;
  /** How often submitters' batched interest emails are looked for; by default as often as reconciling (a minute). */
  interestNotifyMs?: number;
  /** How often due outcome questions and reminders are looked for; by default as often as the interest notifier. */
  outcomeAskMs?: number;
  /** How often expired console sign-in requests and sessions are deleted; hourly by default. */
  housekeepingMs?: number;
}

const HOUSEKEEPING_MS = 3_600_000;

/**
 * The outbox relay, the reconciler that rebuilds lost queue state from Postgres (and its watch,
 * which starts a pass at once when Redis loses our keys), the interest notifier that batches
 * "I'm interested" into emails to submitters, the outcome loop's questions and reminders, and the console's housekeeping (expired sign-in
 * requests and sessions, hourly). Each is a poller: an outage fails its runs, which
 * are retried with backoff, and the role keeps running.
 */
export function startScheduler(c: Container, intervals: SchedulerIntervals = { relayMs: 1000, reconcileMs: 60_000 }): RunningRole {
  const relay = poll('outbox-relay', intervals.relayMs, () => relayOutboxOnce(c.db, c.outboxRoutes, c.log), c.log);
  const marker = queueStateMarker(c.redis, c.config.queuePrefix);
  const reconciler = poll('reconcile', intervals.reconcileMs, () => reconcileOnce(c, marker), c.log);
  const watcher = watchQueueState(marker, reconciler, intervals.relayMs, c.log);
  // A poller of its own: a slow or failing reconcile pass must not hold up submitters' emails.
  const interestNotifier = poll(
    'interest-notify',
    intervals.interestNotifyMs ?? intervals.reconcileMs,
    async () => {
      const requested = await notifyInterests(c.db, { batchMinutes: c.config.interestBatchMinutes, now: new Date() });
      if (requested) c.log.info({ requested }, 'interest summaries requested');
    },
    c.log,
  );
  // The outcome loop's questions and reminders, as often as the interest notifier (a minute).
  const outcomeAsker = poll(
    'outcome-ask',
    intervals.outcomeAskMs ?? intervals.interestNotifyMs ?? intervals.reconcileMs,
    async () => {
      const done = await c.outcomes.askAndRemind();
      if (done.asked || done.reminded) c.log.info(done, 'outcome questions requested');
    },
    c.log,
  );
  const housekeeping = poll(
    'admin-housekeeping',
    intervals.housekeepingMs ?? HOUSEKEEPING_MS,
    async () => {
      const deleted = await c.adminAuth.deleteExpired();
      if (deleted.signInRequests || deleted.sessions) c.log.info(deleted, 'expired console sign-ins deleted');
    },
    c.log,
  );
  return {
    role: 'scheduler',
    stop: async () => void (await Promise.all([relay.stop(), watcher.stop(), reconciler.stop(), interestNotifier.stop(), outcomeAsker.stop(), housekeeping.stop()])),
  };
}
