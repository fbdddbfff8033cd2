import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import type { AcceptResult, InboundMessageInput } from '../inbound.service.ts';
import { isIntakeRecipient, type IntakeAddressConfig } from './addresses.ts';

export interface SmtpListenerDeps {
  /** Stores the message (and queues its processing); resolves only once it is committed. */
  accept: (message: InboundMessageInput) => Promise<AcceptResult>;
  log: Logger;
  settings: IntakeAddressConfig & {
    host: string;
    /** 0 picks a free port (tests). */
    port: number;
    maxBytes: number;
    /** The name in the banner and in EHLO. */
    serverName: string;
  } & SessionLimits;
}

/** What one client may hold of the listener, so that no client can lock the others out. */
export interface SessionLimits {
  /** Open sessions per client address (IPv4 address, IPv6 /64); the next one is answered 421. */
  maxConnectionsPerIp: number;
  /** A session silent this long is closed with 421 (smtp-server's socketTimeout). */
  idleTimeoutMs: number;
  /** A session open this long is closed with 421, however busy: trickling a byte a minute does not hold it. */
  sessionTimeoutMs: number;
  /** The banner waits this long; a client that talks before it is an early talker and gets 421. */
  greetingDelayMs: number;
}

export interface SmtpListener {
  port: number;
  stop(): Promise<void>;
}

/** More recipients than this in one message is a mass mailing, not a submission. */
const MAX_RECIPIENTS = 20;
/** Each session may hold a message of up to maxBytes in memory; this bounds the sum. */
const MAX_CLIENTS = 50;

const smtpError = (responseCode: number, message: string) => Object.assign(new Error(message), { responseCode });

/**
 * The MX-style intake: anyone may connect and send, without AUTH, but only to our own addresses
 * (intake, unsubscribe, reply+…), so it cannot be used as a relay. A message is answered 250
 * only after its bytes are committed to Postgres; a storage failure is a 451 and the sender's
 * server tries again later. STARTTLS is off: there is no certificate configured here.
 */
