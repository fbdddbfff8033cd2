import { pino, type DestinationStream, type Logger } from 'pino';
import { REDACTED, redactUrl } from '../links/link-paths.ts';

/** Object keys that hold credentials wherever they appear in a log line's first two levels. */
const SECRET_KEYS = ['authorization', 'cookie', 'password', 'apiKey', 'key', 'token', 'secret', 'appSecret', 'adminToken'];

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
