import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import nodemailer, { type Transporter } from 'nodemailer';
import addressparser from 'nodemailer/lib/addressparser';
import type { Metrics } from '../metrics/metrics.ts';
import { buildMimeMessage, withDate, type MimeMessageInput } from './mime-message.ts';
import { RETURN_PATH_HEADER, type ReturnPaths } from './return-path.ts';
import { createSmtpBreaker, type SmtpAvailability } from './smtp-breaker.ts';

export type { SmtpAvailability };

export interface OutgoingMail {
  to: string;
  subject: string;
  html: string;
  text: string;
  headers: Record<string, string>;
  /** Set it to make a resend carry the same Message-ID (nodemailer invents one per attempt). */
  messageId?: string;
  /** Where a reply goes instead of our From address: the other side of an introduction. */
  replyTo?: string;
}

/** A message `compose` built, with what its envelope needs. */
export interface ComposedMail {
  to: string;
  messageId: string;
  /** The message without its Date, as `compose` built it. */
  composed: Buffer;
}

export interface Mailer {
  /** Rejects with SmtpUnavailableError, without touching the network, while SMTP is known to be down. */
  /** `response` is the SMTP server's answer ("250 2.0.0 Ok: queued as …"); absent in outbox mode. */
  send(mail: OutgoingMail): Promise<{ messageId: string; response?: string }>;
  /**
   * The message built now, as it will go but for its Date (added by `sendComposed` as it goes):
   * for mail composed ahead of its send moment and stored (ASCII bytes). Needs its Message-ID.
   */
  compose(mail: OutgoingMail & { messageId: string }): Buffer;
  /** Sends what `compose` built, dated now; otherwise as `send`. */
  sendComposed(mail: ComposedMail): Promise<{ messageId: string; response?: string }>;
  /** Whether SMTP is worth trying now, or when it will be probed again (see smtp-breaker.ts). */
  availability(): Promise<SmtpAvailability>;
  close(): void;
  /** 'smtp' sends for real; 'outbox' writes .eml files for a developer to read. */
  readonly mode: 'smtp' | 'outbox';
}

export interface DkimSettings {
  domainName: string;
  keySelector: string;
  privateKey: string;
}

export interface MailerSettings {
  smtpUrl: string | undefined;
  outboxDir: string;
  from: string;
  /** Messages per second through the pool; 0 = as fast as the server takes them. */
  ratePerSecond?: number;
  dkim?: DkimSettings;
  /**
   * Signs each message's envelope sender for its one recipient (VERP), so a bounce or complaint
   * can prove it answers our mail. Without it, the envelope sender is the From address.
   */
  returnPaths?: Pick<ReturnPaths, 'returnPathFor'>;
  /**
   * How long a connection may take to open, the server to greet, and the socket to stay silent
   * (nodemailer's defaults are 2 min, 30 s and 10 min): a stalled server must not hold the pool.
   */
  timeouts?: { connectionMs: number; greetingMs: number; socketMs: number };
  /** The longest pause between probes while the SMTP server is unreachable (the first is a second). */
  maxPauseMs?: number;
  /** Told when sending pauses because SMTP went away, and when it resumes. */
  onAvailabilityChange?: (change: { open: boolean; pauseMs?: number; error?: unknown }) => void;
  /** Told how long each SMTP send took and how it failed (not the .eml files of development). */
  metrics?: Pick<Metrics, 'smtpSent' | 'smtpFailed'>;
}

/** Thrown instead of sending while the SMTP server is known to be unreachable. */
export class SmtpUnavailableError extends Error {
  readonly code = 'EPAUSED';
  readonly retryAt: Date;

  constructor(retryAt: Date) {
    super(`SMTP is unreachable; sending paused until ${retryAt.toISOString()}`);
    this.name = 'SmtpUnavailableError';
    this.retryAt = retryAt;
  }
}

/**
 * Headers DKIM signs. nodemailer's default list leaves out List-Unsubscribe-Post; a receiver
 * only honours one-click unsubscribe when both List-Unsubscribe headers are signed (RFC 8058).
 */
