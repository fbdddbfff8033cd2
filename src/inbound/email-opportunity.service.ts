import type { ParsedMail } from 'mailparser';
import type { Database, Executor } from '../platform/db/database.ts';
import { NotFoundError } from '../platform/errors/app-errors.ts';
import type { Links } from '../platform/links/links.ts';
import { findOpportunityById } from '../opportunities/opportunity.repository.ts';
import { opportunityInputSchema, type OpportunityInput } from '../opportunities/opportunity.schemas.ts';
import type { OpportunityService } from '../opportunities/opportunity.service.ts';
import { addOutboxEvent } from '../platform/outbox/outbox.repository.ts';
import { requestMail } from '../platform/mail/mail-kinds.ts';
import { inboundMailJob } from './inbound.mails.ts';
import { findPartnerById } from '../partners/partner.repository.ts';
import type { SkillCatalogue } from '../skills/skill-catalogue.ts';
import {
  findOpportunityIdByMessageId,
  insertEmailOpportunity,
  markInboundProcessed,
  updateEmailDraft,
} from './email-opportunity.repository.ts';
import { understand, type Understanding } from './inbound-understand.ts';

export interface EmailOpportunityDeps {
  db: Database;
  catalogue: SkillCatalogue;
  links: Links;
  /** MODERATION and OPPORTUNITY_DEFAULT_DAYS; their documented defaults (off, 30) when not given. */
  intake?: { moderation: boolean; defaultLifetimeDays: number };
  now?: () => Date;
}

export interface EmailOpportunityInput {
  inboundId: string;
  parsed: ParsedMail;
  sender: { email: string; name: string };
  /** Set only when the sender is an active partner AND the mail's authentication passed. */
  verifiedPartnerId: string | null;
  /** False when the reply throttle says we answered this address recently: no acknowledgement. */
  mayReply: boolean;
}

export type EmailOpportunityOutcome = 'published' | 'awaiting review' | 'awaiting confirmation' | 'duplicate';

const DEFAULT_INTAKE = { moderation: false, defaultLifetimeDays: 30 };

/** The submitter's company: the partner's when we know them, else the sender's mail domain to correct. */
async function submitterOf(db: Executor, input: EmailOpportunityInput) {
  const partner = input.verifiedPartnerId ? await findPartnerById(db, input.verifiedPartnerId) : undefined;
  const domain = input.sender.email.split('@').pop() ?? '';
  const name = input.sender.name.trim() || partner?.contactName || input.sender.email.split('@')[0] || input.sender.email;
  return {
    submitterName: name.slice(0, 200),
    submitterCompany: (partner?.company ?? domain).slice(0, 200),
    submitterEmail: input.sender.email.toLowerCase(),
    submitterPartnerId: partner?.id ?? null,
  };
}

/**
 * Goes out without a person's look only when it is complete AND valid by the same schema every
 * other way in uses, and the sender is a verified partner (whose API key could publish anyway).
 */
function publishable(u: Understanding, submitter: Awaited<ReturnType<typeof submitterOf>>): boolean {
  if (!submitter.submitterPartnerId || u.missing.length > 0) return false;
  return opportunityInputSchema.safeParse({
    ...u,
    submitter: { name: submitter.submitterName, company: submitter.submitterCompany, email: submitter.submitterEmail },
  }).success;
}

/**
 * Turns one person's email into an opportunity, in one transaction with the inbound row's
 * outcome and the acknowledgement: either all of it happened or none, so a retried job neither
 * loses the mail nor answers twice. A verified partner's complete mail is published at once;
 * anything else is a draft the sender corrects and publishes from the acknowledgement's link.
 */
