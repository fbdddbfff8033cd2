import type { Database, Executor } from '../platform/db/database.ts';
import type { DigestStatus, InboundStatus, OpportunityStatus, PartnerStatus, SuppressionReason } from '../platform/db/database.types.ts';
import { ConflictError, NotFoundError } from '../platform/errors/app-errors.ts';
import type { AdminAuthService, OperatorSession } from './admin-auth.service.ts';
import { currentPeriods } from './overview-periods.ts';
import type { Partner, PartnerUpdate } from '../partners/partner.schemas.ts';
import type { PartnerSearch } from '../partners/partner.service.ts';
import type { PartnerPreferences } from '../partners/preferences.service.ts';
import type { DigestHistoryRow } from '../digests/digest.service.ts';
import type { InboundIntake } from '../inbound/inbound.service.ts';
import { isOpen } from '../opportunities/opportunity.schemas.ts';
import type { ReviewPatch } from '../opportunities/opportunity.service.ts';

/** An action's audit line, written by the owning service in the action's own transaction. */
type Audited = { inSameTransaction?: (trx: Executor) => Promise<void> };

type Counts<S extends string> = Array<{ status: S; count: number }>;

/** The feature services the console reads and acts through, named by shape (wired in src/app/). */
export interface AdminConsoleDeps {
  db: Database;
  auth: Pick<AdminAuthService, 'record'>;
  partners: {
    countByStatus(): Promise<Counts<PartnerStatus>>;
    search(query: PartnerSearch & { limit: number; cursor?: string }): Promise<{ partners: Partner[]; nextCursor: string | null }>;
    get(partnerId: string): Promise<Partner>;
    update(partnerId: string, patch: PartnerUpdate, options: Audited): Promise<Partner>;
    deactivate(partnerId: string, options: Audited): Promise<Partner>;
    reactivate(partnerId: string, options: Audited): Promise<Partner>;
    sendPreferencesLink(partnerId: string, options: Audited): Promise<Partner>;
  };
  preferences: { load(partnerId: string): Promise<PartnerPreferences | undefined> };
  opportunities: {
    countByStatus(): Promise<Counts<OpportunityStatus>>;
    list(query: { limit: number; status?: OpportunityStatus; text?: string }): Promise<ModerationItem[]>;
    search(query: { limit: number; cursor?: string; status?: OpportunityStatus; text?: string }): Promise<{
      opportunities: Array<ModerationItem & { status: OpportunityStatus; matchCount?: number }>;
      nextCursor: string | null;
    }>;
    get(id: string): Promise<ModerationItem & { status: OpportunityStatus; expiresAt: string; publishedAt: string | null }>;
    matches(id: string): Promise<Array<{ partnerId: string; company: string; score: number; reasons: string[] }>>;
    reviseForReview(id: string, patch: ReviewPatch, options: Audited): Promise<{ id: string; title: string }>;
    end(id: string, as: 'closed' | 'withdrawn', options: Audited): Promise<{ id: string; title: string; status: OpportunityStatus }>;
    approve(id: string, options: { inSameTransaction?: (trx: Executor) => Promise<void> }): Promise<{ id: string; title: string; status: string }>;
    reject(id: string, options: { reason?: string; inSameTransaction?: (trx: Executor) => Promise<void> }): Promise<{ id: string; title: string; status: string }>;
  };
  digests: {
    countByStatus(periods: string[]): Promise<Counts<DigestStatus>>;
    historyOf(partnerId: string, limit?: number): Promise<DigestHistoryRow[]>;
    countByPeriod(): Promise<Array<{ period: string; status: DigestStatus; count: number }>>;
    failedOf(period: string): Promise<Array<{ id: string; partnerId: string; company: string; email: string; attempts: number; lastError: string | null; updatedAt: Date }>>;
    sentOf(period: string): Promise<Array<{ id: string; partnerId: string; company: string; email: string; smtpResponse: string | null; sentAt: Date | null }>>;
    resendFailed(filter: { id: string } | { period: string }, options: { inSameTransaction?: (trx: Executor, ids: string[]) => Promise<void> }): Promise<string[]>;
  };
  interests: {
    countSince(since: Date): Promise<number>;
    ofPartner(partnerId: string): Promise<Array<{ opportunityId: string; title: string; status: string; note: string; createdAt: Date; withdrawnAt: Date | null }>>;
  };
  introductions: {
    countSince(since: Date): Promise<number>;
    overview(opportunityId: string): Promise<{
      interests: Array<{ company: string; note: string }>;
      introductions: Array<{ company: string; email: string; introducedOn: string }>;
      digests: { sent: number; perDay: Array<{ day: string; digests: number }> };
    }>;
  };
  inbound: Pick<InboundIntake, 'countByStatus' | 'list' | 'get' | 'reprocess'>;
  suppressions: {
    list(options: { limit: number; search?: string }): Promise<Array<{ email: string; reason: SuppressionReason; createdAt: Date }>>;
    lift(email: string, executor: Executor): Promise<SuppressionReason | undefined>;
  };
  /** Jobs per state of every queue (BullMQ's counts). */
  queueDepths(): Promise<Array<{ queue: string; waiting: number; active: number; delayed: number; failed: number }>>;
  /** The loop per month (the outcome loop's report): digests sent → interests → introductions → confirmed work. */
  outcomes: {
    perMonth(months: number): Promise<Array<{ month: string; digests_sent: number; interests: number; introductions: number; confirmed: number }>>;
  };
  now?: () => Date;
}

