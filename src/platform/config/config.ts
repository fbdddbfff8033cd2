import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { z } from 'zod';

/**
 * Every setting of the service, read from the environment once at start and passed on to the
 * factories that need it. Nothing else in `src/` reads `process.env`.
 */
const onOff = z
  .enum(['on', 'off', 'true', 'false', '1', '0'])
  .transform((v) => v === 'on' || v === 'true' || v === '1');

const url = (protocols: string[]) =>
  z.string().refine((value) => {
    try {
      return protocols.includes(new URL(value).protocol);
    } catch {
      return false;
    }
  }, `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`);

/** An address or a CIDR block (`10.0.0.0/8`, `fd00::/8`), as Fastify's `trustProxy` takes them. */
const isAddressOrCidr = (value: string): boolean => {
  const [address = '', prefix, ...rest] = value.split('/');
  const version = isIP(address);
  if (version === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128);
};

/**
 * Which proxies may name the client in X-Forwarded-For: none (`off`, the default: the client is
 * the peer of the socket), the nearest N hops (`1`, `2`), or the proxies at these addresses or
 * CIDR blocks. Never "all": any client could then pick its address and walk past the per-IP limits.
 */
const trustProxy = z
  .string()
  .default('off')
  .transform((value, ctx): false | number | string[] => {
    const v = value.trim();
    if (['off', 'false', '0'].includes(v)) return false;
    if (/^[1-9]\d?$/.test(v)) return Number(v);
    const proxies = v.split(',').map((a) => a.trim()).filter(Boolean);
    if (proxies.length > 0 && proxies.every(isAddressOrCidr)) return proxies;
    ctx.addIssue({ code: 'custom', message: 'must be off, a hop count (1-99) or a comma-separated list of proxy addresses or CIDR blocks' });
    return z.NEVER;
  });

