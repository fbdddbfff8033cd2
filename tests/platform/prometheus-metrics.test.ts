/**
 * /metrics: the names an operator's dashboards and alerts rely on, the figures moving during a
 * real digest round over SMTP, route patterns (never raw URLs with their tokens) as labels, and
 * the optional bearer token.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addOpportunity, addPartner } from '../support/digest-fixtures.ts';
import { startMetricsEndpoint } from '../../src/app/roles.ts';
import { partnerPayload } from '../support/factories.ts';
import { createTestStack, type TestStack } from '../support/test-stack.ts';

/** The names docs/operations.md's alerts and scrape examples use: renaming one breaks them. */
const PINNED_NAMES = [
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
];

let t: TestStack;
const reject = new Set(['refused@partners.example']);
const defer = new Set(['later@partners.example']);

beforeAll(async () => {
  t = await createTestStack({}, { reject, defer });
  await addOpportunity(t, 'AKS platform for a machine builder', ['AKS'], { remote: true, regions: [] });
  for (const key of ['kube', 'kube2', 'kube3']) await addPartner(t, key, ['AKS']);
  await addPartner(t, 'refused', ['AKS']);
  await addPartner(t, 'later', ['AKS']);
  await addPartner(t, 'idle', ['SAP on Azure']);
});
afterAll(async () => {
  await t?.close();
});

async function scrape(headers: Record<string, string> = {}): Promise<string> {
  const response = await t.app.inject({ method: 'GET', url: '/metrics', headers });
  expect(response.statusCode).toBe(200);
  expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  return response.body;
}

