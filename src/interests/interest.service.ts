import type { Database, Executor } from '../platform/db/database.ts';
import { ValidationError } from '../platform/errors/app-errors.ts';
import type { OpportunityRow, OpportunityService } from '../opportunities/opportunity.service.ts';
import type { PartnerRow, PartnerService, PartnerStatus } from '../partners/partner.service.ts';
import { cleanNote, NOTE_MAX_CHARS, noteLength } from './interest-note.ts';
import {
  findInterest,
  findNotRelevant,
  insertInterest,
  isSubmitterMuted,
  reactivateInterest,
  recordNotRelevant,
  withdrawInterest,
  countInterestsSince,
  listInterestsOfPartner,
  type InterestRow,
  type NotRelevantRow,
} from './interest.repository.ts';
import type { NotRelevantReason } from './interest.schemas.ts';

/** Why a partner may not act on an opportunity from a digest link. Nothing is written. */
export type Refusal =
  | { refusal: 'opportunity-unknown' }
  /** Never published (pending, rejected): not for partners to see. */
  | { refusal: 'opportunity-not-open' }
  /** Closed, withdrawn or past its expiry. */
  | { refusal: 'opportunity-ended'; title: string }
  | { refusal: 'partner-unknown' }
  | { refusal: 'partner-inactive'; status: PartnerStatus }
  | { refusal: 'own-opportunity'; title: string };

export interface Access {
  partner: PartnerRow;
  opportunity: OpportunityRow;
}

/** What the landing pages show: the opportunity, who acts, and what the partner said so far. */
export interface Standing extends Access {
  interest: InterestRow | undefined;
  notRelevant: NotRelevantRow | undefined;
  muted: boolean;
}

export type Refused = { ok: false } & Refusal;
type Result<T> = ({ ok: true } & T) | Refused;
/** A write's outcome and the standing right after it, read in the same transaction. */
type Written<O> = Result<{ outcome: O; standing: Standing }>;

export type InterestOutcome = 'recorded' | 'renewed' | 'already';
export type WithdrawOutcome = 'withdrawn' | 'already-withdrawn' | 'never-interested';
/** 'reason-added': marked before without a reason, and now with one. */
export type NotRelevantOutcome = 'stored' | 'reason-added' | 'updated' | 'unchanged';

export type InterestService = ReturnType<typeof createInterestService>;

export interface InterestServiceDeps {
  db: Database;
  opportunities: Pick<OpportunityService, 'findById'>;
  partners: Pick<PartnerService, 'findById'>;
  now?: () => Date;
}

/**
 * The partner side of the interest loop: "I'm interested" (with a note, withdrawable) and "not
 * relevant" (with a reason; muting a submitter hides their later opportunities). Only an active
 * partner acts, only on a published, unexpired opportunity that is not their own. Every write
 * re-checks that in its transaction, with the opportunity row locked, so an opportunity closed
 * a moment earlier gets no new interest.
 */