/** local@host, where host may be a bare name (`opportunities@localhost` is the development default). */
const MAILBOX = /^[^\s@<>(),;:"[\]\\]+@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$/;

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  DATABASE_URL: url(['postgres:', 'postgresql:']).default('postgres://localhost:5432/p2p_digest'),
  REDIS_URL: url(['redis:', 'rediss:']).default('redis://127.0.0.1:6379'),
  HOST: z.string().min(1).default('127.0.0.1'),
  TRUST_PROXY: trustProxy,
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  PUBLIC_BASE_URL: url(['http:', 'https:'])
    .default('http://localhost:3000')
    .transform((v) => v.replace(/\/+$/, '')),
  APP_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  APP_SECRET_PREVIOUS: z.string().optional(),
  ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  ADMIN_EMAILS: z
    .string()
    .default('')
    .transform((v) => v.split(',').map((a) => a.trim().toLowerCase()).filter(Boolean))
    .pipe(z.array(z.email('must be email addresses, comma-separated'))),
  ADMIN_SESSION_HOURS: z.coerce.number().min(0.01).max(720).default(12),
  SMTP_URL: url(['smtp:', 'smtps:']).optional(),
  MAIL_FROM: z.string().min(3).default('p2p-digest <digest@localhost>'),
  OUTBOX_DIR: z.string().min(1).default('var/outbox'),
  QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, 'may hold only letters, digits, "-" and "_"')
    .default('p2p'),
  RECONCILE_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
  MODERATION: onOff.default(false),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_FORMAT: z.enum(['auto', 'json', 'pretty']).default('auto'),
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  METRICS_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  SUBMIT_RATE_PER_HOUR: z.coerce.number().int().positive().default(20),
  OPPORTUNITY_DEFAULT_DAYS: z.coerce.number().int().positive().default(30),
  OPERATOR_ADDRESS: z.string().min(3).default('p2p-digest · set OPERATOR_ADDRESS to your postal address'),
  BODY_LIMIT_KB: z.coerce.number().int().min(16).max(10_240).default(256),
  SMTP_RATE_PER_SECOND: z.coerce.number().int().min(0).default(0),
  DIGEST_LEASE_SECONDS: z.coerce.number().int().min(1).max(3600).default(300),
  DIGEST_SEND_WINDOW_HOURS: z.coerce.number().positive().max(31 * 24).default(24),
  DIGEST_BUILD_AHEAD_MINUTES: z.coerce.number().int().min(0).max(1440).default(60),
  MAX_REACH_PER_ROUND: z.coerce.number().int().min(1).max(100_000).default(25),
  URGENT_WINDOW_DAYS: z.coerce.number().int().min(1).max(365).default(21),
  URGENT_ALERTS_PER_DAY: z.coerce.number().int().min(0).max(100).default(3),
  URGENT_QUIET_HOURS: z
    .string()
    .trim()
    .default('20-8')
    .transform((v, ctx) => {
      if (v === 'off') return null;
      const m = /^(\d{1,2})-(\d{1,2})$/.exec(v);
      const [start, end] = m ? [Number(m[1]), Number(m[2])] : [NaN, NaN];
      if (!(start >= 0 && start <= 23 && end >= 0 && end <= 23)) {
        ctx.addIssue({ code: 'custom', message: 'must be two local hours such as 20-8 (from 20:00 to 08:00), or off' });
        return z.NEVER;
      }
      return start === end ? null : { start, end };
    }),
  SMTP_CONNECTION_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(600).default(15),
  SMTP_GREETING_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(600).default(30),
  SMTP_SOCKET_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(3600).default(120),
  SMTP_PAUSE_MAX_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
  INTEREST_BATCH_MINUTES: z.coerce.number().int().min(0).max(1440).default(15),
  UNDO_GRACE_MINUTES: z.coerce.number().int().min(0).max(1440).default(10),
  OUTCOME_ASK_AFTER_DAYS: z.coerce.number().int().min(1).max(365).default(14),
  OUTCOME_REMINDER_AFTER_DAYS: z.coerce.number().int().min(1).max(365).default(7),
  UNSUBSCRIBE_MAILTO: z.email('must be an email address').optional(),
  INBOUND_SMTP_PORT: z.coerce.number().int().min(0).max(65535).default(2525),
  INTAKE_ADDRESSES: z
    .string()
    .default('opportunities@localhost')
    .transform((v) => v.split(',').map((a) => a.trim().toLowerCase()).filter(Boolean))
    .pipe(z.array(z.string().regex(MAILBOX, 'must be email addresses, comma-separated')).min(1, 'must name at least one address')),
  INBOUND_MAX_KB: z.coerce.number().int().min(1).max(51_200).default(10_240),
  INBOUND_SMTP_MAX_PER_IP: z.coerce.number().int().min(1).max(1000).default(10),
  INBOUND_SMTP_IDLE_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
  INBOUND_SMTP_SESSION_SECONDS: z.coerce.number().int().min(1).max(86_400).default(600),
  INBOUND_SMTP_GREETING_DELAY_MS: z.coerce.number().int().min(0).max(30_000).default(500),
  INBOUND_DNS_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5000),
  INBOUND_REPLIES_PER_DOMAIN_DAILY: z.coerce.number().int().min(1).max(100_000).default(100),
  INBOUND_WEBHOOK_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  MAILGUN_SIGNING_KEY: z.string().min(8, 'must be at least 8 characters').optional(),
  DKIM_DOMAIN: z.string().min(3).optional(),
  DKIM_SELECTOR: z.string().regex(/^[A-Za-z0-9._-]+$/, 'must be a DNS label').optional(),
  DKIM_PRIVATE_KEY: z
    .string()
    .transform((v) => v.replace(/\\n/g, '\n'))
    .refine((v) => v.includes('PRIVATE KEY-----'), 'must be a PEM private key (newlines may be written as \\n)')
    .optional(),
});

/**
 * The environment as the code names it: the schema above, renamed and derived (secrets generated
 * in development, sizes in bytes, the unsubscribe address from MAIL_FROM's domain). `Config` is
 * this schema's output, so the type and the parsing cannot drift apart.
 */
