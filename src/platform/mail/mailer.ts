import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import nodemailer, { type Transporter } from 'nodemailer';
import { RETURN_PATH_HEADER, type ReturnPaths } from './return-path.ts';

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

export interface Mailer {
  send(mail: OutgoingMail): Promise<{ messageId: string }>;
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

/**
 * Whether retrying can help. A 5xx reply is the server's final word (unknown mailbox, policy
 * rejection): retrying only annoys it. 4xx replies and network trouble are worth another try.
 */
export function smtpFailureKind(error: unknown): 'permanent' | 'transient' {
  const code = (error as { responseCode?: unknown }).responseCode;
  return typeof code === 'number' && code >= 500 && code < 600 ? 'permanent' : 'transient';
}

/**
 * With SMTP_URL, a pooled SMTP transport. Without, nodemailer still builds the exact MIME
 * message, and it is written to `OUTBOX_DIR` as an .eml file (listed at /dev/outbox).
 */
export function createMailer(settings: MailerSettings): Mailer {
  if (settings.smtpUrl) {
    const rate = settings.ratePerSecond ? { rateDelta: 1000, rateLimit: settings.ratePerSecond } : {};
    const transport = nodemailer.createTransport({
      url: settings.smtpUrl,
      pool: true,
      maxConnections: 3,
      ...rate,
      ...(settings.dkim ? { dkim: { ...settings.dkim, headerFieldNames: DKIM_SIGNED_HEADERS } } : {}),
    });
    return {
      mode: 'smtp',
      async send(mail) {
        const info = (await transport.sendMail(message(settings, mail))) as { messageId: string };
        return { messageId: info.messageId };
      },
      close: () => transport.close(),
    };
  }
  const transport: Transporter = nodemailer.createTransport({
    streamTransport: true,
    buffer: true,
    newline: 'unix',
    ...(settings.dkim ? { dkim: { ...settings.dkim, headerFieldNames: DKIM_SIGNED_HEADERS } } : {}),
  });
  return {
    mode: 'outbox',
    async send(mail) {
      const info = (await transport.sendMail(message(settings, mail))) as { messageId: string; message: Buffer };
      await mkdir(settings.outboxDir, { recursive: true });
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      const safeTo = mail.to.replace(/[^a-zA-Z0-9@._-]/g, '_');
      // The random part keeps two mails to one address in the same millisecond apart ('wx': never overwrite).
      const name = `${stamp}-${randomBytes(3).toString('hex')}-${safeTo}.eml`;
      await writeFile(path.join(settings.outboxDir, name), info.message, { flag: 'wx' });
      return { messageId: info.messageId };
    },
    close: () => transport.close(),
  };
}

function message(settings: MailerSettings, mail: OutgoingMail) {
  const returnPath = settings.returnPaths?.returnPathFor(mail.to);
  return {
    from: settings.from,
    to: mail.to,
    subject: mail.subject,
    html: mail.html,
    text: mail.text,
    // The envelope is what bounces go back to; the header is what a complaint report encloses.
    headers: returnPath ? { ...mail.headers, [RETURN_PATH_HEADER]: returnPath } : mail.headers,
    ...(returnPath ? { envelope: { from: returnPath, to: mail.to } } : {}),
    messageId: mail.messageId,
    ...(mail.replyTo ? { replyTo: mail.replyTo } : {}),
    // base64 is ~1.7× faster to encode than quoted-printable for large HTML parts.
    textEncoding: 'base64' as const,
  };
}
