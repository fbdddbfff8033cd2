import { pino, type Logger } from 'pino';

/**
 * The service's logger. Tokens in URLs (signed links) and credentials never reach the log.
 */
export function createLogger(level: string): Logger {
  return pino({
    level,
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', 'headers.authorization', '*.password', '*.apiKey', '*.key'],
      censor: '[redacted]',
    },
    serializers: {
      req: (req: { method?: string; url?: string; id?: string }) => ({
        id: req.id,
        method: req.method,
        // /join/confirm/<token>, /o/<token>, /u/<token>: the token is a credential.
        // The inbound webhook's shared secret may come as ?key=<secret>.
        url: req.url?.replace(/\/(confirm|o|u)\/[^/?]+/g, '/$1/[token]').replace(/([?&]key=)[^&#]*/g, '$1[redacted]'),
      }),
    },
  });
}