/** An opportunity awaiting review, as the moderation page shows it. */
export interface ModerationItem {
  id: string;
  title: string;
  description: string;
  requiredSkills: Array<{ slug: string; label: string }>;
  niceToHaveSkills: Array<{ slug: string; label: string }>;
  regions: string[];
  remote: boolean;
  budgetMin: number | null;
  budgetMax: number | null;
  currency: string | null;
  startDate: string | null;
  urgent: boolean;
  submitter: { name: string; company: string; email: string };
  source: string;
  createdAt: string;
}

const WEEK_MS = 7 * 86_400_000;
/** How much of a stored message the console shows: enough to read headers and body, not a 25 MB attachment. */
const RAW_SHOWN_BYTES = 64 * 1024;

const byStatus = <S extends string>(counts: Counts<S>): Partial<Record<S, number>> =>
  Object.fromEntries(counts.map((c) => [c.status, c.count])) as Partial<Record<S, number>>;

export type AdminConsoleService = ReturnType<typeof createAdminConsoleService>;

/**
 * What the console shows and does. Every read goes through the owning feature's service; every
 * action writes its audit line in the action's own transaction, so the log never claims what did
 * not happen nor misses what did.
 */
/** Months of the loop the overview shows (`p2p-digest stats --months N` shows more). */
const OVERVIEW_MONTHS = 6;