export async function startSmtpListener(deps: SmtpListenerDeps): Promise<SmtpListener> {
  const { settings, log } = deps;
  const gate = sessionGate(settings, (sessionId) => {
    for (const connection of server.connections) {
      if (connection.id === sessionId) connection.send(421, '4.4.2 Session time limit reached, closing');
    }
  });
  const server = new SMTPServer({
    name: settings.serverName,
    banner: 'p2p-digest email intake',
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    size: settings.maxBytes,
    maxClients: MAX_CLIENTS,
    socketTimeout: settings.idleTimeoutMs,
    // We use no client hostname; the PTR lookup would only be a DNS wait on every connection.
    disableReverseLookup: true,
    logger: false,
    onConnect(session, callback) {
      const refusal = gate.open(session.id, session.remoteAddress);
      if (refusal) {
        log.info({ remoteIp: session.remoteAddress }, 'smtp connection refused: too many from this address');
        return callback(smtpError(421, refusal));
      }
      // smtp-server takes input only once we call back: whatever arrives before is answered 421 ("You talk too soon").
      setTimeout(() => callback(), settings.greetingDelayMs).unref();
    },
    onClose(session) {
      gate.close(session.id);
    },
    onRcptTo(address, session, callback) {
      if (!isIntakeRecipient(address.address, settings)) {
        return callback(smtpError(550, '5.1.1 No such mailbox here'));
      }
      if (session.envelope.rcptTo.length >= MAX_RECIPIENTS) return callback(smtpError(452, '4.5.3 Too many recipients'));
      callback();
    },
    onData(stream, session, callback) {
      // smtp-server resets the envelope once we call back: take what we need now.
      const envelope = envelopeOf(session);
      readMessage(stream, settings.maxBytes).then(
        (raw) => {
          if (raw === 'too-big') return callback(smtpError(552, `5.3.4 Message too big (the limit is ${settings.maxBytes} bytes)`));
          deps.accept({ receivedVia: 'smtp', raw, ...envelope }).then(
            (result) => callback(null, result.accepted ? `2.0.0 Ok: stored as ${result.id}` : '2.0.0 Ok'),
            (err: unknown) => {
              log.error({ err, from: envelope.mailFrom }, 'inbound message could not be stored; answered 451');
              callback(smtpError(451, '4.3.0 Could not store the message now, please try again later'));
            },
          );
        },
        (err: unknown) => {
          log.warn({ err }, 'inbound message stream failed');
          callback(smtpError(451, '4.3.0 Could not read the message, please try again'));
        },
      );
    },
  });
  server.on('error', (err) => log.warn({ err }, 'smtp listener error'));
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(settings.port, settings.host, () => {
      server.server.off('error', reject);
      resolve();
    });
  });
  const port = (server.server.address() as AddressInfo).port;
  log.info({ host: settings.host, port }, 'smtp intake listening');
  return {
    port,
    // Stops accepting at once; open sessions get smtp-server's close timeout to finish.
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * Counts open sessions per client address and ends each one at the session time limit. A session
 * is counted only once let in, so a refused connection's close does not free a slot it never held.
 */
function sessionGate(limits: SessionLimits, endSession: (sessionId: string) => void) {
  const perClient = new Map<string, number>();
  const open = new Map<string, { client: string; timer: NodeJS.Timeout }>();
  return {
    /** Lets a session in (null), or says why not. */
    open(sessionId: string, remoteAddress: string): string | null {
      const client = clientKey(remoteAddress);
      const count = perClient.get(client) ?? 0;
      if (count >= limits.maxConnectionsPerIp) return `4.7.0 Too many connections from your address, try again later`;
      perClient.set(client, count + 1);
      const timer = setTimeout(() => endSession(sessionId), limits.sessionTimeoutMs).unref();
      open.set(sessionId, { client, timer });
      return null;
    },
    close(sessionId: string): void {
      const session = open.get(sessionId);
      if (!session) return;
      open.delete(sessionId);
      clearTimeout(session.timer);
      const left = (perClient.get(session.client) ?? 1) - 1;
      if (left > 0) perClient.set(session.client, left);
      else perClient.delete(session.client);
    },
  };
}

/**
 * The unit one client controls: an IPv4 address, or an IPv6 /64 (one host is routinely given a
 * whole /64, so counting single IPv6 addresses would limit nothing). smtp-server has already
 * turned IPv4-mapped addresses into plain IPv4 and compressed IPv6 to RFC 5952 form.
 */
export function clientKey(address: string): string {
  if (!address.includes(':')) return address;
  const bare = address.split('%')[0]!;
  const [head = '', tail] = bare.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return `${groups.slice(0, 4).join(':')}::/64`;
}

function envelopeOf(session: SMTPServerSession): Pick<InboundMessageInput, 'mailFrom' | 'rcptTo' | 'remoteIp' | 'helo'> {
  const mailFrom = session.envelope.mailFrom;
  return {
    mailFrom: mailFrom ? mailFrom.address.toLowerCase() : '',
    rcptTo: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
    remoteIp: session.remoteAddress || null,
    helo: session.hostNameAppearsAs || null,
  };
}

/**
 * The message's bytes, or 'too-big'. `size` only advertises the limit: a client that ignores it
 * keeps sending, so we stop keeping bytes past the limit (but drain the stream, which the
 * protocol needs) and let `sizeExceeded` decide.
 */
function readMessage(stream: SMTPServerDataStream, maxBytes: number): Promise<Buffer | 'too-big'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let kept = 0;
    stream.on('data', (chunk: Buffer) => {
      if (kept + chunk.length <= maxBytes) {
        chunks.push(chunk);
      }
      kept += chunk.length;
    });
    stream.once('error', reject);
    stream.once('end', () => resolve(stream.sizeExceeded || kept > maxBytes ? 'too-big' : Buffer.concat(chunks)));
  });
}