export const DKIM_SIGNED_HEADERS = [
  'from', 'sender', 'reply-to', 'subject', 'date', 'message-id', 'to', 'cc', 'mime-version',
  'content-type', 'content-transfer-encoding', 'in-reply-to', 'references', 'auto-submitted',
  'list-id', 'list-unsubscribe', 'list-unsubscribe-post',
].join(':');

const UNREACHABLE_CODES = new Set(['ECONNECTION', 'ESOCKET', 'ETIMEDOUT', 'EDNS', 'ETLS', 'EAUTH', 'ENOAUTH', 'EPAUSED']);
/** Steps before a message is named: a failure there says nothing about the recipient. */
const SESSION_COMMAND = /^(CONN|GREETING|EHLO|HELO|LHLO|STARTTLS|AUTH|MAIL FROM)/i;

/**
 * Whether the failure is about the server or the way to it (connection refused or dropped, a
 * timeout, 421 "closing channel", a failing login, the sender refused) rather than about this
 * message or address: every other message would fail the same way now.
 */
export function smtpUnreachable(error: unknown): boolean {
  const e = error as { code?: unknown; responseCode?: unknown; command?: unknown };
  if (e.responseCode === 421) return true;
  if (typeof e.code === 'string' && UNREACHABLE_CODES.has(e.code)) return true;
  return typeof e.command === 'string' && SESSION_COMMAND.test(e.command);
}

/**
 * Whether retrying can help. A 5xx reply about the message or its recipient is the server's
 * final word (unknown mailbox, policy rejection): retrying only annoys it. 4xx replies, 503 (a
 * session out of step) and an unreachable server are worth another try.
 */
export function smtpFailureKind(error: unknown): 'permanent' | 'transient' {
  const code = (error as { responseCode?: unknown }).responseCode;
  const final = typeof code === 'number' && code >= 500 && code < 600 && code !== 503;
  return final && !smtpUnreachable(error) ? 'permanent' : 'transient';
}

/**
 * With SMTP_URL, a pooled SMTP transport. Without, nodemailer still builds the exact MIME
 * message, and it is written to `OUTBOX_DIR` as an .eml file (listed at /dev/outbox).
 */
export function createMailer(settings: MailerSettings): Mailer {
  const fromAddress = addressOf(settings.from);
  if (settings.smtpUrl) {
    const rate = settings.ratePerSecond ? { rateDelta: 1000, rateLimit: settings.ratePerSecond } : {};
    const timeouts = settings.timeouts
      ? { connectionTimeout: settings.timeouts.connectionMs, greetingTimeout: settings.timeouts.greetingMs, socketTimeout: settings.timeouts.socketMs }
      : {};
    const transport = nodemailer.createTransport({
      url: settings.smtpUrl,
      pool: true,
      maxConnections: 3,
      ...rate,
      ...timeouts,
      ...(settings.dkim ? { dkim: { ...settings.dkim, headerFieldNames: DKIM_SIGNED_HEADERS } } : {}),
    });
    const breaker = createSmtpBreaker({
      probe: () => transport.verify(),
      minPauseMs: 1000,
      maxPauseMs: settings.maxPauseMs ?? 60_000,
      ...(settings.onAvailabilityChange ? { onChange: settings.onAvailabilityChange } : {}),
    });
    return {
      mode: 'smtp',
      availability: () => breaker.availability(),
      send: (mail) => transmit(() => message(settings, fromAddress, mail)),
      compose: (mail) => composeAhead(settings, mail),
      sendComposed: (mail) => transmit(() => composedMessage(settings, fromAddress, mail)),
      close: () => transport.close(),
    };

    async function transmit(build: () => BuiltMessage): Promise<{ messageId: string; response?: string }> {
      const available = await breaker.availability();
      if (!available.ok) throw new SmtpUnavailableError(available.retryAt);
      const started = performance.now();
      const seconds = () => (performance.now() - started) / 1000;
      try {
        const { messageId, options } = build();
        const info = (await transport.sendMail(options)) as { response?: string };
        settings.metrics?.smtpSent(seconds());
        breaker.reached();
        return { messageId, ...(info.response ? { response: info.response } : {}) };
      } catch (error) {
        settings.metrics?.smtpFailed(seconds(), error);
        if (smtpUnreachable(error)) breaker.unreachable(error);
        else breaker.reached();
        throw error;
      }
    }
  }
  const transport: Transporter = nodemailer.createTransport({
    streamTransport: true,
    buffer: true,
    newline: 'unix',
    ...(settings.dkim ? { dkim: { ...settings.dkim, headerFieldNames: DKIM_SIGNED_HEADERS } } : {}),
  });
  return {
    mode: 'outbox',
    availability: async () => ({ ok: true }),
    send: (mail) => writeEml(message(settings, fromAddress, mail)),
    compose: (mail) => composeAhead(settings, mail),
    sendComposed: (mail) => writeEml(composedMessage(settings, fromAddress, mail)),
    close: () => transport.close(),
  };

  async function writeEml({ messageId, options, to }: BuiltMessage): Promise<{ messageId: string }> {
    const info = (await transport.sendMail(options)) as { message: Buffer };
    await mkdir(settings.outboxDir, { recursive: true });
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const safeTo = to.replace(/[^a-zA-Z0-9@._-]/g, '_');
    // The random part keeps two mails to one address in the same millisecond apart ('wx': never overwrite).
    const name = `${stamp}-${randomBytes(3).toString('hex')}-${safeTo}.eml`;
    await writeFile(path.join(settings.outboxDir, name), info.message, { flag: 'wx' });
    return { messageId };
  }
}