const configSchema = envSchema.transform((e) => {
  const mailDomain = e.MAIL_FROM.match(/@([^>\s]+)>?\s*$/)?.[1] ?? 'localhost';
  const generatedSecrets: Array<'APP_SECRET' | 'ADMIN_TOKEN'> = [];
  const secret = (name: 'APP_SECRET' | 'ADMIN_TOKEN', value: string | undefined): string => {
    if (value) return value;
    generatedSecrets.push(name);
    return randomBytes(32).toString('base64url');
  };
  return {
    env: e.NODE_ENV,
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    host: e.HOST,
    /** Fastify's `trustProxy`: false, a hop count, or the proxies' addresses and CIDR blocks. */
    trustProxy: e.TRUST_PROXY,
    port: e.PORT,
    publicBaseUrl: e.PUBLIC_BASE_URL,
    /** Signs every link we email (confirmations, status pages, unsubscribe). */
    appSecret: secret('APP_SECRET', e.APP_SECRET),
    /** Earlier APP_SECRETs (comma-separated): links signed with them keep working after a rotation. */
    previousAppSecrets: (e.APP_SECRET_PREVIOUS ?? '').split(',').map((v) => v.trim()).filter(Boolean),
    adminToken: secret('ADMIN_TOKEN', e.ADMIN_TOKEN),
    /** Operators of the console (/admin), lower-cased: they sign in with an emailed link. */
    adminEmails: e.ADMIN_EMAILS,
    /** How long a console session lasts from sign-in, however active it is. */
    adminSessionMs: Math.round(e.ADMIN_SESSION_HOURS * 3_600_000),
    /** Secrets that were generated because none was configured (development only). */
    generatedSecrets,
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM,
    outboxDir: e.OUTBOX_DIR,
    queuePrefix: e.QUEUE_PREFIX,
    /** The scheduler's reconcile pass, which rebuilds lost queue state from Postgres, runs this often. */
    reconcileIntervalMs: e.RECONCILE_INTERVAL_SECONDS * 1000,
    moderation: e.MODERATION,
    logLevel: e.LOG_LEVEL,
    /** `auto`: one readable line per entry in development on a terminal, JSON everywhere else (logger.ts). */
    logFormat: e.LOG_FORMAT,
    /** Bearer token a Prometheus scrape of /metrics must send; unset: /metrics is open. */
    metricsToken: e.METRICS_TOKEN,
    /** A process without the api role serves /metrics on this port (workers' counters live in their process). */
    metricsPort: e.METRICS_PORT,
    submitRatePerHour: e.SUBMIT_RATE_PER_HOUR,
    opportunityDefaultDays: e.OPPORTUNITY_DEFAULT_DAYS,
    /** Postal address (or operator line) in every email footer. */
    operatorAddress: e.OPERATOR_ADDRESS,
    bodyLimitBytes: e.BODY_LIMIT_KB * 1024,
    /** Digest sends per second through the SMTP pool; 0 = no limit. */
    smtpRatePerSecond: e.SMTP_RATE_PER_SECOND,
    /** How long a worker holds a digest it is sending before the reconciler may hand it to another. */
    digestLeaseSeconds: e.DIGEST_LEASE_SECONDS,
    /** How long after its send moment (or its row's creation) a digest keeps waiting out SMTP trouble before it is failed. */
    digestSendWindowMs: e.DIGEST_SEND_WINDOW_HOURS * 3_600_000,
    /** The tick creates and builds the rows of partners due within this many minutes; they are sent at their due moment (0: off). */
    digestBuildAheadMinutes: e.DIGEST_BUILD_AHEAD_MINUTES,
    /** The most partners one digest round carries an opportunity to, best first (fair exposure). */
    maxReachPerRound: e.MAX_REACH_PER_ROUND,
    /** Urgent opportunities: how near the start date must be, alerts per partner per local day, quiet hours (local). */
    urgent: {
      windowDays: e.URGENT_WINDOW_DAYS,
      alertsPerDay: e.URGENT_ALERTS_PER_DAY,
      quietHours: e.URGENT_QUIET_HOURS,
    },
    /** So a stalled SMTP server cannot hold the pool's connections (see mailer.ts). */
    smtpTimeouts: {
      connectionMs: e.SMTP_CONNECTION_TIMEOUT_SECONDS * 1000,
      greetingMs: e.SMTP_GREETING_TIMEOUT_SECONDS * 1000,
      socketMs: e.SMTP_SOCKET_TIMEOUT_SECONDS * 1000,
    },
    /** The longest pause between probes of an unreachable SMTP server. */
    smtpPauseMaxMs: e.SMTP_PAUSE_MAX_SECONDS * 1000,
    /** Interests in an opportunity are told to its submitter in one email per this many minutes. */
    interestBatchMinutes: e.INTEREST_BATCH_MINUTES,
    /** A submitter may undo closing or withdrawing for this many minutes; the "not picked" mails wait as long. */
    undoGraceMinutes: e.UNDO_GRACE_MINUTES,
    /** Each side of an introduction is asked whether they worked together this many days after it. */
    outcomeAskAfterDays: e.OUTCOME_ASK_AFTER_DAYS,
    /** One reminder, this many days after the question, only while it is unanswered. */
    outcomeReminderAfterDays: e.OUTCOME_REMINDER_AFTER_DAYS,
    /** The mailto: half of List-Unsubscribe. */
    unsubscribeMailto: e.UNSUBSCRIBE_MAILTO ?? `unsubscribe@${mailDomain}`,
    /** Email intake (see src/inbound/intake-addresses.ts for every address we accept). */
    inboundSmtpPort: e.INBOUND_SMTP_PORT,
    /** Lower-cased; their domains also take `reply+<token>@` replies. */
    intakeAddresses: e.INTAKE_ADDRESSES,
    /** The largest inbound message, by SMTP or webhook. */
    inboundMaxBytes: e.INBOUND_MAX_KB * 1024,
    /** What one client may hold of the SMTP listener (see smtp-listener.ts SessionLimits). */
    inboundSmtpLimits: {
      maxConnectionsPerIp: e.INBOUND_SMTP_MAX_PER_IP,
      idleTimeoutMs: e.INBOUND_SMTP_IDLE_SECONDS * 1000,
      sessionTimeoutMs: e.INBOUND_SMTP_SESSION_SECONDS * 1000,
      greetingDelayMs: e.INBOUND_SMTP_GREETING_DELAY_MS,
    },
    /** Each DNS lookup of SPF, DKIM and DMARC; the whole check gets a few of these (sender-auth.ts). */
    inboundDnsTimeoutMs: e.INBOUND_DNS_TIMEOUT_MS,
    /** Automatic replies (acknowledgements, digest-reply help) one recipient domain may get a day. */
    inboundRepliesPerDomainDaily: e.INBOUND_REPLIES_PER_DOMAIN_DAILY,
    /** Shared secret of the raw-MIME webhook for providers other than Mailgun; unset: only Mailgun's signature is accepted. */
    inboundWebhookSecret: e.INBOUND_WEBHOOK_SECRET,
    mailgunSigningKey: e.MAILGUN_SIGNING_KEY,
    dkim:
      e.DKIM_DOMAIN && e.DKIM_SELECTOR && e.DKIM_PRIVATE_KEY
        ? { domainName: e.DKIM_DOMAIN, keySelector: e.DKIM_SELECTOR, privateKey: e.DKIM_PRIVATE_KEY }
        : undefined,
  };
});

