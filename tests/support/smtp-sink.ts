import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  envelope: { from: string; to: string[] };
  raw: string;
  parsed: ParsedMail;
}

export interface SmtpSinkOptions {
  /** Recipients refused with 550 at RCPT TO (a mailbox that does not exist). */
  reject?: Set<string>;
  /** Recipients refused with 451 at RCPT TO (try again later). */
  defer?: Set<string>;
  /** Milliseconds to wait before answering "250 OK" to a message. */
  ackDelayMs?: number;
  /** While set, every MAIL FROM is answered 421 (service not available): the server is going away. */
  unavailable?: boolean;
}

export interface SmtpSink {
  url: string;
  received: ReceivedMail[];
  options: SmtpSinkOptions;
  /**
   * Resolves once no session is between an accepted MAIL FROM and the answer to its message (or
   * after `timeoutMs`): cutting the connections then drops no "250" a client is waiting for.
   */
  quiesced(timeoutMs?: number): Promise<void>;
  /** Resolves with the first message (already received or arriving later) that satisfies `match`. */
  waitFor(match: (mail: ReceivedMail) => boolean, timeoutMs?: number): Promise<ReceivedMail>;
  close(): Promise<void>;
}

/** A real SMTP server in the test process: the mailer talks SMTP to it like to any relay. */
export async function startSmtpSink(options: SmtpSinkOptions = {}): Promise<SmtpSink> {
  const received: ReceivedMail[] = [];
  const waiters: Array<{ match: (m: ReceivedMail) => boolean; resolve: (m: ReceivedMail) => void }> = [];
  const inTransaction = new Set<string>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onMailFrom(_address, session, callback) {
      if (options.unavailable) {
        inTransaction.delete(session.id);
        return callback(Object.assign(new Error('4.3.2 service not available, closing channel'), { responseCode: 421 }));
      }
      inTransaction.add(session.id);
      callback();
    },
    onClose(session) {
      inTransaction.delete(session.id);
    },
    onRcptTo(address, _session, callback) {
      const to = address.address.toLowerCase();
      if (options.reject?.has(to)) return callback(Object.assign(new Error('5.1.1 mailbox unavailable'), { responseCode: 550 }));
      if (options.defer?.has(to)) return callback(Object.assign(new Error('4.2.1 try again later'), { responseCode: 451 }));
      callback();
    },
    onData(stream, session, done) {
      const callback = (error?: Error) => {
        inTransaction.delete(session.id);
        done(error ?? null);
      };
      const envelope = {
        from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
        to: session.envelope.rcptTo.map((r) => r.address),
      };
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        simpleParser(raw).then(
          (parsed) => {
            const mail = { envelope, raw, parsed };
            received.push(mail);
            for (const w of [...waiters]) {
              if (w.match(mail)) {
                waiters.splice(waiters.indexOf(w), 1);
                w.resolve(mail);
              }
            }
            if (options.ackDelayMs) setTimeout(() => callback(), options.ackDelayMs);
            else callback();
          },
          (error: Error) => callback(error),
        );
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as { port: number };
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    options,
    async quiesced(timeoutMs = 5_000) {
      const until = Date.now() + timeoutMs;
      while (inTransaction.size > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    },
    waitFor(match, timeoutMs = 10_000) {
      const found = received.find(match);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const waiter = { match, resolve };
        waiters.push(waiter);
        setTimeout(() => {
          if (waiters.includes(waiter)) reject(new Error(`no matching mail within ${timeoutMs} ms; received ${received.length}`));
        }, timeoutMs).unref();
      });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
