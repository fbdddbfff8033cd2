import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Job counts of one queue at scrape time (BullMQ's getJobCounts). */
export type QueueCounts = { waiting: number; active: number; failed: number; delayed: number };

/** What the metrics read at scrape time rather than count as it happens: wired in src/app/. */
export interface MetricSources {
  /** Every queue's counts, one Redis round trip per queue. */
  queueCounts(): Promise<Record<string, QueueCounts>>;
  /** Seconds since the oldest unpublished outbox event was written; 0 when none waits. */
  outboxLagSeconds(): Promise<number>;
  /**
   * This calendar month (UTC) of the loop, by stage: digests sent, interests, introductions,
   * confirmed work. Left out where nothing provides it (tests building metrics alone).
   */
  loopThisMonth?(): Promise<Record<LoopStage, number>>;
}

/** The stages of the loop the operator counts per month (p2p_loop_this_month, `p2p-digest stats`). */
export const LOOP_STAGES = ['digests_sent', 'interests', 'introductions', 'confirmed'] as const;
export type LoopStage = (typeof LOOP_STAGES)[number];

export type DigestOutcome = 'sent' | 'skipped' | 'failed' | 'deferred';
export type InboundOutcome = 'processed' | 'rejected' | 'failed';
export type SmtpErrorClass = '4xx' | '5xx' | 'network';

/** Every metric the service exports, by name: a test pins this list, dashboards and alerts use it. */
export const METRIC_NAMES = [
  'p2p_http_requests_total',
  'p2p_http_request_duration_seconds',
  'p2p_queue_jobs',
  'p2p_digests_total',
  'p2p_smtp_send_duration_seconds',
  'p2p_smtp_send_errors_total',
  'p2p_inbound_messages_total',
  'p2p_matching_duration_seconds',
  'p2p_outbox_lag_seconds',
  'p2p_loop_this_month',
] as const;

const QUEUE_STATES = ['waiting', 'active', 'failed', 'delayed'] as const;

/**
 * The class of an SMTP failure for `p2p_smtp_send_errors_total`: the server's reply code when
 * it gave one (4xx try again later, 5xx refused), `network` when it never answered (refused,
 * timed out, dropped, TLS or DNS trouble).
 */
export function smtpErrorClass(error: unknown): SmtpErrorClass {
  const code = (error as { responseCode?: unknown }).responseCode;
  if (typeof code === 'number' && code >= 500 && code < 600) return '5xx';
  if (typeof code === 'number' && code >= 400 && code < 500) return '4xx';
  return 'network';
}

/**
 * One registry per process (per container: tests build several in one process, so nothing goes
 * to prom-client's global registry). Features record through the small methods below; which
 * feature calls which is wired in src/app/, so this plumbing names no feature module.
 *
 * Counters live in the process that records them: with the roles split over processes, each one
 * that runs workers is scraped too (METRICS_PORT), and Prometheus sums them.
 */
export function createMetrics(sources: MetricSources) {
  // A collect that throws fails the whole scrape in prom-client: while Redis or Postgres is away
  // the gauges read from them go missing instead, and everything else is still scraped.
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];

  const httpRequests = new Counter({
    name: 'p2p_http_requests_total',
    help: 'HTTP requests answered, by method, route pattern (never the raw URL: link tokens are in paths) and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers,
  });
  const httpDuration = new Histogram({
    name: 'p2p_http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by method and route pattern',
    labelNames: ['method', 'route'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers,
  });
  new Gauge({
    name: 'p2p_queue_jobs',
    help: 'Jobs per BullMQ queue and state (waiting, active, failed, delayed), read from Redis at scrape time',
    labelNames: ['queue', 'state'] as const,
    registers,
    async collect() {
      this.reset();
      const all = await sources.queueCounts().catch(() => ({}));
      for (const [queue, counts] of Object.entries(all)) {
        for (const state of QUEUE_STATES) this.set({ queue, state }, counts[state]);
      }
    },
  });
  const digests = new Counter({
    name: 'p2p_digests_total',
    help: 'Digest attempts by outcome: sent, skipped (nothing new, inactive or suppressed partner), failed, deferred (SMTP trouble; retried)',
    labelNames: ['outcome'] as const,
    registers,
  });
  const smtpDuration = new Histogram({
    name: 'p2p_smtp_send_duration_seconds',
    help: 'Time SMTP took to accept or refuse one message, by result (ok, error)',
    labelNames: ['result'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers,
  });
  const smtpErrors = new Counter({
    name: 'p2p_smtp_send_errors_total',
    help: 'SMTP sends that failed, by class: 4xx (try later), 5xx (refused), network (no answer)',
    labelNames: ['class'] as const,
    registers,
  });
  const inbound = new Counter({
    name: 'p2p_inbound_messages_total',
    help: 'Inbound email messages processed, by outcome: processed, rejected, failed',
    labelNames: ['outcome'] as const,
    registers,
  });
  const matching = new Histogram({
    name: 'p2p_matching_duration_seconds',
    help: 'Time one matching job took, by kind: opportunity (against every partner), partner (against open opportunities)',
    labelNames: ['kind'] as const,
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  new Gauge({
    name: 'p2p_outbox_lag_seconds',
    help: 'Age of the oldest outbox event not yet turned into a job (0 when none waits), read at scrape time',
    registers,
    async collect() {
      this.reset();
      const lag = await sources.outboxLagSeconds().catch(() => undefined);
      if (lag !== undefined) this.set(lag);
    },
  });

  new Gauge({
    name: 'p2p_loop_this_month',
    help: 'This calendar month (UTC) of the loop, by stage: digests_sent, interests, introductions, confirmed (work together confirmed by either side), read from Postgres at scrape time',
    labelNames: ['stage'] as const,
    registers,
    async collect() {
      this.reset();
      const counts = await sources.loopThisMonth?.().catch(() => undefined);
      if (counts) for (const stage of LOOP_STAGES) this.set({ stage }, counts[stage]);
    },
  });

  return {
    registry,
    httpRequest(method: string, route: string, status: number, seconds: number): void {
      httpRequests.inc({ method, route, status: String(status) });
      httpDuration.observe({ method, route }, seconds);
    },
    digestFinished(outcome: DigestOutcome, count = 1): void {
      if (count > 0) digests.inc({ outcome }, count);
    },
    smtpSent(seconds: number): void {
      smtpDuration.observe({ result: 'ok' }, seconds);
    },
    smtpFailed(seconds: number, error: unknown): void {
      smtpDuration.observe({ result: 'error' }, seconds);
      smtpErrors.inc({ class: smtpErrorClass(error) });
    },
    inboundFinished(outcome: InboundOutcome): void {
      inbound.inc({ outcome });
    },
    matchingTimed(kind: 'opportunity' | 'partner', seconds: number): void {
      matching.observe({ kind }, seconds);
    },
    /** The text exposition Prometheus scrapes. */
    async scrape(): Promise<{ contentType: string; body: string }> {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