/** The address part of a From such as `p2p-digest <digest@example.com>`. */
function addressOf(from: string): string {
  const parsed = addressparser(from, { flatten: true })[0];
  if (!parsed?.address) throw new Error(`MAIL_FROM has no address: ${from}`);
  return parsed.address;
}

/** A message as nodemailer's `raw` (built once, mime-message.ts), with its envelope. */
interface BuiltMessage {
  messageId: string;
  to: string;
  options: { envelope: { from: string; to: string[] }; raw: Buffer };
}

function message(settings: MailerSettings, fromAddress: string, mail: OutgoingMail): BuiltMessage {
  const messageId = mail.messageId ?? `<${randomUUID()}@${fromAddress.slice(fromAddress.lastIndexOf('@') + 1)}>`;
  const returnPath = settings.returnPaths?.returnPathFor(mail.to);
  const raw = buildMimeMessage(mimeInput(settings, mail, messageId, returnPath));
  return { messageId, to: mail.to, options: { envelope: envelopeOf(fromAddress, mail.to, returnPath), raw } };
}

/** What `compose` builds: the message without its Date (ASCII, one byte a character). */
function composeAhead(settings: MailerSettings, mail: OutgoingMail & { messageId: string }): Buffer {
  return buildMimeMessage({ ...mimeInput(settings, mail, mail.messageId, settings.returnPaths?.returnPathFor(mail.to)), date: null });
}

function composedMessage(settings: MailerSettings, fromAddress: string, mail: ComposedMail): BuiltMessage {
  const envelope = envelopeOf(fromAddress, mail.to, settings.returnPaths?.returnPathFor(mail.to));
  return { messageId: mail.messageId, to: mail.to, options: { envelope, raw: withDate(mail.composed) } };
}

/** The envelope: the per-recipient return path when there is one, else our From address. */
function envelopeOf(fromAddress: string, to: string, returnPath: string | undefined) {
  return { from: returnPath ?? fromAddress, to: [to] };
}

function mimeInput(settings: MailerSettings, mail: OutgoingMail, messageId: string, returnPath: string | undefined): MimeMessageInput {
  return {
    from: settings.from,
    to: mail.to,
    subject: mail.subject,
    messageId,
    ...(mail.replyTo ? { replyTo: mail.replyTo } : {}),
    // The envelope is what bounces go back to; the header is what a complaint report encloses.
    headers: returnPath ? { ...mail.headers, [RETURN_PATH_HEADER]: returnPath } : mail.headers,
    html: mail.html,
    text: mail.text,
  };
}