export type Config = z.output<typeof configSchema>;

export class ConfigError extends Error {
  readonly problems: string[];

  constructor(problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/**
 * Parses the environment. Every bad or missing variable is reported in one ConfigError, so an
 * operator fixes them all in one go rather than one restart at a time.
 */
export function loadConfig(env: NodeJS.ProcessEnv): Config {
  // An empty variable (FOO=) means "not set", as in most shells' and compose files' usage.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = configSchema.safeParse(cleaned);
  const problems: string[] = [];
  if (cleaned.NODE_ENV === 'production') {
    for (const name of ['APP_SECRET', 'ADMIN_TOKEN'] as const) {
      if (!cleaned[name]) problems.push(`${name}: is required when NODE_ENV=production`);
    }
  }
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const name = String(issue.path[0] ?? 'environment');
      const value = cleaned[name];
      const shown = value === undefined || /SECRET|TOKEN|URL|KEY/.test(name) ? '' : ` (got "${value}")`;
      problems.push(`${name}: ${issue.message}${shown}`);
    }
  }
  if (parsed.success) {
    const dkim = [cleaned.DKIM_DOMAIN, cleaned.DKIM_SELECTOR, cleaned.DKIM_PRIVATE_KEY];
    if (dkim.some(Boolean) && !dkim.every(Boolean)) {
      problems.push('DKIM_DOMAIN, DKIM_SELECTOR, DKIM_PRIVATE_KEY: set all three to sign with DKIM, or none');
    }
  }
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  return parsed.data;
}
