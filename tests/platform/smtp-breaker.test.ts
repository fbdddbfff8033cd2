import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMailer, SmtpUnavailableError, smtpFailureKind, smtpUnreachable } from '../../src/platform/mail/mailer.ts';
import { createSmtpBreaker } from '../../src/platform/mail/smtp-breaker.ts';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.ts';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.ts';

let sink: SmtpSink;
let proxy: TcpProxy;

beforeAll(async () => {
  sink = await startSmtpSink();
  proxy = await startTcpProxy(Number(new URL(sink.url).port));
});
afterAll(async () => {
  await proxy?.close();
  await sink?.close();
});

const mail = (subject: string) => ({ to: 'someone@partners.example', subject, html: '<p>x</p>', text: 'x', headers: {} });

describe('SMTP failures', () => {
  it('tells an unreachable server from an answer about the message', () => {
    expect(smtpUnreachable(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ESOCKET', command: 'CONN' }))).toBe(true);
    expect(smtpUnreachable(Object.assign(new Error('421 closing'), { code: 'EENVELOPE', responseCode: 421, command: 'MAIL FROM' }))).toBe(true);
    expect(smtpUnreachable(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' }))).toBe(true);
    expect(smtpUnreachable(Object.assign(new Error('451 later'), { code: 'EENVELOPE', responseCode: 451, command: 'RCPT TO' }))).toBe(false);
    expect(smtpUnreachable(Object.assign(new Error('550 no such user'), { code: 'EENVELOPE', responseCode: 550, command: 'RCPT TO' }))).toBe(false);
  });

  it('never takes a failed login or a refused sender for a bad recipient address', () => {
    // A 5xx on these would otherwise fail and suppress every partner of the round.
    expect(smtpFailureKind(Object.assign(new Error('535 bad credentials'), { code: 'EAUTH', responseCode: 535, command: 'AUTH PLAIN' }))).toBe('transient');
    expect(smtpFailureKind(Object.assign(new Error('550 sender refused'), { code: 'EENVELOPE', responseCode: 550, command: 'MAIL FROM' }))).toBe('transient');
    expect(smtpFailureKind(Object.assign(new Error('503 bad sequence'), { code: 'EPROTOCOL', responseCode: 503, command: 'DATA' }))).toBe('transient');
    expect(smtpFailureKind(Object.assign(new Error('550 no such user'), { code: 'EENVELOPE', responseCode: 550, command: 'RCPT TO' }))).toBe('permanent');
  });
});

describe('the circuit breaker', () => {
  it('pauses sending while the server refuses connections, probes it, and resumes once it is back', async () => {
    const changes: boolean[] = [];
    const mailer = createMailer({
      smtpUrl: `smtp://127.0.0.1:${proxy.port}`,
      outboxDir: '/nonexistent',
      from: 'x <x@digest.example>',
      maxPauseMs: 1000,
      timeouts: { connectionMs: 2000, greetingMs: 2000, socketMs: 5000 },
      onAvailabilityChange: ({ open }) => changes.push(open),
    });
    try {
      await proxy.cut();
      await expect(mailer.send(mail('refused'))).rejects.toMatchObject({ code: 'ESOCKET' });
      const paused = await mailer.availability();
      expect(paused.ok).toBe(false);
      // While paused, a send does not touch the network: it is refused at once.
      await expect(mailer.send(mail('while paused'))).rejects.toBeInstanceOf(SmtpUnavailableError);
      await proxy.restore();
      await new Promise((r) => setTimeout(r, 1100));
      expect(await mailer.availability()).toEqual({ ok: true });
      await mailer.send(mail('after the outage'));
    } finally {
      mailer.close();
    }
    expect(sink.received.map((m) => m.parsed.subject)).toEqual(['after the outage']);
    expect(changes).toEqual([true, false]);
  });

  it('doubles the pause after each failed probe, up to the most allowed', async () => {
    let clock = 0;
    const breaker = createSmtpBreaker({ probe: () => Promise.reject(new Error('down')), minPauseMs: 1000, maxPauseMs: 3000, now: () => clock });
    breaker.unreachable(new Error('down'));
    const retries: number[] = [];
    for (let i = 0; i < 4; i++) {
      const state = await breaker.availability();
      if (state.ok) throw new Error('should stay paused');
      retries.push(state.retryAt.getTime() - clock);
      clock = state.retryAt.getTime();
    }
    expect(retries).toEqual([1000, 2000, 3000, 3000]);
  });

  it('gives up on a server that accepts the connection but never greets, within the greeting timeout', async () => {
    const silent = net.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as net.AddressInfo).port;
    const mailer = createMailer({
      smtpUrl: `smtp://127.0.0.1:${port}`,
      outboxDir: '/nonexistent',
      from: 'x <x@digest.example>',
      timeouts: { connectionMs: 1000, greetingMs: 300, socketMs: 1000 },
    });
    try {
      await expect(mailer.send(mail('never greeted'))).rejects.toMatchObject({ code: 'ETIMEDOUT' });
      expect((await mailer.availability()).ok).toBe(false);
    } finally {
      mailer.close();
      silent.close();
    }
  });
});
