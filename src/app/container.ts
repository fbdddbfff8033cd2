import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from '../platform/config/config.ts';
import { createDatabase, ensureDatabaseExists, type Database } from '../platform/db/database.ts';
import { migrateToLatest } from '../platform/db/migrate.ts';
import { createPages } from '../platform/http/pages.ts';
import { createAdminAuthService } from '../admin/admin-auth.service.ts';
import { createAdminConsoleService } from '../admin/admin-console.service.ts';
import { createSignInLimits } from '../admin/sign-in-limits.ts';
import { replyAddressFor } from '../inbound/replies/digest-reply.ts';
import { createInboundIntake, createInboundService } from '../inbound/inbound.service.ts';
import { createRateLimits } from '../platform/http/rate-limits.ts';
import { createInterestService } from '../interests/interest.service.ts';
import { createIntroductionService } from '../interests/introduction.service.ts';
import { createLinkSigner } from '../platform/links/link-tokens.ts';
import { createLinks } from '../platform/links/links.ts';
import { codeVersion } from './code-version.ts';
import { createDigestService } from '../digests/digest.service.ts';
import { digestSubject, loadDigestRenderer } from '../digests/digest-render.ts';
import { createMailService } from '../platform/mail/mail.service.ts';
import { createMailKinds } from './mails.ts';
import { DIGEST_SEND_CLAIMS, JOBS, QUEUE_CONCURRENCY, QUEUE_NAMES, outboxRoutes } from './jobs.ts';
import { createMetrics, type QueueCounts } from '../platform/metrics/metrics.ts';
import { outboxLagSeconds } from '../platform/outbox/outbox.repository.ts';
import { claimSize, DIGEST_RUN_CONCURRENCY } from '../digests/digest-limits.ts';
import { attemptsOf } from '../platform/queue/job-registry.ts';
import { compileEmailTemplates, loadMailTemplates } from '../platform/mail/mail-templates.ts';
import { createMailer } from '../platform/mail/mailer.ts';
import { createReturnPaths } from '../platform/mail/return-path.ts';
import { createOpportunityService } from '../opportunities/opportunity.service.ts';
import { createOutcomeService } from '../outcomes/outcome.service.ts';
import { createApiKeyService } from '../partners/api-key.service.ts';
import { createPartnerService } from '../partners/partner.service.ts';
import { createPreferencesService } from '../partners/preferences.service.ts';
import { createQueues } from '../platform/queue/queues.ts';
import { reconnectDelayMs, redisOptionsFromUrl } from '../platform/queue/redis-connection.ts';
import { loadTaxonomyFile } from '../skills/load-taxonomy.ts';
import { loadSkillCatalogue, syncTaxonomy } from '../skills/skills.service.ts';
import { createSuppressionService } from '../suppressions/suppression.service.ts';
import { createUnsubscribeService } from '../suppressions/unsubscribe.service.ts';

/**
 * Creates the database if needed, applies migrations and syncs the skill taxonomy. Every role
 * runs it at start; the migrator's lock and the taxonomy's advisory lock make that safe.
 */
export async function prepareDatabase(config: Pick<Config, 'databaseUrl'>, log: Logger): Promise<void> {
  if (await ensureDatabaseExists(config.databaseUrl)) log.info('database created');
  const db = createDatabase(config.databaseUrl, 1, (err) => log.warn({ err }, 'postgres connection lost'));
  try {
    const applied = await migrateToLatest(db);
    if (applied.length) log.info({ applied }, 'migrations applied');
    await syncTaxonomy(db, await loadTaxonomyFile());
  } finally {
    await db.destroy();
  }
}

/**
 * The composition root: every long-lived object, built once from the config and handed to the
 * factories that use it. Nothing in `src/` reaches for a module-level singleton instead.
 */
