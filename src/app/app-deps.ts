import { createHmac } from 'node:crypto';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { AdminAuthService } from '../admin/admin-auth.service.ts';
import type { AdminConsoleService } from '../admin/admin-console.service.ts';
import type { SignInLimits } from '../admin/sign-in-limits.ts';
import type { Logger } from 'pino';
import type { Config } from '../platform/config/config.ts';
import type { Database } from '../platform/db/database.ts';
import type { InboundIntake } from '../inbound/inbound.service.ts';
import type { InboundWebhookSettings } from '../inbound/intake/webhook.routes.ts';
import type { IntroductionService } from '../interests/introduction.service.ts';
import type { InterestService } from '../interests/interest.service.ts';
import type { LinkSigner } from '../platform/links/link-tokens.ts';
import type { Links } from '../platform/links/links.ts';
import type { OpportunityService } from '../opportunities/opportunity.service.ts';
import type { OutcomeService } from '../outcomes/outcome.service.ts';
import type { ApiKeyService } from '../partners/api-key.service.ts';
import type { PartnerService } from '../partners/partner.service.ts';
import type { PreferencesService } from '../partners/preferences.service.ts';
import type { UnsubscribeService } from '../suppressions/unsubscribe.service.ts';
import type { SkillCatalogue } from '../skills/skill-catalogue.ts';
import type { Pages } from '../platform/http/pages.ts';
import type { RateLimits } from '../platform/http/rate-limits.ts';
import type { Metrics } from '../platform/metrics/metrics.ts';

/** Everything the HTTP layer needs, wired once in the composition root. */
export interface AppDeps {
  log: Logger;
  db: Database;
  redis: Redis;
  catalogue: SkillCatalogue;
  partners: PartnerService;
  /** The partner's own digest settings page (/p/…). */
  preferences: PreferencesService;
  /** The unsubscribe page (/u/…) and its two alternatives. */
  unsubscribe: UnsubscribeService;
  opportunities: OpportunityService;
  /** The partner's side of the interest loop: interest, withdrawal, "not relevant". */
  interests: InterestService;
  /** The submitter's side of the interest loop: status page overview, picking partners. */
  introductions: IntroductionService;
  /** The outcome loop: "did you work together?" pages, outcomes on the status page. */
  outcomes: OutcomeService;
  apiKeys: ApiKeyService;
  /** The console's sign-in, sessions and audit log. */
  adminAuth: AdminAuthService;
  /** What the console shows and does, through the features' services. */
  adminConsole: AdminConsoleService;
  signInLimits: SignInLimits;
  /** The queues the console's queue view (bull-board) shows. */
  boardQueues: Queue[];
  /** The email intake's doors: the webhook accepts through it, the draft page lists attachments. */
  intake: InboundIntake;
  signer: LinkSigner;
  links: Links;
  rateLimits: RateLimits;
  pages: Pages;
  /** Counts requests; /metrics reads it. */
  metrics: Metrics;
  settings: HttpSettings;
}

export interface HttpSettings {
  production: boolean;
  publicBaseUrl: string;
  /** Set when mail goes to .eml files: the /dev/outbox page lists them. */
  devOutboxDir: string | undefined;
  bodyLimitBytes: number;
  /** MODERATION=on: the console's moderation page says whether reviews are asked for. */
  moderation: boolean;
  /** Which proxies may name the client (TRUST_PROXY): the per-IP rate limits count `request.ip`. */
  trustProxy: Config['trustProxy'];
  /** Signs the CSRF cookie: the same in every API process and across restarts. */
  cookieSecret: string;
  /** POST /inbound/raw: email intake through a provider's webhook. */
  inbound: InboundWebhookSettings;
  /** What a scrape of /metrics must send as its bearer token (METRICS_TOKEN); unset: none. */
  metricsToken: string | undefined;
}

/** The HTTP settings that follow from the configuration. */
export function httpSettings(config: Config, mailerMode: 'smtp' | 'outbox'): HttpSettings {
  return {
    production: config.env === 'production',
    publicBaseUrl: config.publicBaseUrl,
    devOutboxDir: mailerMode === 'outbox' && config.env !== 'production' ? config.outboxDir : undefined,
    bodyLimitBytes: config.bodyLimitBytes,
    moderation: config.moderation,
    trustProxy: config.trustProxy,
    cookieSecret: createHmac('sha256', config.appSecret).update('p2p-digest cookies v1').digest('base64url'),
    inbound: {
      intakeAddresses: config.intakeAddresses,
      unsubscribeMailto: config.unsubscribeMailto,
      maxBytes: config.inboundMaxBytes,
      webhookSecret: config.inboundWebhookSecret,
      mailgunSigningKey: config.mailgunSigningKey,
    },
    metricsToken: config.metricsToken,
  };
}
