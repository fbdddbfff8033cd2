/**
 * `digest run` reports what the ledger says, not what it hoped: after an SMTP outage, rows left
 * for retry and rows another process holds are counted and said plainly; run again once SMTP is
 * back, it takes the held row over when its lease ends, and a 5xx address ends failed and
 * suppressed. It also waits out an outage shorter than `--wait`.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimForSending } from '../../src/digests/digest-send.repository.ts';
import { runCliWithEnv } from '../support/cli-process.ts';
import { addOpportunity, addPartner, digestMailsTo } from '../support/digest-fixtures.ts';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.ts';
import { createTestStack, type TestStack } from '../support/test-stack.ts';

let t: TestStack;
let proxy: TcpProxy;
const reject = new Set(['bouncing@partners.example']);
const ENV = () => ({ SMTP_URL: `smtp://127.0.0.1:${proxy.port}`, SMTP_PAUSE_MAX_SECONDS: '1', SMTP_CONNECTION_TIMEOUT_SECONDS: '2' });
const run = (...args: string[]) => runCliWithEnv(t, ENV(), 'digest', 'run', ...args);

async function statuses(period?: string): Promise<Record<string, number>> {
  let q = t.c.db.selectFrom('digests').select('status');
  if (period) q = q.where('period', '=', period);
  const rows = await q.execute();
  return rows.reduce<Record<string, number>>((acc, r) => ({ ...acc, [r.status]: (acc[r.status] ?? 0) + 1 }), {});
}

beforeAll(async () => {
  proxy = await startTcpProxy();
  t = await createTestStack({ SMTP_URL: `smtp://127.0.0.1:${proxy.port}` }, { reject });
  proxy.targetPort = Number(new URL(t.smtp.url).port);
  await addOpportunity(t, 'Defender rollout', ['Microsoft Defender XDR'], { remote: true, regions: [] });
  for (const key of ['c1', 'c2', 'c3', 'c4', 'held', 'bouncing']) await addPartner(t, key, ['Microsoft Defender XDR']);
});

afterAll(async () => {
  await proxy?.close();
  await t?.close();
});

describe('digest run after an SMTP outage', () => {
  it('counts every row of the round as the ledger has it, including rows another process holds', { timeout: 90_000 }, async () => {
    const ids = await t.c.digests.enqueueRound({ everyone: true });
    expect(ids).toHaveLength(6);
    await t.c.digests.buildMany(ids);
    // A run killed mid-send left one row claimed, with 20 seconds of lease left.
    const held = await t.c.db
      .selectFrom('digests as d')
      .innerJoin('partners as p', 'p.id', 'd.partnerId')
      .select('d.id')
      .where('p.email', '=', 'held@partners.example')
      .executeTakeFirstOrThrow();
    const claimed = await claimForSending(t.c.db, [held.id], { token: randomUUID(), leaseSeconds: 20, maxAttempts: 10, mailDomain: 'p2p.test', windowSeconds: 86_400 });
    expect(claimed).toHaveLength(1);

    await proxy.cut();
    const down = await run('--now', '--wait', '0');
    expect(down.stderr).toBe('');
    expect(down.stdout).toMatch(/^digest round: 0 sent, 0 skipped, 0 failed, 0 already done \(0 new ledger rows\)$/m);
    expect(down.stdout).toMatch(/^5 left for retry, next attempt at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \(SMTP is unreachable until then\); failed if still unsent at \d{4}-/m);
    expect(down.stdout).toMatch(/^1 held by another worker /m);
    expect(down.code).toBe(75);
    expect(await statuses()).toEqual({ ready: 5, sending: 1 });

    await proxy.restore();
    const back = await run('--now', '--wait', '60');
    expect(back.stdout).toMatch(/^digest round: 5 sent, 0 skipped, 1 failed, 0 already done \(0 new ledger rows\)$/m);
    expect(back.stdout).not.toMatch(/left for retry|held by another/);
    expect(back.code).toBe(1);
    expect(await statuses()).toEqual({ sent: 5, failed: 1 });
    const bounced = await t.c.db
      .selectFrom('digests as d')
      .innerJoin('partners as p', 'p.id', 'd.partnerId')
      .select(['d.status', 'd.lastError'])
      .where('p.email', '=', 'bouncing@partners.example')
      .executeTakeFirstOrThrow();
    expect(bounced.status).toBe('failed');
    expect(bounced.lastError).toMatch(/550/);
    const suppressed = await t.c.db.selectFrom('suppressions').select('reason').where('email', '=', 'bouncing@partners.example').execute();
    expect(suppressed).toEqual([{ reason: 'hard_bounce' }]);
    for (const key of ['c1', 'c2', 'c3', 'c4', 'held']) expect(digestMailsTo(t, `${key}@partners.example`)).toHaveLength(1);
  });

  it('waits out an outage shorter than --wait and sends the round', { timeout: 90_000 }, async () => {
    await addOpportunity(t, 'Defender for Cloud review', ['Microsoft Defender XDR'], { remote: true, regions: [] });
    await proxy.cut();
    const running = run('--period', '2099-W05', '--wait', '60');
    await new Promise((r) => setTimeout(r, 4_000));
    await proxy.restore();
    const result = await running;
    // The bouncing address is suppressed now: it gets no row.
    expect(result.stdout).toMatch(/^digest round: 5 sent, 0 skipped, 0 failed, 0 already done \(5 new ledger rows\)$/m);
    expect(result.code).toBe(0);
    expect(await statuses('2099-W05')).toEqual({ sent: 5 });
    for (const key of ['c1', 'c2', 'c3', 'c4', 'held']) expect(digestMailsTo(t, `${key}@partners.example`)).toHaveLength(2);
  });
});