export async function createContainer(config: Config, log: Logger) {
  const db: Database = createDatabase(config.databaseUrl, undefined, (err) => log.warn({ err }, 'postgres connection lost; the pool reconnects'));
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 2, lazyConnect: false, retryStrategy: reconnectDelayMs });
  redis.on('error', (err) => log.warn({ err }, 'redis connection error'));
  const queueSettings = { connection: redisOptionsFromUrl(config.redisUrl), prefix: config.queuePrefix };
  const queues = createQueues(JOBS, queueSettings, log);
  const metrics = createMetrics({
    queueCounts: async () =>
      Object.fromEntries(
        await Promise.all(
          QUEUE_NAMES.map(async (name) => [name, (await queues.queue(name).getJobCounts('waiting', 'active', 'failed', 'delayed')) as QueueCounts] as const),
        ),
      ),
    outboxLagSeconds: () => outboxLagSeconds(db),
    // Built below; only read at scrape time, once the container is built.
    loopThisMonth: () => outcomes.thisMonth(),
  });
  // The code's hash reads files while Postgres answers for the catalogue.
  const [catalogue, build] = await Promise.all([loadSkillCatalogue(db), codeVersion()]);
  const signer = createLinkSigner([config.appSecret, ...config.previousAppSecrets]);
  const links = createLinks(config.publicBaseUrl, signer);
  // Digest replies (`reply+<token>@`) and bounces (`bounce+<token>@`) go to the first intake
  // address's domain: the intake takes both.
  const intakeDomain = config.intakeAddresses[0]!.split('@')[1]!;
  const returnPaths = createReturnPaths([config.appSecret, ...config.previousAppSecrets], intakeDomain);
  const mailer = createMailer({
    smtpUrl: config.smtpUrl,
    outboxDir: config.outboxDir,
    from: config.mailFrom,
    ratePerSecond: config.smtpRatePerSecond,
    dkim: config.dkim,
    returnPaths,
    timeouts: config.smtpTimeouts,
    maxPauseMs: config.smtpPauseMaxMs,
    metrics,
    onAvailabilityChange: ({ open, pauseMs, error }) =>
      open ? log.warn({ err: error, pauseMs }, 'SMTP unreachable: sending paused until the next probe') : log.info('SMTP reachable again: sending resumed'),
  });
  // Every email template in one go: MJML runs once, on a thread of its own (mail-templates.ts).
  const [noticeTemplate, digestTemplate] = await compileEmailTemplates(['notice.mjml', 'digest.mjml']);
  const templates = await loadMailTemplates(noticeTemplate);
  // Message-IDs, the loop header and the SMTP greeting all name the host of the public URL.
  const mailDomain = new URL(config.publicBaseUrl).hostname;

  const suppressions = createSuppressionService({ db });
  const partners = createPartnerService({ db, catalogue, suppressions });
  const preferences = createPreferencesService({ db, catalogue });
  const unsubscribe = createUnsubscribeService({ db, suppressions, partners, preferences });
  const opportunities = createOpportunityService({
    db,
    catalogue,
    partners,
    // Built below (introductions read opportunities); only called once the container is built.
    introductions: {
      opportunityEnded: (trx, opportunityId, notBefore) => introductions.opportunityEnded(trx, opportunityId, notBefore),
      opportunityReopened: (trx, opportunityId) => introductions.opportunityReopened(trx, opportunityId),
    },
    undoGraceMinutes: config.undoGraceMinutes,
    moderation: config.moderation,
    defaultLifetimeDays: config.opportunityDefaultDays,
    urgentWindowDays: config.urgent.windowDays,
  });
  const apiKeys = createApiKeyService({ db, adminToken: config.adminToken });
  const adminAuth = createAdminAuthService({ db, operators: config.adminEmails, sessionMs: config.adminSessionMs });
  const mail = createMailService({
    kinds: createMailKinds({
      db,
      partners,
      opportunities,
      catalogue,
      links,
      signIns: adminAuth,
      // Built below (outcomes read introductions, which read digests); only called once the container is built.
      outcomes: { question: (requestId) => outcomes.question(requestId) },
    }),
    mailer,
    templates,
    unsubscribeUrl: (email) => links.unsubscribe(email),
    suppressionOf: (email) => suppressions.suppressionOf(email),
    operator: config.operatorAddress,
    mailDomain,
    log,
  });

  const digests = createDigestService({
    db,
    queues,
    mailer,
    codeVersion: build,
    renderer: await loadDigestRenderer({ compiled: digestTemplate! }),
    subjectFor: digestSubject,
    links,
    catalogue,
    suppressions,
    log,
    metrics,
    settings: {
      mailDomain,
      unsubscribeMailto: config.unsubscribeMailto,
      operator: config.operatorAddress,
      leaseSeconds: config.digestLeaseSeconds,
      maxSendAttempts: DIGEST_SEND_CLAIMS,
      sendWindowMs: config.digestSendWindowMs,
      buildAheadMinutes: config.digestBuildAheadMinutes,
      maxReachPerRound: config.maxReachPerRound,
      urgent: { alertsPerDay: config.urgent.alertsPerDay, quietHours: config.urgent.quietHours },
      claimSize: claimSize({
        ratePerSecond: config.smtpRatePerSecond,
        leaseSeconds: config.digestLeaseSeconds,
        concurrentSends: Math.max(QUEUE_CONCURRENCY['digest-send'], DIGEST_RUN_CONCURRENCY),
      }),
      replyAddress: (digestId) => replyAddressFor([config.appSecret], digestId, intakeDomain),
    },
  });

  const introductions = createIntroductionService({ db, catalogue, opportunities, digests });
  const interests = createInterestService({ db, opportunities, partners });
  const outcomes = createOutcomeService({
    db,
    introductions,
    partners,
    links,
    settings: { askAfterDays: config.outcomeAskAfterDays, reminderAfterDays: config.outcomeReminderAfterDays },
  });
  const intake = createInboundIntake({ db, queues, log });
  const adminConsole = createAdminConsoleService({
    db,
    auth: adminAuth,
    partners,
    preferences,
    opportunities,
    digests,
    interests,
    introductions,
    inbound: intake,
    suppressions,
    outcomes,
    queueDepths: () =>
      Promise.all(
        QUEUE_NAMES.map(async (name) => {
          const counts = await queues.queue(name).getJobCounts('waiting', 'active', 'delayed', 'failed');
          return { queue: name, waiting: counts.waiting ?? 0, active: counts.active ?? 0, delayed: counts.delayed ?? 0, failed: counts.failed ?? 0 };
        }),
      ),
  });
  const inbound = createInboundService({
    db,
    opportunities,
    interests,
    digests,
    partners,
    suppressions,
    unsubscribe,
    catalogue,
    returnPaths,
    log,
    metrics,
    maxAttempts: attemptsOf(JOBS, 'inbound-process'),
    settings: {
      ownAddresses: [config.mailFrom, config.unsubscribeMailto],
      unsubscribeMailto: config.unsubscribeMailto,
      mta: mailDomain,
      dnsTimeoutMs: config.inboundDnsTimeoutMs,
      replySecrets: [config.appSecret, ...config.previousAppSecrets],
      repliesPerDomainDaily: config.inboundRepliesPerDomainDaily,
    },
  });

  return {
    config,
    log,
    digests,
    inbound,
    intake,
    db,
    redis,
    queues,
    queueSettings,
    metrics,
    outboxRoutes: outboxRoutes(queues),
    mailDomain,
    codeVersion: build,
    catalogue,
    signer,
    links,
    mailer,
    returnPaths,
    mail,
    partners,
    preferences,
    suppressions,
    unsubscribe,
    opportunities,
    interests,
    introductions,
    outcomes,
    apiKeys,
    adminAuth,
    adminConsole,
    signInLimits: createSignInLimits(redis, config.queuePrefix),
    boardQueues: QUEUE_NAMES.map((name) => queues.queue(name)),
    pages: createPages(config.env === 'production'),
    rateLimits: createRateLimits(redis, config.queuePrefix, config.submitRatePerHour),
    async close() {
      await queues.close();
      mailer.close();
      redis.disconnect();
      await db.destroy();
    },
  };
}

export type Container = Awaited<ReturnType<typeof createContainer>>;