export async function createEmailOpportunity(
  deps: EmailOpportunityDeps,
  input: EmailOpportunityInput,
): Promise<{ outcome: EmailOpportunityOutcome; opportunityId?: string }> {
  const now = deps.now?.() ?? new Date();
  const intake = deps.intake ?? DEFAULT_INTAKE;
  const u = understand(input.parsed, deps.catalogue, { now });
  const messageId = input.parsed.messageId?.trim().slice(0, 998) || null;

  return deps.db.transaction().execute(async (trx) => {
    const submitter = await submitterOf(trx, input);
    const publish = publishable(u, submitter);
    const status = !publish ? 'pending_verification' : intake.moderation ? 'pending_review' : 'published';
    const row = await insertEmailOpportunity(trx, {
      title: u.title,
      description: u.description,
      requiredSkillIds: deps.catalogue.resolveMany(u.requiredSkills).ids,
      niceSkillIds: [],
      regions: u.regions,
      // The table asks for a region or remote work; a draft with neither keeps "remote" until the
      // sender chooses (the correction page asks again, and nothing is published meanwhile).
      remote: u.remote || u.regions.length === 0,
      budgetMin: u.budgetMin ?? null,
      budgetMax: u.budgetMax ?? null,
      currency: u.currency ?? null,
      startDate: u.startDate ?? null,
      expiresAt: new Date(now.getTime() + intake.defaultLifetimeDays * 86_400_000),
      anonymous: false,
      status,
      source: 'email',
      ...submitter,
      idempotencyKey: null,
      requestHash: null,
      sourceMessageId: messageId,
      verifiedAt: publish ? now : null,
      publishedAt: status === 'published' ? now : null,
    });

    if (!row) {
      const earlier = messageId ? await findOpportunityIdByMessageId(trx, messageId) : undefined;
      await markInboundProcessed(trx, input.inboundId, { outcome: 'duplicate', opportunityId: earlier ?? null });
      return { outcome: 'duplicate' as const, ...(earlier ? { opportunityId: earlier } : {}) };
    }
    if (status === 'published') {
      await addOutboxEvent(trx, { topic: 'opportunity.published', payload: { opportunityId: row.id } }, `opportunity.published:${row.id}`);
    }
    const outcome: EmailOpportunityOutcome =
      status === 'published' ? 'published' : status === 'pending_review' ? 'awaiting review' : 'awaiting confirmation';
    await markInboundProcessed(trx, input.inboundId, { outcome, opportunityId: row.id });
    if (input.mayReply) {
      await requestMail(trx, inboundMailJob, { kind: 'email-acknowledgement', inboundId: input.inboundId }, `mail:email-acknowledgement:${input.inboundId}`);
    }
    return { outcome, opportunityId: row.id };
  });
}

/** The bare date a form gives means the end of that day (UTC), as on the web form. */
const endOfDay = (date: string) => new Date(date.length === 10 ? `${date}T23:59:59Z` : date);

/**
 * The sender corrected their draft on the page the acknowledgement linked to, and pressed
 * "Publish". Following that link proves the mailbox as the web form's confirmation link does, so
 * publication goes the same way (`confirmSubmitter`: review when moderated, receipt email).
 * Checked first like the web form (`check` throws the same ValidationError); the submitter's
 * address is the one the mail came from, whatever the form says.
 */
export async function correctEmailDraft(
  deps: { db: Database; catalogue: SkillCatalogue; opportunities: Pick<OpportunityService, 'check' | 'confirmSubmitter'> },
  opportunityId: string,
  input: OpportunityInput,
) {
  deps.opportunities.check(input);
  const current = await findOpportunityById(deps.db, opportunityId);
  if (!current) throw new NotFoundError('opportunity', opportunityId);
  const required = deps.catalogue.resolveMany(input.requiredSkills).ids;
  await updateEmailDraft(deps.db, opportunityId, {
    title: input.title,
    description: input.description,
    requiredSkillIds: required,
    niceSkillIds: deps.catalogue.resolveMany(input.niceToHaveSkills).ids.filter((id) => !required.includes(id)),
    regions: input.regions,
    remote: input.remote,
    budgetMin: input.budgetMin ?? null,
    budgetMax: input.budgetMax ?? null,
    currency: input.currency ?? null,
    startDate: input.startDate ?? null,
    expiresAt: input.expiresAt ? endOfDay(input.expiresAt) : current.expiresAt,
    anonymous: input.anonymous,
    submitterName: input.submitter.name,
    submitterCompany: input.submitter.company,
  });
  return deps.opportunities.confirmSubmitter(opportunityId);
}
