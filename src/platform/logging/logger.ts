import { pino, type DestinationStream, type Logger } from 'pino';
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
