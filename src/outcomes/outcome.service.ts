import type { Database } from '../platform/db/database.ts';
import type { OutcomeAnswer, OutcomeSide } from '../platform/db/database.types.ts';
import { ValidationError } from '../platform/errors/app-errors.ts';
import type { Links } from '../platform/links/links.ts';
import { requestMail } from '../platform/mail/mail-kinds.ts';
import type { LoopStage } from '../platform/metrics/metrics.ts';
import type { IntroductionDetails, IntroductionService } from '../interests/introduction.service.ts';
import type { PartnerService } from '../partners/partner.service.ts';
import { outcomeMailJob } from './outcome.mails.ts';
import {
  claimReminders,
  confirmedCountOf,
  findIntroductionsToAsk,
  findRequest,
  insertRequests,
  listRequestsOfOpportunity,
  loopPerMonth,
  recordAnswer,
  recountConfirmed,
  type LoopMonthRow,
  type OutcomeRequestRow,
} from './outcome.repository.ts';
import { AMOUNT_LABELS, ANSWER_LABELS, answerForm } from './outcome.schemas.ts';

const DAY_MS = 86_400_000;

/**
 * An introduction older than the question's delay by more than this when the scheduler first
 * sees it is not asked about: it was made long before the outcome loop existed (or the scheduler
 * was off for a month), and a question about it would come out of the blue.
 */
export const ASK_WINDOW_DAYS = 30;

/** Questions (or reminders) requested per pass; the rest wait for the next pass, a minute later. */
const PER_PASS = 200;

export interface OutcomeSettings {
  /** OUTCOME_ASK_AFTER_DAYS */
  askAfterDays: number;
  /** OUTCOME_REMINDER_AFTER_DAYS */
  reminderAfterDays: number;
}

export interface OutcomeServiceDeps {
  db: Database;
  introductions: Pick<IntroductionService, 'details'>;
  partners: Pick<PartnerService, 'findById'>;
  links: Pick<Links, 'outcome'>;
  settings: OutcomeSettings;
  now?: () => Date;
}

/** One side's question as its page and its emails show it. */
export interface Question {
  request: OutcomeRequestRow;
  side: OutcomeSide;
  introduction: IntroductionDetails;
  /** Who is asked: their name, company and address. */
  me: { name: string; company: string; email: string };
  /** Whom they were introduced to. */
  other: { name: string; company: string };
  /** Whether the address may still hear from us: an unsubscribed or switched-off partner is not asked. */
  reachable: boolean;
}

/** One side's answer as the submitter's status page shows it. */
export interface SideOutcome {
  requestId: string;
  answer: OutcomeAnswer | null;
  answerLabel: string | null;
  amountLabel: string | null;
  /** 'YYYY-MM-DD' */
  answeredOn: string | null;
}

/** What the status page shows of one introduction's outcome. */
export interface IntroductionOutcome {
  /** 'YYYY-MM-DD': when both sides are (or were) asked. */
  askOn: string;
  asked: boolean;
  submitter: (SideOutcome & { answerUrl: string }) | null;
  partner: SideOutcome | null;
}

export type OutcomeService = ReturnType<typeof createOutcomeService>;

const day = (d: Date) => d.toISOString().slice(0, 10);

function sideOutcome(r: OutcomeRequestRow): SideOutcome {
  return {
    requestId: r.id,
    answer: r.answer,
    answerLabel: r.answer ? ANSWER_LABELS[r.answer] : null,
    amountLabel: r.amount ? AMOUNT_LABELS[r.amount] : null,
    answeredOn: r.answeredAt ? day(r.answeredAt) : null,
  };
}

/**
 * The outcome loop: some days after an introduction each side is asked whether they worked
 * together (one email each, one reminder at most while unanswered), answers on a page behind a
 * signed link (GET shows, POST records), and a partner's confirmed introductions are counted for
 * matching's small bonus.
 */
