import type { ParsedMail } from 'mailparser';
import type { OpportunityRow, OpportunityService } from '../../opportunities/opportunity.service.ts';
import { requestMail } from '../../platform/mail/mail-kinds.ts';
import { ACKNOWLEDGED_ATTACHMENTS_MAX, inboundMailJob, type InboundMailJob } from '../inbound.mails.ts';
import type { SkillCatalogue } from '../../skills/skill-catalogue.ts';
import { finishProcessing } from '../inbound.repository.ts';
import { readBody, understand, type Understanding } from '../understanding/understand.ts';
import { storableText } from './storable-text.ts';

export interface EmailOpportunityDeps {
  catalogue: SkillCatalogue;
  /** The one way in for every opportunity; an email is one `source` of it. */
  opportunities: Pick<OpportunityService, 'submit' | 'urgentWindowDays'>;
  now?: () => Date;
}

export interface EmailOpportunityInput {
  inboundId: string;
  parsed: ParsedMail;
  sender: { email: string; name: string };
  /** Set only when the sender is an active partner AND the mail's authentication passed. */
  verifiedPartnerId: string | null;
  /**
   * False when the From is not authenticated (an answer could be backscatter to a forged address)
   * or the reply throttle says we answered this address recently: no acknowledgement.
   */
  mayReply: boolean;
}

export type EmailOpportunityOutcome = 'published' | 'awaiting review' | 'awaiting confirmation' | 'duplicate';

/** The inbound message's outcome, for people, by the status the new opportunity reached. */
const OUTCOME_OF_STATUS: Partial<Record<OpportunityRow['status'], EmailOpportunityOutcome>> = {
  published: 'published',
  pending_review: 'awaiting review',
  pending_verification: 'awaiting confirmation',
};

/** The acknowledgement's job: what it says of the mail beyond the opportunity (missing fields, attachment names). */
function acknowledgementJob(inboundId: string, u: Understanding): InboundMailJob {
  // Cut first, then made storable: a cut through a surrogate pair would leave one Postgres refuses.
  const names = u.attachments.map((a) => storableText(a.filename.slice(0, 200)));
  return {
    kind: 'email-acknowledgement',
    inboundId,
    missing: u.missing,
    attachments: names.slice(0, ACKNOWLEDGED_ATTACHMENTS_MAX),
    moreAttachments: Math.max(0, names.length - ACKNOWLEDGED_ATTACHMENTS_MAX),
    ...(u.startDate && u.startDateAmbiguous ? { startDateAmbiguous: { written: u.startDateAmbiguous.written, asRead: u.startDate, other: u.startDateAmbiguous.other } } : {}),
  };
}

/**
 * Turns one person's email into an opportunity through the opportunity service, in its
 * transaction together with the inbound row's outcome and the acknowledgement: either all of it
 * happened or none, so a retried job neither loses the mail nor answers twice. What the service
 * makes of it (published at once for a verified partner's complete mail, else a draft the sender
 * corrects and publishes from the acknowledgement's link) is its rule, the same for every way in.
 */
export async function createEmailOpportunity(
  deps: EmailOpportunityDeps,
  input: EmailOpportunityInput,
): Promise<{ outcome: EmailOpportunityOutcome; opportunityId?: string }> {
  const now = deps.now?.() ?? new Date();
  // Understood once: the acknowledgement carries what it needs of this, it does not read the mail again.
  const u = understand(input.parsed, deps.catalogue, { now, body: await readBody(input.parsed) });
  const acknowledgement = acknowledgementJob(input.inboundId, u);
  const messageId = storableText(input.parsed.messageId ?? '').trim().slice(0, 998) || null;

  let outcome: EmailOpportunityOutcome = 'duplicate';
  const { opportunity } = await deps.opportunities.submit(
    {
      source: 'email',
      draft: {
        title: storableText(u.title),
        description: storableText(u.description),
        requiredSkills: u.requiredSkills,
        niceToHaveSkills: u.niceToHaveSkills,
        regions: u.regions,
        remote: u.remote,
        budgetMin: u.budgetMin,
        budgetMax: u.budgetMax,
        currency: u.currency,
        startDate: u.startDate,
        urgent: u.urgent,
        // A start date that reads two ways is the sender's to confirm: a draft, and the acknowledgement asks.
        complete: u.missing.length === 0 && !u.startDateAmbiguous,
      },
      sender: { email: storableText(input.sender.email), name: storableText(input.sender.name) },
      verifiedPartnerId: input.verifiedPartnerId,
      messageId,
    },
    {
      inSameTransaction: async (trx, { opportunity, replayed }) => {
        outcome = replayed ? 'duplicate' : OUTCOME_OF_STATUS[opportunity.status] ?? 'awaiting confirmation';
        await finishProcessing(trx, input.inboundId, { status: 'processed', outcome, opportunityId: opportunity.id });
        // A second delivery of the same mail was answered the first time.
        if (input.mayReply && !replayed) {
          // Asked for urgent handling, but the start date does not allow it: the acknowledgement says so.
          const urgentIgnored = u.urgent && !opportunity.urgent ? { urgentIgnored: deps.opportunities.urgentWindowDays } : {};
          await requestMail(trx, inboundMailJob, { ...acknowledgement, ...urgentIgnored }, `mail:email-acknowledgement:${input.inboundId}`);
        }
      },
    },
  );
  return { outcome, opportunityId: opportunity.id };
}
