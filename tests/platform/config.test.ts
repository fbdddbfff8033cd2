import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/platform/config/config.ts';

const problemsOf = (env: Record<string, string>) => {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
};

describe('configuration', () => {
  it('works on a developer machine with nothing set', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      databaseUrl: 'postgres://localhost:5432/p2p_digest',
      redisUrl: 'redis://127.0.0.1:6379',
      port: 3000,
      publicBaseUrl: 'http://localhost:3000',
      smtpUrl: undefined,
      moderation: false,
      queuePrefix: 'p2p',
    });
    // Development secrets are generated (and said so), never empty.
    expect(config.generatedSecrets).toEqual(['APP_SECRET', 'ADMIN_TOKEN']);
    expect(config.appSecret.length).toBeGreaterThanOrEqual(32);
  });

  it('names every bad variable in one message', () => {
    const problems = problemsOf({ PORT: 'eighty', DATABASE_URL: 'mysql://x', MODERATION: 'maybe', QUEUE_PREFIX: 'a:b' });
    expect(problems).toHaveLength(4);
    expect(problems.join('\n')).toMatch(/^PORT: .*"eighty"/m);
    expect(problems.join('\n')).toMatch(/^DATABASE_URL: must be a URL starting with postgres:\/\/ or postgresql:\/\//m);
    expect(problems.join('\n')).toMatch(/^MODERATION: /m);
    expect(problems.join('\n')).toMatch(/^QUEUE_PREFIX: /m);
  });

  it('requires real secrets in production, alongside other problems', () => {
    const problems = problemsOf({ NODE_ENV: 'production', PORT: '-1' });
    expect(problems).toEqual(
      expect.arrayContaining([
        'APP_SECRET: is required when NODE_ENV=production',
        'ADMIN_TOKEN: is required when NODE_ENV=production',
        expect.stringMatching(/^PORT: /),
      ]),
    );
  });

  it('reads the operator settings: the metrics token and port, the log format', () => {
    expect(loadConfig({})).toMatchObject({ metricsToken: undefined, metricsPort: undefined, logFormat: 'auto' });
    expect(loadConfig({ METRICS_TOKEN: 'm'.repeat(16), METRICS_PORT: '9464', LOG_FORMAT: 'json' })).toMatchObject({
      metricsToken: 'm'.repeat(16),
      metricsPort: 9464,
      logFormat: 'json',
    });
    const problems = problemsOf({ METRICS_TOKEN: 'short-token', METRICS_PORT: '70000', LOG_FORMAT: 'fancy' });
    expect(problems).toEqual([
      'LOG_FORMAT: Invalid option: expected one of "auto"|"json"|"pretty" (got "fancy")',
      'METRICS_TOKEN: must be at least 16 characters',
      expect.stringMatching(/^METRICS_PORT: .*"70000"/),
    ]);
  });

  it('rejects short secrets without echoing them', () => {
    const problems = problemsOf({ APP_SECRET: 'short', ADMIN_TOKEN: 'tiny' });
    expect(problems).toEqual(['APP_SECRET: must be at least 32 characters', 'ADMIN_TOKEN: must be at least 16 characters']);
  });

  it('treats an empty variable as unset and reads switches and lists', () => {
    const config = loadConfig({
      SMTP_URL: '',
      MODERATION: 'on',
      APP_SECRET: 'a'.repeat(32),
      APP_SECRET_PREVIOUS: ' old-one , older-one ',
      ADMIN_TOKEN: 'b'.repeat(16),
      PUBLIC_BASE_URL: 'https://digest.example/',
    });
    expect(config.smtpUrl).toBeUndefined();
    expect(config.moderation).toBe(true);
    expect(config.previousAppSecrets).toEqual(['old-one', 'older-one']);
    expect(config.publicBaseUrl).toBe('https://digest.example');
    expect(config.generatedSecrets).toEqual([]);
  });

  it('reads the console operators, lower-cased, and their session lifetime; refuses what is not an address', () => {
    expect(loadConfig({})).toMatchObject({ adminEmails: [], adminSessionMs: 12 * 3_600_000 });
    expect(loadConfig({ ADMIN_EMAILS: ' Ops@Example.com, second@example.org ,', ADMIN_SESSION_HOURS: '0.5' })).toMatchObject({
      adminEmails: ['ops@example.com', 'second@example.org'],
      adminSessionMs: 1_800_000,
    });
    const problems = problemsOf({ ADMIN_EMAILS: 'ops@example.com, not an address', ADMIN_SESSION_HOURS: '0' });
    expect(problems.join('\n')).toMatch(/^ADMIN_EMAILS: must be email addresses, comma-separated/m);
    expect(problems.join('\n')).toMatch(/^ADMIN_SESSION_HOURS: /m);
  });

  it('reads the email intake settings, lower-casing the intake addresses', () => {
    const defaults = loadConfig({});
    expect(defaults).toMatchObject({
      inboundSmtpPort: 2525,
      intakeAddresses: ['opportunities@localhost'],
      inboundMaxBytes: 10_240 * 1024,
      inboundWebhookSecret: undefined,
      mailgunSigningKey: undefined,
    });
    const config = loadConfig({
      INBOUND_SMTP_PORT: '25',
      INTAKE_ADDRESSES: ' Opportunities@P2P.example , jobs@p2p.example ',
      INBOUND_MAX_KB: '64',
      INBOUND_WEBHOOK_SECRET: 'w'.repeat(16),
      MAILGUN_SIGNING_KEY: 'key-0123456789',
    });
    expect(config.intakeAddresses).toEqual(['opportunities@p2p.example', 'jobs@p2p.example']);
    expect(config).toMatchObject({ inboundSmtpPort: 25, inboundMaxBytes: 65_536, inboundWebhookSecret: 'w'.repeat(16) });
  });

  it('reads the SMTP listener limits and the DNS timeout, with defaults, and refuses nonsense', () => {
    expect(loadConfig({})).toMatchObject({
      inboundSmtpLimits: { maxConnectionsPerIp: 10, idleTimeoutMs: 60_000, sessionTimeoutMs: 600_000, greetingDelayMs: 500 },
      inboundDnsTimeoutMs: 5_000,
    });
    const config = loadConfig({
      INBOUND_SMTP_MAX_PER_IP: '3',
      INBOUND_SMTP_IDLE_SECONDS: '20',
      INBOUND_SMTP_SESSION_SECONDS: '120',
      INBOUND_SMTP_GREETING_DELAY_MS: '0',
      INBOUND_DNS_TIMEOUT_MS: '1500',
    });
    expect(config.inboundSmtpLimits).toEqual({ maxConnectionsPerIp: 3, idleTimeoutMs: 20_000, sessionTimeoutMs: 120_000, greetingDelayMs: 0 });
    expect(config.inboundDnsTimeoutMs).toBe(1_500);
    const problems = problemsOf({ INBOUND_SMTP_MAX_PER_IP: '0', INBOUND_SMTP_IDLE_SECONDS: 'soon', INBOUND_DNS_TIMEOUT_MS: '10' });
    expect(problems).toHaveLength(3);
  });

  it('reads the urgent-work settings: window, alerts a day, quiet hours (or off), and refuses nonsense', () => {
    expect(loadConfig({}).urgent).toEqual({ windowDays: 21, alertsPerDay: 3, quietHours: { start: 20, end: 8 } });
    expect(loadConfig({ URGENT_WINDOW_DAYS: '14', URGENT_ALERTS_PER_DAY: '0', URGENT_QUIET_HOURS: '22-6' }).urgent).toEqual({
      windowDays: 14,
      alertsPerDay: 0,
      quietHours: { start: 22, end: 6 },
    });
    expect(loadConfig({ URGENT_QUIET_HOURS: 'off' }).urgent.quietHours).toBeNull();
    expect(loadConfig({ URGENT_QUIET_HOURS: '9-9' }).urgent.quietHours).toBeNull();
    const problems = problemsOf({ URGENT_WINDOW_DAYS: '0', URGENT_QUIET_HOURS: '8pm-8am' });
    expect(problems).toHaveLength(2);
    expect(problems.join(' ')).toContain('URGENT_QUIET_HOURS');
  });

  it('refuses bad intake settings, without echoing secrets', () => {
    const problems = problemsOf({
      INTAKE_ADDRESSES: 'opportunities@p2p.example, not-an-address',
      INBOUND_SMTP_PORT: '70000',
      INBOUND_MAX_KB: '0',
      INBOUND_WEBHOOK_SECRET: 'short-secret',
      MAILGUN_SIGNING_KEY: 'tiny',
    });
    expect(problems).toHaveLength(5);
    expect(problems.join('\n')).toMatch(/^INTAKE_ADDRESSES: must be email addresses/m);
    expect(problems).toContain('INBOUND_WEBHOOK_SECRET: must be at least 16 characters');
    expect(problems).toContain('MAILGUN_SIGNING_KEY: must be at least 8 characters');
    expect(problems.join('\n')).not.toMatch(/short-secret|tiny/);
  });
});
