import { z } from 'zod';
import { adminMailJob, createAdminMails, type AdminMailsDeps } from '../admin/admin.mails.ts';
import { createInboundMails, inboundMailJob } from '../inbound/inbound.mails.ts';
import { createInterestMails, interestMailJob } from '../interests/interest.mails.ts';
import { createOpportunityMails, opportunityMailJob } from '../opportunities/opportunity.mails.ts';
import { createOutcomeMails, outcomeMailJob, type OutcomeMailsDeps } from '../outcomes/outcome.mails.ts';
import { createPartnerMails, partnerMailJob } from '../partners/partner.mails.ts';
import type { Database } from '../platform/db/database.ts';
import type { Links } from '../platform/links/links.ts';
import type { MailKinds } from '../platform/mail/mail-kinds.ts';
import type { OpportunityService } from '../opportunities/opportunity.service.ts';
import type { PartnerService } from '../partners/partner.service.ts';
import type { SkillCatalogue } from '../skills/skill-catalogue.ts';

/** Every email the service sends, by kind, with the ids its job needs: each feature's own kinds. */
export const mailJobSchema = z.discriminatedUnion('kind', [partnerMailJob, opportunityMailJob, interestMailJob, outcomeMailJob, inboundMailJob, adminMailJob]);

export type MailJob = z.infer<typeof mailJobSchema>;

export interface MailKindsDeps {
  db: Database;
  partners: PartnerService;
  opportunities: OpportunityService;
  catalogue: SkillCatalogue;
  links: Links;
  /** The console's sign-in requests (the sign-in link's mail). */
  signIns: AdminMailsDeps['signIns'];
  /** The outcome loop's questions (the "did you work together?" mails). */
  outcomes: OutcomeMailsDeps['outcomes'];
}

/** Each feature drafts its own mail; the mail service renders and sends whatever kind it is given. */
export function createMailKinds(deps: MailKindsDeps): MailKinds<MailJob> {
  return {
    ...createPartnerMails(deps),
    ...createOpportunityMails(deps),
    ...createInterestMails(deps),
    ...createOutcomeMails(deps),
    ...createInboundMails(deps),
    ...createAdminMails(deps),
  };
}
