import { z } from 'zod';
import type { Database, Executor } from '../platform/db/database.ts';
import { ConflictError, NotFoundError, ValidationError } from '../platform/errors/app-errors.ts';
import { INTEREST_SUMMARY_MAX, interestMailJob } from './interest.mails.ts';
import type { DigestService } from '../digests/digest.service.ts';
import type { OpportunityService } from '../opportunities/opportunity.service.ts';
import { requestMail } from '../platform/mail/mail-kinds.ts';
import { cancelUnpublished } from '../platform/outbox/outbox.repository.ts';
import type { SkillCatalogue } from '../skills/skill-catalogue.ts';
import { interestCard, skillChipsOf, type InterestCard } from './interest-card.ts';
import {
  findIntroduction,
  type IntroductionDetails,
  insertIntroductions,
  listActiveInterests,
  countIntroductionsSince,
  listIntroductions,
  interestFacts,
  listUnpickedPartners,
  lockActiveInterestsOf,
} from './introduction.repository.ts';

export type { IntroductionDetails };

export interface IntroductionServiceDeps {
  db: Database;
  catalogue: Pick<SkillCatalogue, 'labels'>;
  opportunities: Pick<OpportunityService, 'findById'>;
  /** How often the opportunity went out in digests, for the status page. */
  digests: Pick<DigestService, 'sentPerDay'>;
}

/** A partner the submitter was introduced to: now they may see how to reach them. */
export interface IntroducedPartner {
  partnerId: string;
  /** The interest the pick was made from (null when it was deleted since). */
  interestId: string | null;
  company: string;
  contactName: string;
  email: string;
  note: string;
  /** Their skills as chips, "✓" on the ones the opportunity asks for (as the interest cards). */
  skillChips: InterestCard['skillChips'];
  /** 'YYYY-MM-DD' (UTC). */
  introducedOn: string;
}

/** What the submitter's status page shows of the interest loop. */
export interface InterestOverview {
  /** Active interests not introduced yet: the submitter's choice. */
  interests: InterestCard[];
  introductions: IntroducedPartner[];
  /** Sent digests (urgent alerts and daily summaries included) carrying it, per day; `alerts` of them urgent alerts. */
  digests: { sent: number; alerts: number; perDay: Array<{ day: string; digests: number; alerts: number }> };
  /** Every partner who said they were interested, withdrawn ones too; when the first did. */
  interested: { total: number; withdrawn: number; firstOn: string | null };
}

/** The chosen interests as a form sends them: uuids, at least one, not absurdly many. */
const pickSchema = z
  .array(z.uuid('is not a partner on this page'))
  .min(1, 'choose at least one partner')
  .max(INTEREST_SUMMARY_MAX, `choose at most ${INTEREST_SUMMARY_MAX} partners at once`);

export type IntroductionService = ReturnType<typeof createIntroductionService>;

/**
 * The submitter's side of the interest loop: the overview on the status page, and picking the
 * partners to be introduced to.
 */
