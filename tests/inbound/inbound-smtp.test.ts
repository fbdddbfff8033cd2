import { spawn } from 'node:child_process';
import { createServer, Socket, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import nodemailer from 'nodemailer';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { reconcileInbound } from '../../src/inbound/inbound.service.ts';
import { dedupeKeyOf, storeInbound } from '../../src/inbound/inbound.repository.ts';
import { clientKey, startSmtpListener } from '../../src/inbound/intake/smtp-listener.ts';
import type { InboundMessageInput } from '../../src/inbound/inbound.service.ts';
import { isIntakeRecipient } from '../../src/inbound/intake/addresses.ts';
import { messageIdOf } from '../../src/inbound/intake/raw-headers.ts';
import { startSmtp, type RunningRole } from '../../src/app/roles.ts';
import { childEnv, createTestStack, eventually, type TestStack } from '../support/test-stack.ts';

const INTAKE = 'opportunities@p2p.test';
const UNSUBSCRIBE = 'unsubscribe@p2p.test';
const MAX_KB = 4;

/** A message as a mail server would relay it: CRLF lines, a Message-ID, one 8-bit line. */
function rawMessage(messageId: string | null, body = 'We need a Dynamics 365 partner in DACH.'): Buffer {
  return Buffer.from(
    [
      'From: Anna Submitter <anna@customer.example>',
      `To: ${INTAKE}`,
      'Subject: Opportunity: Business Central rollout',
      ...(messageId ? [`Message-ID: ${messageId}`] : []),
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: 8bit',
      '',
      body,
      'Grüße, Anna',
      '.leading dot, which SMTP stuffs and unstuffs',
      '',
    ].join('\r\n'),
  );
}

function transportTo(port: number) {
  return nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true, name: 'mx.sender.example' });
}

/** A bare SMTP client: sends each line and collects the answers, for what nodemailer would not do (no SIZE= hint). */
async function talkSmtp(port: number, lines: string[]): Promise<string[]> {
  const socket = new Socket();
  const answers: string[] = [];
  let buffered = '';
  let waiting: (() => void) | undefined;
  socket.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('latin1');
    // A reply is complete at a line "NNN text" (a space, not a dash, after the code).
    const match = /(^|\r\n)\d{3} [^\r\n]*\r\n$/.exec(buffered);
    if (match) {
      answers.push(buffered);
      buffered = '';
      waiting?.();
    }
  });
  const next = () => new Promise<void>((resolve) => (waiting = resolve));
  let greeting = next();
  socket.connect(port, '127.0.0.1');
  await greeting;
  for (const line of lines) {
    greeting = next();
    socket.write(line);
    await greeting;
  }
  socket.end();
  return answers;
}

/** The SMTP error a send ended with (nodemailer puts the server's reply on it). */
async function smtpErrorOf(sending: Promise<unknown>): Promise<{ responseCode?: number; response?: string }> {
  const outcome = await sending.then(
    () => undefined,
    (err: unknown) => err as { responseCode?: number; response?: string },
  );
  if (!outcome) throw new Error('the message was accepted');
  return outcome;
}

async function rowsByMessageId(t: TestStack, messageId: string) {
  return t.c.db.selectFrom('inboundMessages').selectAll().where('messageId', '=', messageId).execute();
}