export function createAdminConsoleService(deps: AdminConsoleDeps) {
  const now = deps.now ?? (() => new Date());

  return {
    async overview() {
      const at = now();
      const since = new Date(at.getTime() - WEEK_MS);
      const periods = currentPeriods(at);
      const [partners, opportunities, digests, interests, introductions, inbound, queues, loop] = await Promise.all([
        deps.partners.countByStatus(),
        deps.opportunities.countByStatus(),
        deps.digests.countByStatus(periods),
        deps.interests.countSince(since),
        deps.introductions.countSince(since),
        deps.inbound.countByStatus(),
        // Redis away must not take the console with it: the overview says so instead.
        deps.queueDepths().catch(() => undefined),
        deps.outcomes.perMonth(OVERVIEW_MONTHS),
      ]);
      const d = byStatus(digests);
      const count = (...statuses: DigestStatus[]) => statuses.reduce((sum, s) => sum + (d[s] ?? 0), 0);
      return {
        partners: byStatus(partners),
        opportunities: byStatus(opportunities),
        digests: { periods, due: count('pending', 'building', 'ready', 'sending'), sent: count('sent'), skipped: count('skipped'), failed: count('failed') },
        week: { interests, introductions },
        inbound: byStatus(inbound),
        queues,
        // Newest month first, as the console reads it.
        loop: [...loop].reverse(),
      };
    },

    moderationQueue: () => deps.opportunities.list({ limit: 100, status: 'pending_review' }),

    async approve(operator: OperatorSession, opportunityId: string) {
      return deps.opportunities.approve(opportunityId, {
        inSameTransaction: (trx) => deps.auth.record(trx, operator.email, 'opportunity.approve', `opportunity:${opportunityId}`),
      });
    },

    async reject(operator: OperatorSession, opportunityId: string, reason: string | undefined) {
      return deps.opportunities.reject(opportunityId, {
        reason,
        inSameTransaction: (trx) => deps.auth.record(trx, operator.email, 'opportunity.reject', `opportunity:${opportunityId}`, { reason: reason ?? null }),
      });
    },

    searchPartners: (query: PartnerSearch & { limit: number; cursor?: string }) => deps.partners.search(query),

    /** One partner with all the console's partner page shows. */
    async partner(partnerId: string) {
      const [partner, preferences, digests, interests] = await Promise.all([
        deps.partners.get(partnerId),
        deps.preferences.load(partnerId),
        deps.digests.historyOf(partnerId),
        deps.interests.ofPartner(partnerId),
      ]);
      return { partner, settings: preferences?.settings, digests, interests };
    },

    /** Same validation as the API (the partner service's); the audit line names the fields changed. */
    async updatePartner(operator: OperatorSession, partnerId: string, patch: PartnerUpdate) {
      return deps.partners.update(partnerId, patch, {
        inSameTransaction: (trx) => deps.auth.record(trx, operator.email, 'partner.update', `partner:${partnerId}`, { fields: Object.keys(patch) }),
      });
    },

    deactivatePartner: (operator: OperatorSession, partnerId: string) =>
      deps.partners.deactivate(partnerId, { inSameTransaction: (trx) => deps.auth.record(trx, operator.email, 'partner.deactivate', `partner:${partnerId}`) }),

    reactivatePartner: (operator: OperatorSession, partnerId: string) =>
      deps.partners.reactivate(partnerId, { inSameTransaction: (trx) => deps.auth.record(trx, operator.email, 'partner.reactivate', `partner:${partnerId}`) }),

    sendPreferencesLink: (operator: OperatorSession, partnerId: string) =>
      deps.partners.sendPreferencesLink(partnerId, {
        inSameTransaction: (trx) => deps.auth.record(trx, operator.email, 'partner.preferences-link', `partner:${partnerId}`),
      }),

    /** The latest periods by state, the chosen one's failed digests and its latest sent (the newest period unless named). */
    async digests(period?: string) {
      const counts = await deps.digests.countByPeriod();
      const periods = new Map<string, Partial<Record<DigestStatus, number>>>();
      for (const c of counts) periods.set(c.period, { ...periods.get(c.period), [c.status]: c.count });
      const chosen = period ?? counts[0]?.period;
      return {
        periods: [...periods].map(([name, byState]) => ({ name, byState })),
        period: chosen ?? null,
        failed: chosen ? await deps.digests.failedOf(chosen) : [],
        sent: chosen ? await deps.digests.sentOf(chosen) : [],
      };
    },

    /** Resends one failed digest, or every failed one of a period, through the ledger; audited with the ids reopened. */
    async resendDigests(operator: OperatorSession, filter: { id: string } | { period: string }) {
      const target = 'id' in filter ? `digest:${filter.id}` : `period:${filter.period}`;
      return deps.digests.resendFailed(filter, {
        inSameTransaction: (trx, ids) => deps.auth.record(trx, operator.email, 'digest.resend', target, { digests: ids }),
      });
    },

    inboundMessages: (query: { status?: InboundStatus; after?: string; limit: number }) => deps.inbound.list(query),

    /** One stored message with the start of its raw bytes (the page shows them as escaped text). */
    async inboundMessage(inboundId: string) {
      const message = await deps.inbound.get(inboundId, RAW_SHOWN_BYTES);
      if (!message) throw new NotFoundError('inbound message', inboundId);
      return { ...message, raw: message.rawStart.toString('utf8'), rawCut: message.size > RAW_SHOWN_BYTES, rawShownBytes: RAW_SHOWN_BYTES };
    },

    /** Processes a failed message again (audited); false when it is not failed now. */
    reprocessInbound: (operator: OperatorSession, inboundId: string) =>
      deps.inbound.reprocess(inboundId, { inSameTransaction: (trx) => deps.auth.record(trx, operator.email, 'inbound.reprocess', `inbound:${inboundId}`) }),

    /** Opportunities by text and status, newest first, a page at a time (keyset, like the partner search). */
    searchOpportunities: (query: { limit: number; cursor?: string; status?: OpportunityStatus; text?: string }) => deps.opportunities.search(query),

    /** One opportunity with its matches and why, its reach (digests that carried it), interests and introductions. */
    async opportunity(opportunityId: string) {
      const [opportunity, matches, overview] = await Promise.all([
        deps.opportunities.get(opportunityId),
        deps.opportunities.matches(opportunityId),
        deps.introductions.overview(opportunityId),
      ]);
      return { opportunity, matches, ...overview };
    },

    /** Closes or withdraws an open opportunity (audited); the interested partners hear it ended. */
    async endOpportunity(operator: OperatorSession, opportunityId: string, as: 'closed' | 'withdrawn') {
      const before = await deps.opportunities.get(opportunityId);
      if (!isOpen(before.status)) throw new ConflictError('not_open', `"${before.title}" is ${before.status.replace('_', ' ')}, not open`);
      // Ended under the row lock; should another end it first, this call changes nothing and writes no audit line.
      const o = await deps.opportunities.end(opportunityId, as, {
        inSameTransaction: (trx) => deps.auth.record(trx, operator.email, as === 'closed' ? 'opportunity.close' : 'opportunity.withdraw', `opportunity:${opportunityId}`),
      });
      return o;
    },

    /** The moderator's corrections before approving (same validation as a submission), audited with the fields. */
    reviseForReview: (operator: OperatorSession, opportunityId: string, patch: ReviewPatch) =>
      deps.opportunities.reviseForReview(opportunityId, patch, {
        inSameTransaction: (trx) => deps.auth.record(trx, operator.email, 'opportunity.edit', `opportunity:${opportunityId}`, { title: patch.title }),
      }),

    suppressions: (search?: string) => deps.suppressions.list({ limit: 200, search }),

    /** Takes an address off the do-not-email list; the audit line keeps what its reason was. */
    async liftSuppression(operator: OperatorSession, email: string): Promise<SuppressionReason> {
      return deps.db.transaction().execute(async (trx) => {
        const reason = await deps.suppressions.lift(email, trx);
        if (!reason) throw new NotFoundError('suppression', email);
        await deps.auth.record(trx, operator.email, 'suppression.lift', `email:${email.toLowerCase()}`, { reason });
        return reason;
      });
    },
  };
}