export function createIntroductionService(deps: IntroductionServiceDeps) {
  const { db, catalogue, opportunities, digests } = deps;

  return {
    /** Both sides of one introduction, with how to reach them (the outcome loop's questions). */
    details: (introductionId: string): Promise<IntroductionDetails | undefined> => findIntroduction(db, introductionId),

    /** Introductions made since `since` (the operator's overview). */
    countSince: (since: Date) => countIntroductionsSince(db, since),

    /**
     * An opportunity was closed or withdrawn: each partner still interested and not introduced
     * hears it has ended, once (oldest interest first), in the ending transaction (`trx`), which
     * holds the opportunity row.
     */
    async opportunityEnded(trx: Executor, opportunityId: string, notBefore?: Date): Promise<void> {
      for (const partnerId of await listUnpickedPartners(trx, opportunityId)) {
        await requestMail(trx, interestMailJob, { kind: 'not-picked', opportunityId, partnerId }, `mail:not-picked:${opportunityId}:${partnerId}`, {
          notBefore,
        });
      }
    },

    /**
     * The ending was undone (in `trx`, holding the opportunity row): the "not picked" mails still
     * waiting in the outbox are called back. False when any had gone out already: the caller then
     * refuses the undo, since those partners were told it ended.
     */
    async opportunityReopened(trx: Executor, opportunityId: string): Promise<boolean> {
      const { published } = await cancelUnpublished(trx, `mail:not-picked:${opportunityId}:`);
      return published === 0;
    },

    async overview(opportunityId: string): Promise<InterestOverview> {
      const [o, interests, introductions, perDay, facts] = await Promise.all([
        opportunities.findById(opportunityId),
        listActiveInterests(db, opportunityId),
        listIntroductions(db, opportunityId),
        digests.sentPerDay(opportunityId),
        interestFacts(db, opportunityId),
      ]);
      // The skills the opportunity asks for get the "✓" on each partner's card, as in the summary email.
      const asked = o ? [...o.requiredSkillIds, ...o.niceSkillIds] : [];
      return {
        interests: interests.filter((i) => !i.introduced).map((i) => interestCard(i, catalogue, asked)),
        introductions: introductions.map((n) => ({
          partnerId: n.partnerId,
          interestId: n.interestId,
          company: n.company,
          contactName: n.contactName,
          email: n.email,
          note: (n.note ?? '').trim(),
          skillChips: skillChipsOf(n.skillIds, catalogue, asked),
          introducedOn: n.createdAt.toISOString().slice(0, 10),
        })),
        digests: { sent: perDay.reduce((sum, d) => sum + d.digests, 0), alerts: perDay.reduce((sum, d) => sum + d.alerts, 0), perDay },
        interested: { total: facts.total, withdrawn: facts.withdrawn, firstOn: facts.firstAt?.toISOString().slice(0, 10) ?? null },
      };
    },

    /**
     * Introduces the submitter to the partners behind the chosen interests: per pick, one
     * introduction and one email to each side, in one transaction. Every id must be an active
     * interest in this opportunity, or nothing is written. A pick made before (a double submit)
     * is left as it is. Returns how many introductions were made now.
     */
    async introduce(opportunityId: string, chosen: unknown): Promise<number> {
      const parsed = pickSchema.safeParse(chosen);
      if (!parsed.success) {
        const none = Array.isArray(chosen) && chosen.length === 0;
        const message = none ? 'Tick at least one partner, then press "Introduce us"' : 'Please choose partners from the list on the status page';
        throw new ValidationError(message, [{ path: ['interest'], message: parsed.error.issues[0]?.message ?? 'is not valid' }]);
      }
      const ids = [...new Set(parsed.data.map((id) => id.toLowerCase()))];
      return db.transaction().execute(async (trx) => {
        // The opportunity row lock orders this against end(): a partner is either introduced
        // or told they were not picked, never both.
        const o = await opportunities.findById(opportunityId, trx, true);
        if (!o) throw new NotFoundError('opportunity', opportunityId);
        if (o.status !== 'published') {
          throw new ConflictError('opportunity_ended', `"${o.title}" is no longer open, so no more partners can be introduced`);
        }
        const interests = await lockActiveInterestsOf(trx, opportunityId, ids);
        if (interests.length !== ids.length) {
          throw new ValidationError('Some of the chosen partners are not interested in this opportunity (any more)', [
            { path: ['interest'], message: 'must be partners currently interested in this opportunity' },
          ]);
        }
        const made = await insertIntroductions(trx, opportunityId, interests.map((i) => i.partnerId));
        for (const introduction of made) {
          for (const side of ['submitter', 'partner'] as const) {
            await requestMail(
              trx,
              interestMailJob,
              { kind: 'introduction', introductionId: introduction.id, side },
              `mail:introduction:${introduction.id}:${side}`,
            );
          }
        }
        return made.length;
      });
    },
  };
}