const countRows = async (t: TestStack) =>
  Number((await t.c.db.selectFrom('inboundMessages').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

/** The listener's settings as the tests start it directly: small limits, quick timeouts. */
const listenerSettings = {
  intakeAddresses: [INTAKE],
  unsubscribeMailto: UNSUBSCRIBE,
  host: '::',
  port: 0,
  maxBytes: MAX_KB * 1024,
  serverName: 'p2p.test',
  maxConnectionsPerIp: 10,
  idleTimeoutMs: 60_000,
  sessionTimeoutMs: 600_000,
  greetingDelayMs: 0,
};

/** A raw connection that records everything the server says, and when it hung up. */
function openSession(port: number, host = '127.0.0.1') {
  const socket = new Socket();
  let said = '';
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.on('data', (chunk: Buffer) => (said += chunk.toString('latin1')));
  socket.on('error', () => undefined);
  socket.connect(port, host);
  return { socket, said: () => said, closed, saysSoon: (pattern: RegExp) => expect.poll(() => said, { timeout: 5_000 }).toMatch(pattern) };
}

describe('intake recipients', () => {
  const config = { intakeAddresses: [INTAKE], unsubscribeMailto: 'Unsubscribe@p2p.test' };
  it('takes intake, unsubscribe, reply+ and bounce+ addresses on an intake domain, and nothing else', () => {
    expect(isIntakeRecipient('Opportunities@P2P.test', config)).toBe(true);
    expect(isIntakeRecipient('unsubscribe@p2p.test', config)).toBe(true);
    expect(isIntakeRecipient('reply+abc.DEF-123@p2p.test', config)).toBe(true);
    expect(isIntakeRecipient('bounce+g1j.0123456789abcdef0123@p2p.test', config)).toBe(true);
    expect(isIntakeRecipient('bounce+abc@other.example', config)).toBe(false);
    expect(isIntakeRecipient('reply+@p2p.test', config)).toBe(false);
    expect(isIntakeRecipient('reply+abc@other.example', config)).toBe(false);
    expect(isIntakeRecipient('reply@p2p.test', config)).toBe(false);
    expect(isIntakeRecipient('someone@p2p.test', config)).toBe(false);
    expect(isIntakeRecipient('opportunities@p2p.test.evil.example', config)).toBe(false);
  });

  it('keys a message by Message-ID and its recipients in any order or case, else by its bytes', () => {
    const raw = Buffer.from('x');
    expect(dedupeKeyOf('<A@host>', ['b@x', 'a@x'], raw)).toBe(dedupeKeyOf('<a@host>', ['A@x', 'b@x'], Buffer.from('other bytes')));
    expect(dedupeKeyOf('<a@host>', ['a@x'], raw)).not.toBe(dedupeKeyOf('<a@host>', ['b@x'], raw));
    expect(dedupeKeyOf(null, ['a@x'], raw)).toBe(dedupeKeyOf(null, ['b@x'], raw));
    expect(dedupeKeyOf(null, ['a@x'], raw)).not.toBe(dedupeKeyOf(null, ['a@x'], Buffer.from('y')));
  });

  it('counts SMTP clients by IPv4 address and by IPv6 /64', () => {
    expect(clientKey('192.0.2.7')).toBe('192.0.2.7');
    expect(clientKey('2001:db8:1:2::1')).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:db8:1:2:ffff::9')).toBe(clientKey('2001:db8:1:2::1'));
    expect(clientKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(clientKey('::1')).toBe('0:0:0:0::/64');
  });

  it('reads the Message-ID from a folded header without parsing the body', () => {
    expect(messageIdOf(Buffer.from('Subject: x\r\nMessage-ID:\r\n <abc@host>\r\n\r\nMessage-ID: <body@host>\r\n'))).toBe('<abc@host>');
    expect(messageIdOf(Buffer.from('Subject: x\n\nMessage-ID: <body@host>\n'))).toBeNull();
  });
});

describe('SMTP intake listener', () => {
  let t: TestStack;
  let smtp: RunningRole & { port: number };

  beforeAll(async () => {
    t = await createTestStack({ INTAKE_ADDRESSES: INTAKE, UNSUBSCRIBE_MAILTO: UNSUBSCRIBE, INBOUND_MAX_KB: String(MAX_KB) });
    smtp = await startSmtp(t.c, 0);
  });
  afterAll(async () => {
    await smtp?.stop();
    await t?.close();
  });

  it('answers 250 only with the message stored verbatim, its envelope, and its processing job queued', async () => {
    const raw = rawMessage('<good-1@customer.example>');
    const info = await transportTo(smtp.port).sendMail({ envelope: { from: 'Anna@Customer.example', to: [INTAKE] }, raw });
    expect(info.response).toMatch(/^250 2\.0\.0 Ok: stored as [0-9a-f-]{36}$/);
    const [row, ...others] = await rowsByMessageId(t, '<good-1@customer.example>');
    expect(others).toHaveLength(0);
    expect(row!.raw.equals(raw)).toBe(true);
    expect(row).toMatchObject({
      receivedVia: 'smtp',
      mailFrom: 'anna@customer.example',
      rcptTo: [INTAKE],
      helo: 'mx.sender.example',
      size: raw.length,
      status: 'received',
    });
    expect(row!.remoteIp).toMatch(/127\.0\.0\.1/);
    expect(info.response).toContain(row!.id);
    const job = await t.c.queues.queue('inbound').getJob(`inbound-${row!.id}`);
    expect(job?.name).toBe('inbound-process');
    expect(job?.data).toEqual({ inboundId: row!.id });
  });

  it('refuses a stranger at RCPT TO with 550 5.1.1 and stores nothing', async () => {
    const before = await countRows(t);
    const sending = transportTo(smtp.port).sendMail({ envelope: { from: 'x@spam.example', to: ['someone-else@p2p.test'] }, raw: rawMessage('<stranger@x>') });
    const refused = await smtpErrorOf(sending);
    expect(refused.responseCode).toBe(550);
    expect(refused.response).toMatch(/^550 5\.1\.1 /);
    expect(await countRows(t)).toBe(before);
  });

  it('takes the unsubscribe address and reply+ addresses, and keeps only our recipients of a mixed envelope', async () => {
    const info = await transportTo(smtp.port).sendMail({
      envelope: { from: 'partner@partner.example', to: [UNSUBSCRIBE, 'reply+tok3n.abc@p2p.test', 'stranger@p2p.test'] },
      raw: rawMessage('<replies@partner.example>'),
    });
    expect(info.accepted).toEqual([UNSUBSCRIBE, 'reply+tok3n.abc@p2p.test']);
    expect(info.rejected).toEqual(['stranger@p2p.test']);
    const [row] = await rowsByMessageId(t, '<replies@partner.example>');
    expect(row!.rcptTo).toEqual([UNSUBSCRIBE, 'reply+tok3n.abc@p2p.test']);
  });

  it('stores a message delivered twice (same Message-ID and recipient) once', async () => {
    const raw = rawMessage('<twice@customer.example>');
    const first = await transportTo(smtp.port).sendMail({ envelope: { from: 'anna@customer.example', to: [INTAKE] }, raw });
    // A retry after a lost 250: another Received line, same Message-ID.
    const again = Buffer.concat([Buffer.from('Received: from relay2.example\r\n'), raw]);
    const second = await transportTo(smtp.port).sendMail({ envelope: { from: 'anna@customer.example', to: [INTAKE] }, raw: again });
    expect(second.response).toBe(first.response);
    expect(await rowsByMessageId(t, '<twice@customer.example>')).toHaveLength(1);
  });

  it('deduplicates a message without Message-ID by its bytes', async () => {
    const raw = rawMessage(null, 'No Message-ID here, a unique line 7f3a.');
    const before = await countRows(t);
    await transportTo(smtp.port).sendMail({ envelope: { from: 'a@b.example', to: [INTAKE] }, raw });
    await transportTo(smtp.port).sendMail({ envelope: { from: 'a@b.example', to: [INTAKE] }, raw });
    expect(await countRows(t)).toBe(before + 1);
  });

  it('answers 552 to a message over INBOUND_MAX_KB and stores nothing (nodemailer)', async () => {
    const before = await countRows(t);
    const big = rawMessage('<big@customer.example>', 'x'.repeat(70) + '\r\n'.repeat(1) + 'y'.repeat(MAX_KB * 1024));
    const sending = transportTo(smtp.port).sendMail({ envelope: { from: 'anna@customer.example', to: [INTAKE] }, raw: big });
    await expect(sending).rejects.toMatchObject({ responseCode: 552 });
    expect(await countRows(t)).toBe(before);
  });

  it('advertises SIZE and answers 552 5.3.4 itself to a client that ignores it', async () => {
    const before = await countRows(t);
    const line = `${'z'.repeat(76)}\r\n`;
    const body = line.repeat(Math.ceil((MAX_KB * 1024 * 2) / line.length));
    const answers = await talkSmtp(smtp.port, [
      'EHLO client.example\r\n',
      'MAIL FROM:<anna@customer.example>\r\n',
      `RCPT TO:<${INTAKE}>\r\n`,
      'DATA\r\n',
      `Message-ID: <ignored-size@customer.example>\r\nSubject: big\r\n\r\n${body}.\r\n`,
      'QUIT\r\n',
    ]);
    expect(answers[0]).toMatch(/^220 .*p2p-digest email intake/);
    expect(answers[1]).toMatch(new RegExp(`^250[ -]SIZE ${MAX_KB * 1024}\r$`, 'm'));
    expect(answers[1]).not.toMatch(/AUTH|STARTTLS/);
    expect(answers[5]).toMatch(/^552 5\.3\.4 /);
    expect(await countRows(t)).toBe(before);
  });

  it('answers 451 4.3.0 (try again) when the message cannot be stored', async () => {
    const failing = await startSmtpListener({
      accept: () => Promise.reject(new Error('connection to Postgres lost')),
      log: pino({ level: 'silent' }),
      settings: { ...listenerSettings, host: '127.0.0.1' },
    });
    try {
      const sending = transportTo(failing.port).sendMail({ envelope: { from: 'anna@customer.example', to: [INTAKE] }, raw: rawMessage('<fail@x>') });
      const deferred = await smtpErrorOf(sending);
      expect(deferred.responseCode).toBe(451);
      expect(deferred.response).toMatch(/^451 4\.3\.0 /);
    } finally {
      await failing.stop();
    }
  });

  it('the worker hands a stored message to the inbound service', async () => {
    const process = vi.spyOn(t.c.inbound, 'process');
    try {
      t.startBackground();
      const info = await transportTo(smtp.port).sendMail({ envelope: { from: 'anna@customer.example', to: [INTAKE] }, raw: rawMessage('<worker@customer.example>') });
      const id = /stored as (\S+)/.exec(info.response)![1];
      await expect.poll(() => process.mock.calls.map(([inboundId]) => inboundId), { timeout: 10_000 }).toContain(id);
    } finally {
      await t.stopBackground();
      process.mockRestore();
    }
  });

  it('the reconciler queues a stored message whose job was lost, once it is a minute old', async () => {
    const { id } = await storeInbound(t.c.db, {
      receivedVia: 'smtp',
      mailFrom: '',
      rcptTo: [INTAKE],
      remoteIp: '192.0.2.1',
      helo: 'lost.example',
      raw: rawMessage('<lost-job@customer.example>'),
    });
    await reconcileInbound(t.c);
    expect(await t.c.queues.queue('inbound').getJob(`inbound-${id}`)).toBeUndefined();
    await t.c.db.updateTable('inboundMessages').set({ receivedAt: new Date(Date.now() - 120_000) }).where('id', '=', id).execute();
    await reconcileInbound(t.c);
    expect((await t.c.queues.queue('inbound').getJob(`inbound-${id}`))?.data).toEqual({ inboundId: id });
  });

  it('runs as `p2p-digest start --role smtp`, stores what it is sent, and stops cleanly on SIGTERM', { timeout: 60_000 }, async () => {
    const port = await freePort();
    const child = spawn(process.execPath, ['bin/p2p-digest.mjs', 'start', '--role', 'smtp'], {
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
      env: childEnv(t, { INBOUND_SMTP_PORT: String(port), INTAKE_ADDRESSES: INTAKE, UNSUBSCRIBE_MAILTO: UNSUBSCRIBE, INBOUND_MAX_KB: String(MAX_KB) }),
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      const info = await eventually(
        () =>
          transportTo(port)
            .sendMail({ envelope: { from: 'anna@customer.example', to: [INTAKE] }, raw: rawMessage('<cli@customer.example>') })
            .catch(() => undefined),
        30_000,
      );
      expect(info.response).toMatch(/^250 /);
      expect(await rowsByMessageId(t, '<cli@customer.example>')).toHaveLength(1);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });
});

describe('SMTP listener limits: one client cannot lock out the others', () => {
  const silent = pino({ level: 'silent' });
  const stored: InboundMessageInput[] = [];
  const accept = async (message: InboundMessageInput) => {
    stored.push(message);
    return { accepted: true as const, id: '00000000-0000-4000-8000-000000000001', duplicate: false };
  };

  it('answers 421 to connections over the per-address limit, and still serves another client while 50 idle ones are open', async () => {
    const listener = await startSmtpListener({ accept, log: silent, settings: listenerSettings });
    const idle = Array.from({ length: 50 }, () => openSession(listener.port, '127.0.0.1'));
    try {
      // Ten are let in and sit silent after the banner; the other forty are turned away at once.
      for (const s of idle) await s.saysSoon(/^(220 |421 )/);
      const greeted = idle.filter((s) => s.said().startsWith('220 '));
      const refused = idle.filter((s) => s.said().startsWith('421 '));
      expect(greeted).toHaveLength(10);
      expect(refused).toHaveLength(40);
      expect(refused[0]!.said()).toMatch(/^421 4\.7\.0 Too many connections from your address/);
      await Promise.all(refused.map((s) => s.closed));

      // Another client (::1 is another address than 127.0.0.1) is served as usual.
      const info = await nodemailer
        .createTransport({ host: '::1', port: listener.port, secure: false, ignoreTLS: true, name: 'mx.other.example' })
        .sendMail({ envelope: { from: 'anna@customer.example', to: [INTAKE] }, raw: rawMessage('<other-client@customer.example>') });
      expect(info.response).toMatch(/^250 /);
      expect(stored.at(-1)?.remoteIp).toBe('::1');
    } finally {
      for (const s of idle) s.socket.destroy();
      await listener.stop();
    }
  });

  it('closes idle sessions after the idle timeout, and the same address is served again', async () => {
    const listener = await startSmtpListener({ accept, log: silent, settings: { ...listenerSettings, maxConnectionsPerIp: 3, idleTimeoutMs: 1_000 } });
    const idle = Array.from({ length: 3 }, () => openSession(listener.port));
    try {
      for (const s of idle) await s.saysSoon(/^220 /);
      const fourth = openSession(listener.port);
      await fourth.saysSoon(/^421 4\.7\.0 /);
      await Promise.all(idle.map((s) => s.closed));
      expect(idle[0]!.said()).toMatch(/\r\n421 .*Timeout/);
      const info = await transportTo(listener.port).sendMail({ envelope: { from: 'anna@customer.example', to: [INTAKE] }, raw: rawMessage('<after-idle@customer.example>') });
      expect(info.response).toMatch(/^250 /);
    } finally {
      for (const s of idle) s.socket.destroy();
      await listener.stop();
    }
  });

  it('closes a session at the session time limit even while the client keeps talking', async () => {
    const listener = await startSmtpListener({ accept, log: silent, settings: { ...listenerSettings, idleTimeoutMs: 1_000, sessionTimeoutMs: 2_000 } });
    const busy = openSession(listener.port);
    // A NOOP every 300 ms: never idle, the trickle that would hold a slot for ever.
    const noops = setInterval(() => busy.socket.writable && busy.socket.write('NOOP\r\n'), 300);
    try {
      const started = Date.now();
      await busy.closed;
      expect(Date.now() - started).toBeGreaterThanOrEqual(1_900);
      expect(busy.said()).toMatch(/250 .*OK[\s\S]*421 4\.4\.2 Session time limit reached/);
    } finally {
      clearInterval(noops);
      busy.socket.destroy();
      await listener.stop();
    }
  });

  it('refuses a client that talks before the banner (an early talker) with 421', async () => {
    const listener = await startSmtpListener({ accept, log: silent, settings: { ...listenerSettings, greetingDelayMs: 500 } });
    const early = openSession(listener.port);
    // 250 ms in: past smtp-server's own 100 ms early-talker window, inside our greeting delay.
    early.socket.once('connect', () => setTimeout(() => early.socket.write('EHLO spam.example\r\nMAIL FROM:<x@spam.example>\r\n'), 250));
    try {
      await early.closed;
      expect(early.said()).toMatch(/^421 .*You talk too soon/);
      expect(early.said()).not.toMatch(/^220 /m);
      const patient = openSession(listener.port);
      await patient.saysSoon(/^220 /);
      patient.socket.destroy();
    } finally {
      early.socket.destroy();
      await listener.stop();
    }
  });
});

/** A port nothing listens on right now. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