export function createOutcomeService(deps: OutcomeServiceDeps) {
  const { db, introductions, partners, links, settings } = deps;
  const now = deps.now ?? (() => new Date());

  async function question(requestId: string): Promise<Question | undefined> {
    const request = await findRequest(db, requestId);
    if (!request) return undefined;
    const n = await introductions.details(request.introductionId);
    if (!n) return undefined;
    if (request.side === 'submitter') {
      return {
        request,
        side: 'submitter',
        introduction: n,
        me: { name: n.submitterName, company: n.submitterCompany, email: n.submitterEmail },
        other: { name: n.contactName, company: n.company },
        reachable: true,
      };
    }
    const partner = await partners.findById(n.partnerId);
    return {
      request,
      side: 'partner',
      introduction: n,
      me: { name: n.contactName, company: n.company, email: n.partnerEmail },
      other: { name: n.submitterName, company: n.submitterCompany },
      reachable: partner !== undefined && (partner.status === 'active' || partner.status === 'paused'),
    };
  }

  return {
    question,

    /**
     * The scheduler's pass: asks both sides of every introduction that is `askAfterDays` old
     * (one outcome_requests row and one email each, in one transaction), and reminds once every
     * question unanswered `reminderAfterDays` after it was asked. Returns how many of each.
     */
    async askAndRemind(at: Date = now()): Promise<{ asked: number; reminded: number }> {
      const cutoff = new Date(at.getTime() - settings.askAfterDays * DAY_MS);
      const notBefore = new Date(cutoff.getTime() - ASK_WINDOW_DAYS * DAY_MS);
      const due = await findIntroductionsToAsk(db, cutoff, notBefore, PER_PASS);
      const asked = due.length === 0
        ? 0
        : await db.transaction().execute(async (trx) => {
            const made = await insertRequests(trx, due, at);
            for (const r of made) {
              await requestMail(trx, outcomeMailJob, { kind: 'outcome-question', requestId: r.id }, `mail:outcome-question:${r.id}`);
            }
            return made.length;
          });
      const reminded = await db.transaction().execute(async (trx) => {
        const ids = await claimReminders(trx, new Date(at.getTime() - settings.reminderAfterDays * DAY_MS), at, PER_PASS);
        for (const requestId of ids) {
          await requestMail(trx, outcomeMailJob, { kind: 'outcome-reminder', requestId }, `mail:outcome-reminder:${requestId}`);
        }
        return ids.length;
      });
      return { asked, reminded };
    },

    /**
     * Records (or changes) one side's answer from the page's form, and recounts the partner's
     * confirmed introductions in the same transaction. A form that is not one of ours is a
     * ValidationError and writes nothing. Returns the question as it stands after the answer.
     */
    async answer(requestId: string, form: unknown): Promise<{ question: Question; changed: boolean } | undefined> {
      const parsed = answerForm.safeParse(form);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new ValidationError(issue?.message ?? 'Please check the form', parsed.error.issues.map((i) => ({ path: i.path.map(String), message: i.message })));
      }
      const before = await question(requestId);
      if (!before) return undefined;
      const { answer, amount, note } = parsed.data;
      const changed = await db.transaction().execute(async (trx) => {
        const locked = await findRequest(trx, requestId, true);
        if (!locked) return false;
        const next = { answer, amount: amount ?? null, note: note ? note : null };
        const same = locked.answer === next.answer && locked.amount === next.amount && (locked.note ?? null) === next.note;
        if (same) return false;
        // answered_at says when the answer itself was given: a changed amount or note keeps it.
        await recordAnswer(trx, requestId, next, locked.answer === next.answer && locked.answeredAt ? locked.answeredAt : now());
        await recountConfirmed(trx, before.introduction.partnerId, now());
        return true;
      });
      const after = await question(requestId);
      return after ? { question: after, changed } : undefined;
    },

    /** The outcome of each introduction of an opportunity, by partner id (the submitter's status page). */
    async ofOpportunity(opportunityId: string, introduced: Array<{ partnerId: string; introducedOn: string }>): Promise<Map<string, IntroductionOutcome>> {
      const rows = await listRequestsOfOpportunity(db, opportunityId);
      const result = new Map<string, IntroductionOutcome>();
      for (const { partnerId, introducedOn } of introduced) {
        const mine = rows.filter((r) => r.partnerId === partnerId);
        const submitter = mine.find((r) => r.side === 'submitter');
        const partner = mine.find((r) => r.side === 'partner');
        result.set(partnerId, {
          askOn: day(new Date(Date.parse(`${introducedOn}T00:00:00Z`) + settings.askAfterDays * DAY_MS)),
          asked: mine.length > 0,
          // A page of our own site: its path, so the link works on whatever host shows the status page.
          submitter: submitter ? { ...sideOutcome(submitter), answerUrl: new URL(links.outcome(submitter.id)).pathname } : null,
          partner: partner ? sideOutcome(partner) : null,
        });
      }
      return result;
    },

    /** How many of the partner's introductions either side confirmed (what matching's bonus reads). */
    confirmedCount: (partnerId: string) => confirmedCountOf(db, partnerId),

    /** The loop per month, the last `months` months (UTC), oldest first. */
    perMonth: (months: number, at: Date = now()): Promise<LoopMonthRow[]> => loopPerMonth(db, months, at),

    /** This month's figures (the metric). */
    async thisMonth(at: Date = now()): Promise<Record<LoopStage, number>> {
      const [row] = await loopPerMonth(db, 1, at);
      const { month: _month, ...counts } = row!;
      return counts;
    },
  };
}

export type { LoopMonthRow };