/** A sample's value from the exposition text (0 when the series has not appeared yet). */
function sample(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

describe('/metrics', () => {
  it('exports every pinned metric with its help and type', async () => {
    const text = await scrape();
    for (const name of PINNED_NAMES) {
      expect(text, name).toMatch(new RegExp(`^# HELP ${name} \\S`, 'm'));
      expect(text, name).toMatch(new RegExp(`^# TYPE ${name} (counter|gauge|histogram)$`, 'm'));
    }
    // Node's own (event loop lag, heap, CPU) come along.
    expect(text).toMatch(/^# TYPE process_cpu_seconds_total counter$/m);
  });

  it('shows the digest and SMTP counters moving during a digest round over real SMTP', async () => {
    const before = await scrape();
    // SMTP takes its time over each message and the round sends one at a time, so scrapes land
    // while it is under way.
    t.smtp.options.ackDelayMs = 150;
    let settled = false;
    const round = t.c.digests.runRound({ everyone: true, waitMs: 0, concurrency: 1 }).finally(() => (settled = true));
    const sentDuring: number[] = [];
    while (!settled) {
      const text = await scrape();
      if (!settled) sentDuring.push(sample(text, 'p2p_digests_total{outcome="sent"}'));
      await new Promise((r) => setTimeout(r, 20));
    }
    const result = await round;
    t.smtp.options.ackDelayMs = 0;
    const after = await scrape();

    expect(result).toMatchObject({ sent: 3, failed: 1, skipped: 1, leftForRetry: 1 });
    expect(sample(before, 'p2p_digests_total{outcome="sent"}')).toBe(0);
    // Moving during the round: a scrape before its end already counted sent digests, not yet all.
    expect(Math.max(...sentDuring)).toBeGreaterThanOrEqual(1);
    expect(Math.min(...sentDuring)).toBeLessThan(3);
    expect(sample(after, 'p2p_digests_total{outcome="sent"}')).toBe(3);
    expect(sample(after, 'p2p_digests_total{outcome="failed"}')).toBe(1); // 550: the server's final word
    expect(sample(after, 'p2p_digests_total{outcome="skipped"}')).toBe(1); // nothing for the idle partner
    expect(sample(after, 'p2p_digests_total{outcome="deferred"}')).toBe(1); // 451: retried later
    expect(sample(after, 'p2p_smtp_send_errors_total{class="5xx"}')).toBe(1);
    expect(sample(after, 'p2p_smtp_send_errors_total{class="4xx"}')).toBe(1);
    expect(sample(after, 'p2p_smtp_send_duration_seconds_count{result="ok"}')).toBe(3);
    expect(sample(after, 'p2p_smtp_send_duration_seconds_count{result="error"}')).toBe(2);
    // Read at scrape time: every queue is listed with its four states.
    expect(after).toMatch(/^p2p_queue_jobs\{queue="digest-send",state="waiting"\} \d+$/m);
    expect(after).toMatch(/^p2p_queue_jobs\{queue="mail",state="failed"\} \d+$/m);
    expect(after).toMatch(/^p2p_outbox_lag_seconds \d+(\.\d+)?(e[-+]\d+)?$/m);
  });

  it('counts matching jobs and inbound messages as the workers run them', async () => {
    t.startBackground();
    try {
      const before = sample(await scrape(), 'p2p_matching_duration_seconds_count{kind="partner"}');
      const created = await t.app.inject({ method: 'POST', url: '/api/partners', headers: t.adminHeaders, payload: partnerPayload({ email: 'new@partners.example' }) });
      expect(created.statusCode).toBe(201);
      // An out-of-office answer: stored, then rejected by the worker (auto-reply).
      await t.c.intake.accept({
        raw: Buffer.from('From: nobody@example.org\r\nTo: opportunities@localhost\r\nSubject: Out of office\r\nMessage-ID: <ooo-1@example.org>\r\nAuto-Submitted: auto-replied\r\n\r\nBack on Monday.\r\n'),
        mailFrom: 'nobody@example.org',
        rcptTo: ['opportunities@localhost'],
        receivedVia: 'smtp',
        remoteIp: '203.0.113.9',
        helo: 'mx.example.org',
      });
      let text = '';
      await expect
        .poll(async () => {
          text = await scrape();
          return sample(text, 'p2p_matching_duration_seconds_count{kind="partner"}') > before && sample(text, 'p2p_inbound_messages_total{outcome="rejected"}') >= 1;
        }, { timeout: 15_000, interval: 100 })
        .toBe(true);
    } finally {
      await t.stopBackground();
    }
  });

  it('labels requests by route pattern and status, never by the URL and its tokens', async () => {
    await t.app.inject({ method: 'GET', url: '/u/secret-link-token-123' });
    await t.app.inject({ method: 'GET', url: '/no/such/page/another-secret-456' });
    await t.app.inject({ method: 'GET', url: '/healthz' });
    const text = await scrape();
    expect(text).not.toContain('secret-link-token-123');
    expect(text).not.toContain('another-secret-456');
    expect(sample(text, 'p2p_http_requests_total{method="GET",route="/healthz",status="200"}')).toBe(1);
    expect(text).toMatch(/^p2p_http_requests_total\{method="GET",route="\/u\/:token",status="\d{3}"\} 1$/m);
    expect(sample(text, 'p2p_http_requests_total{method="GET",route="unmatched",status="404"}')).toBe(1);
  });
});

describe('/metrics of a process without the api role (METRICS_PORT)', () => {
  it('serves the same registry on a port of its own, behind the same token', async () => {
    const guarded = await createTestStack({ METRICS_TOKEN: 'worker-metrics-token-0123' });
    const endpoint = await startMetricsEndpoint(guarded.c, 0);
    try {
      guarded.c.metrics.digestFinished('sent');
      expect((await fetch(`${endpoint.url}/metrics`)).status).toBe(401);
      const ok = await fetch(`${endpoint.url}/metrics`, { headers: { authorization: 'Bearer worker-metrics-token-0123' } });
      expect(ok.status).toBe(200);
      expect(sample(await ok.text(), 'p2p_digests_total{outcome="sent"}')).toBe(1);
      expect((await fetch(`${endpoint.url}/submit`)).status).toBe(404); // nothing else
    } finally {
      await endpoint.stop();
      await guarded.close();
    }
  });
});

describe('/metrics with METRICS_TOKEN', () => {
  let guarded: TestStack;
  const token = 'metrics-token-0123456789';
  beforeAll(async () => {
    guarded = await createTestStack({ METRICS_TOKEN: token });
  });
  afterAll(async () => {
    await guarded?.close();
  });

  it('answers 401 without the token or with a wrong one, and the figures with it', async () => {
    const get = (authorization?: string) =>
      guarded.app.inject({ method: 'GET', url: '/metrics', headers: authorization ? { authorization } : {} });
    const missing = await get();
    expect(missing.statusCode).toBe(401);
    expect(missing.headers['www-authenticate']).toMatch(/^Bearer/);
    expect(missing.body).not.toContain('p2p_');
    expect((await get(`Bearer ${token}x`)).statusCode).toBe(401);
    expect((await get(`Bearer ${token.slice(0, -1)}`)).statusCode).toBe(401);
    expect((await get(`Basic ${token}`)).statusCode).toBe(401);
    const ok = await get(`Bearer ${token}`);
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toContain('# TYPE p2p_digests_total counter');
  });
});