export function createInterestService(deps: InterestServiceDeps) {
  const { db, opportunities, partners } = deps;
  const now = deps.now ?? (() => new Date());

  async function access(executor: Executor, partnerId: string, opportunityId: string, lock: boolean): Promise<Result<Access>> {
    const opportunity = await opportunities.findById(opportunityId, executor, lock);
    if (!opportunity) return { ok: false, refusal: 'opportunity-unknown' };
    const ended =
      ['closed', 'withdrawn', 'expired'].includes(opportunity.status) ||
      (opportunity.status === 'published' && opportunity.expiresAt.getTime() <= now().getTime());
    if (ended) return { ok: false, refusal: 'opportunity-ended', title: opportunity.title };
    if (opportunity.status !== 'published') return { ok: false, refusal: 'opportunity-not-open' };

    const partner = await partners.findById(partnerId, executor);
    if (!partner) return { ok: false, refusal: 'partner-unknown' };
    if (partner.status !== 'active') return { ok: false, refusal: 'partner-inactive', status: partner.status };
    // The submitter by partner id (API submissions) or by address (form submissions name no partner).
    const own =
      opportunity.submitterPartnerId === partner.id || opportunity.submitterEmail.toLowerCase() === partner.email.toLowerCase();
    if (own) return { ok: false, refusal: 'own-opportunity', title: opportunity.title };
    return { ok: true, partner, opportunity };
  }

  async function standingOf(executor: Executor, checked: Access): Promise<Standing> {
    const { partner, opportunity } = checked;
    // One after another: inside a transaction they share one connection.
    const interest = await findInterest(executor, partner.id, opportunity.id);
    const notRelevant = await findNotRelevant(executor, partner.id, opportunity.id);
    const muted = await isSubmitterMuted(executor, partner.id, opportunity.id);
    return { partner, opportunity, interest, notRelevant, muted };
  }

  /** The note as stored, or a ValidationError a form can show next to the field. */
  function validNote(raw: string | undefined): string {
    const note = cleanNote(raw ?? '');
    if (noteLength(note) > NOTE_MAX_CHARS) {
      throw new ValidationError(`Your note is too long: ${noteLength(note)} characters, and at most ${NOTE_MAX_CHARS} fit.`, [
        { path: ['note'], message: `must be at most ${NOTE_MAX_CHARS} characters (it has ${noteLength(note)})` },
      ]);
    }
    return note;
  }

  return {
    /** Interests expressed since `since` and still standing (the operator's overview). */
    countSince: (since: Date) => countInterestsSince(db, since),
    /** A partner's interests with the opportunities' titles, newest first (the operator's partner page). */
    ofPartner: (partnerId: string, limit = 100) => listInterestsOfPartner(db, partnerId, limit),

    /** Reads only: what a GET of either link shows. */
    async standing(partnerId: string, opportunityId: string): Promise<Result<{ standing: Standing }>> {
      const checked = await access(db, partnerId, opportunityId, false);
      if (!checked.ok) return checked;
      return { ok: true, standing: await standingOf(db, checked) };
    },

    /**
     * "I'm interested", once. A second press changes nothing (not even the note) and says when
     * the first was; after a withdrawal, it renews the interest with the new note.
     */
    async expressInterest(partnerId: string, opportunityId: string, rawNote: string | undefined): Promise<Written<InterestOutcome>> {
      return db.transaction().execute(async (trx) => {
        const checked = await access(trx, partnerId, opportunityId, true);
        if (!checked.ok) return checked;
        const note = validNote(rawNote);
        const outcome: InterestOutcome = (await insertInterest(trx, { partnerId, opportunityId, note }))
          ? 'recorded'
          : (await reactivateInterest(trx, partnerId, opportunityId, note))
            ? 'renewed'
            : 'already';
        return { ok: true, outcome, standing: await standingOf(trx, checked) };
      });
    },

    /** Withdraws an active interest; the row stays (withdrawn), so the page can say when. */
    async withdrawInterest(partnerId: string, opportunityId: string): Promise<Written<WithdrawOutcome>> {
      return db.transaction().execute(async (trx) => {
        const checked = await access(trx, partnerId, opportunityId, true);
        if (!checked.ok) return checked;
        const withdrawn = await withdrawInterest(trx, partnerId, opportunityId);
        const standing = await standingOf(trx, checked);
        const outcome: WithdrawOutcome = withdrawn ? 'withdrawn' : standing.interest ? 'already-withdrawn' : 'never-interested';
        return { ok: true, outcome, standing };
      });
    },

    /**
     * "Not relevant", with a reason or without (null: one tap); a second reason replaces the
     * first, and no reason never removes one given before.
     */
    async markNotRelevant(
      partnerId: string,
      opportunityId: string,
      reason: NotRelevantReason | null,
    ): Promise<Written<NotRelevantOutcome>> {
      return db.transaction().execute(async (trx) => {
        const checked = await access(trx, partnerId, opportunityId, true);
        if (!checked.ok) return checked;
        const before = await findNotRelevant(trx, partnerId, opportunityId, true);
        // Recorded even when unchanged: it is idempotent, and it restores a mute lost elsewhere.
        await recordNotRelevant(trx, partnerId, opportunityId, reason);
        const outcome: NotRelevantOutcome = !before
          ? 'stored'
          : reason === null || before.reason === reason
            ? 'unchanged'
            : before.reason === null
              ? 'reason-added'
              : 'updated';
        return { ok: true, outcome, standing: await standingOf(trx, checked) };
      });
    },
  };
}
