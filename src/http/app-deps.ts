import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Database } from '../db/database.js';
import type { LinkSigner } from '../links/link-tokens.js';
import type { Links } from '../links/links.js';
import type { OpportunityService } from '../opportunities/opportunity.service.js';
import type { ApiKeyService } from '../partners/api-key.service.js';
import type { PartnerService } from '../partners/partner.service.js';
import type { SkillCatalogue } from '../skills/skill-catalogue.js';
import type { Pages } from './pages.js';
import type { RateLimits } from './rate-limits.js';

/** Everything the HTTP layer needs, wired once in the composition root. */
export interface AppDeps {
  log: Logger;
  db: Database;
  redis: Redis;
  catalogue: SkillCatalogue;
  partners: PartnerService;
  opportunities: OpportunityService;
  apiKeys: ApiKeyService;
  signer: LinkSigner;
  links: Links;
  rateLimits: RateLimits;
  pages: Pages;
  settings: {
    production: boolean;
    publicBaseUrl: string;
    /** Set when mail goes to .eml files: the /dev/outbox page lists them. */
    devOutboxDir: string | undefined;
    bodyLimitBytes: number;
  };
}
