import { pino, type DestinationStream, type Logger } from 'pino';
import pinoPretty from 'pino-pretty';
import { REDACTED, redactUrl } from '../links/link-paths.ts';

/** Object keys that hold credentials, at a log line's top level and one level down. */
const SECRET_KEYS = ['authorization', 'cookie', 'password', 'apiKey', 'key', 'token', 'secret', 'appSecret', 'adminToken'];
/**
 * Left out at the top level: `start` prints the ADMIN_TOKEN it generated for a local try-out, on
 * purpose, once (never when ADMIN_TOKEN is set).
 */
const TOP_LEVEL_SECRET_KEYS = SECRET_KEYS.filter((key) => key !== 'adminToken');

/**
 * The service's logger. Link tokens (every path in LINK_PATHS), credential query parameters and
 * credential headers never reach the log: the request serializer logs the method, a redacted URL
 * and the id only, never headers. `destination` is for tests that read what was logged.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'headers.authorization',
        'headers.cookie',
        ...TOP_LEVEL_SECRET_KEYS,
        ...SECRET_KEYS.map((key) => `*.${key}`),
      ],
      censor: REDACTED,
    },
    serializers: {
      req: (req: { method?: string; url?: string; id?: string }) => ({
        id: req.id,
        method: req.method,
        url: req.url === undefined ? undefined : redactUrl(req.url),
      }),
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

export type LogFormat = 'auto' | 'json' | 'pretty';

/**
 * Whether to write readable lines rather than JSON: asked for (`pretty`), or `auto` in development
 * on a terminal, where a person reads the log. Production, tests, containers and pipes get JSON,
 * one object per line, which log shippers and the tests' readers parse.
 */
export function wantsPrettyLogs(format: LogFormat, env: string, stdoutIsTty: boolean): boolean {
  return format === 'pretty' || (format === 'auto' && env === 'development' && stdoutIsTty);
}

/**
 * One line per entry: "GET /submit" on a request's line, "200 in 12 ms" on its answer's, an
 * error's message after the entry's; the other fields follow as JSON. Only errors and worse keep
 * the stack trace (on the lines below): those are the bugs a developer must read in full.
 */
function oneLine(log: Record<string, unknown>, messageKey: string): string {
  const given = log[messageKey];
  const message = typeof given === 'string' ? given : '';
  const req = log.req as { method?: string; url?: string } | undefined;
  const res = log.res as { statusCode?: number } | undefined;
  const err = log.err as { message?: string; stack?: string } | undefined;
  if (res?.statusCode !== undefined && typeof log.responseTime === 'number') return `${message}: ${res.statusCode} in ${Math.round(log.responseTime)} ms`;
  if (req?.method) return `${message}: ${req.method} ${req.url ?? ''}`;
  if (!err) return message;
  const stack = typeof log.level === 'number' && log.level >= 50 && err.stack ? `\n${err.stack}` : '';
  return `${message}: ${err.message ?? 'error'}${stack}`;
}

/**
 * A destination that writes each entry as one readable, coloured line (pino-pretty, in this
 * process and synchronously, so the last lines before a crash are not lost in a worker thread).
 * Redaction has happened before it: it formats what the JSON would have said. `output` (stdout
 * by default) is for tests that read what was written.
 */
export function prettyDestination(colorize: boolean, output?: NodeJS.WritableStream): DestinationStream {
  return pinoPretty({
    ...(output ? { destination: output } : {}),
    colorize,
    singleLine: true,
    sync: true,
    translateTime: 'SYS:HH:MM:ss',
    ignore: 'pid,hostname,req,res,responseTime,err',
    messageFormat: oneLine,
    // On a terminal, each entry first clears the line: a command's progress line (on stderr, the
    // same terminal) is then overwritten rather than run into, and is drawn again below.
    ...(colorize ? { customPrettifiers: { time: (time: string | object) => `\r\x1b[2K[${typeof time === 'string' ? time : JSON.stringify(time)}]` } } : {}),
  });
}
