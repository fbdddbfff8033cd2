import { createHash } from 'node:crypto';
import { decodeKeysetCursor, encodeKeysetCursor } from '../platform/db/keyset-cursor.ts';
import type { Database, Executor } from '../platform/db/database.ts';
import type { ApiCaller } from '../platform/http/api-auth.ts';
import { AppError, ConflictError, NotFoundError, ValidationError } from '../platform/errors/app-errors.ts';
import { countMatchesOf, describeReach, describedMatchesOf } from '../matching/match.service.ts';
import { addOutboxEvent } from '../platform/outbox/outbox.repository.ts';
import { requestMail } from '../platform/mail/mail-kinds.ts';
import { opportunityMailJob } from './opportunity.mails.ts';
import type { SkillCatalogue } from '../skills/skill-catalogue.ts';
import {
  countOpportunitiesByStatus,
  findOpportunityById,
  findOpportunityByIdempotencyKey,
  findOpportunityBySourceMessageId,
  insertOpportunity,
  listOpportunities,
  searchOpportunities,
  type OpportunitySearch,
  rejectionReasonOf,
  setRejectionReason,
  setOpportunityStatus,
  updateDraft,
  updateForReview,
  type NewOpportunity,
  type OpportunityRow,
} from './opportunity.repository.ts';
import { isOpen, opportunityInputSchema, type Opportunity, type OpportunityInput } from './opportunity.schemas.ts';

export type { OpportunityRow };

/** Who stands behind an API submission: the admin token or a partner's API key. */
export type IntakeCaller = ApiCaller;

/**
 * What an email was understood to say, in the opportunity's own terms. It may be incomplete:
 * then it is stored as a draft the sender completes from the acknowledgement's link.
 */
export interface EmailedOpportunity {
  title: string;
  description: string;
  /** Skill names; names the taxonomy does not know are left out. */
  requiredSkills: string[];
  /** Skills the mail asks for only as a plus ("nice to have", "optional", "can come later"). */
  niceToHaveSkills: string[];
  regions: string[];
  remote: boolean;
  budgetMin?: number;
  budgetMax?: number;
  currency?: string;
  startDate?: string;
  /**
   * The mail asked for urgent handling ("Urgent" in the subject, or an "Urgent: yes" line). Kept
   * only with a start date within the window; the acknowledgement says when it was not.
   */
  urgent?: boolean;
  /** Understanding found every field it looks for (title, description, skills, regions). */
  complete: boolean;
}

/**
 * One submission, by the way it came in. The way in decides what is proven about the submitter
 * and how a retry is recognised:
 * - form: the typed address proves nothing, so the submitter confirms it by a link first;
 * - api: the admin token or a partner's key proves the caller; an Idempotency-Key makes retries safe;
 * - demo: the operator's own demo data;
 * - email: a DMARC-verified active partner is known, anyone else confirms from the acknowledgement;
 *   the Message-ID makes a second delivery of the same mail a replay.
 */
export type Submission =
  | { source: 'form'; input: OpportunityInput }
  | { source: 'api'; input: OpportunityInput; caller: IntakeCaller; idempotencyKey?: string }
  | { source: 'demo'; input: OpportunityInput }
  | {
      source: 'email';
      draft: EmailedOpportunity;
      sender: { email: string; name: string };
      /** Set only when the mail's authentication passed for an active partner's address. */
      verifiedPartnerId: string | null;
      messageId: string | null;
    };

/** The partner reads this service makes (submitter checks). */
interface PartnerLookup {
  findById(partnerId: string): Promise<{ id: string; email: string; status: string; company: string; contactName: string } | undefined>;
}

/**
 * The interest loop's part in ending an opportunity: it tells the partners who were interested
 * and not picked, in the ending transaction (which holds the opportunity row), by mails that wait
 * until `notBefore` (the end of the undo grace period). Undoing the ending calls those mails back:
 * `opportunityReopened` answers false when some had gone out already, and then the undo is refused.
 */
interface EndingListener {
  opportunityEnded(trx: Executor, opportunityId: string, notBefore?: Date): Promise<void>;
  opportunityReopened(trx: Executor, opportunityId: string): Promise<boolean>;
}

/** What became of an undo: done (the status it went back to), or why not. */
export type UndoEndResult =
  | { undone: true; status: OpportunityRow['status'] }
  | { undone: false; reason: 'not-ended' | 'final' | 'too-late' | 'mails-sent' | 'expired' };

export interface OpportunityServiceDeps {
  db: Database;
  catalogue: SkillCatalogue;
  partners: PartnerLookup;
  introductions: EndingListener;
  /** MODERATION=on: an admin approves every verified opportunity before it is matched. */
  moderation: boolean;
  defaultLifetimeDays: number;
  /** Closing or withdrawing may be undone for this many minutes (UNDO_GRACE_MINUTES; default 10). */
  undoGraceMinutes?: number;
  /** An opportunity may be urgent only with a start date within this many days (URGENT_WINDOW_DAYS; default 21). */
  urgentWindowDays?: number;
  now?: () => Date;
}

export interface SubmitResult {
  opportunity: OpportunityRow;
  /**
   * True when the submission repeats an earlier one: the same Idempotency-Key and body, or the
   * same email's Message-ID. The earlier opportunity is returned and nothing is written.
   */
  replayed: boolean;
}

const MAX_LIFETIME_DAYS = 365;
const DAY_MS = 86_400_000;

/** The bare date a form gives means the end of that day (UTC). */
const endOfDay = (date: string) => new Date(date.length === 10 ? `${date}T23:59:59Z` : date);

export type OpportunityService = ReturnType<typeof createOpportunityService>;

/**
 * What a moderator may correct before approving, as typed in the console's form (the submission's
 * schema checks it): everything a submitter describes the work with, not who they are.
 */
export type ReviewPatch = {
  title: string;
  description: string;
  requiredSkills: string[];
  niceToHaveSkills: string[];
  regions: string[];
  remote: boolean;
  budgetMin?: number | string;
  budgetMax?: number | string;
  currency?: string;
  startDate?: string;
  urgent?: boolean;
};

/** The urgent flag asked for with a start date outside the window: a 422 with the form's field. */
export class UrgentWindowError extends AppError {
  constructor(windowDays: number) {
    const message = `Urgent needs a start date within ${windowDays} days`;
    super(422, 'urgent_needs_near_start', message, [{ path: ['urgent'], message }]);
  }
}

export function createOpportunityService(deps: OpportunityServiceDeps) {
  const { db, catalogue } = deps;
  const now = deps.now ?? (() => new Date());
  const urgentWindowDays = deps.urgentWindowDays ?? 21;
  const undoGraceMs = (deps.undoGraceMinutes ?? 10) * 60_000;

  /** Until when an ended opportunity may be reopened by its submitter; null when it cannot be. */
  function undoableUntil(row: Pick<OpportunityRow, 'status' | 'undoUntil'>): Date | null {
    if ((row.status !== 'closed' && row.status !== 'withdrawn') || !row.undoUntil) return null;
    const until = new Date(row.undoUntil);
    return until.getTime() > now().getTime() ? until : null;
  }

  /**
   * Whether a start date allows the urgent flag: today (UTC) or within the window. An urgent
   * opportunity without a start date, or starting later or in the past, is refused.
   */
  function urgentAllowed(startDate: string | null | undefined): boolean {
    if (!startDate) return false;
    const start = Date.parse(`${startDate}T00:00:00Z`);
    const today = Date.parse(`${now().toISOString().slice(0, 10)}T00:00:00Z`);
    return start >= today && start <= today + urgentWindowDays * DAY_MS;
  }

  function checkUrgent(input: { urgent?: boolean; startDate?: string | null }): void {
    if (input.urgent && !urgentAllowed(input.startDate)) throw new UrgentWindowError(urgentWindowDays);
  }

  function resolveSkills(input: OpportunityInput): { required: number[]; nice: number[] } {
    const [required = [], nice = []] = catalogue.resolveOrThrow([
      { path: 'requiredSkills', names: input.requiredSkills },
      { path: 'niceToHaveSkills', names: input.niceToHaveSkills },
    ]);
    return { required, nice: nice.filter((id) => !required.includes(id)) };
  }

  /** The columns a complete input fills: the same for a new submission and a corrected draft. */
  function inputValues(input: OpportunityInput, skills: { required: number[]; nice: number[] }) {
    return {
      title: input.title,
      description: input.description,
      requiredSkillIds: skills.required,
      niceSkillIds: skills.nice,
      regions: input.regions,
      remote: input.remote,
      budgetMin: input.budgetMin ?? null,
      budgetMax: input.budgetMax ?? null,
      currency: input.currency ?? null,
      startDate: input.startDate ?? null,
      anonymous: input.anonymous,
      urgent: input.urgent,
      submitterName: input.submitter.name,
      submitterCompany: input.submitter.company,
    };
  }

  function expiryOf(input: OpportunityInput): Date {
    const at = now();
    if (!input.expiresAt) return new Date(at.getTime() + deps.defaultLifetimeDays * DAY_MS);
    const expires = endOfDay(input.expiresAt);
    if (expires.getTime() <= at.getTime()) {
      throw new ValidationError('The expiry date has passed', [{ path: ['expiresAt'], message: 'must be in the future' }]);
    }
    if (expires.getTime() > at.getTime() + MAX_LIFETIME_DAYS * DAY_MS) {
      throw new ValidationError('The expiry date is too far away', [
        { path: ['expiresAt'], message: `must be within ${MAX_LIFETIME_DAYS} days` },
      ]);
    }
    return expires;
  }

  // The status transitions, one writer each. Every one runs in the caller's transaction, with
  // the outbox events that announce it.

  /** pending_verification → pending_review (moderated) or published; the receipt is the submitter's news. */
  async function verify(trx: Executor, opportunityId: string, options: { receipt: boolean }): Promise<void> {
    const at = now();
    if (deps.moderation) {
      await setOpportunityStatus(trx, opportunityId, 'pending_review', { verifiedAt: at });
    } else {
      await publish(trx, opportunityId, { verifiedAt: at });
    }
    if (options.receipt) {
      await requestMail(trx, opportunityMailJob, { kind: 'opportunity-receipt', opportunityId }, `mail:opportunity-receipt:${opportunityId}`);
    }
  }

  /** → published, and matching is announced once (the event's dedupe key). */
  async function publish(trx: Executor, opportunityId: string, stamps: { verifiedAt?: Date } = {}): Promise<void> {
    await setOpportunityStatus(trx, opportunityId, 'published', { ...stamps, publishedAt: now() });
    await addOutboxEvent(
      trx,
      { topic: 'opportunity.published', payload: { opportunityId } },
      `opportunity.published:${opportunityId}`,
    );
  }

  /** pending_review → rejected. */
  async function reject(trx: Executor, opportunityId: string): Promise<void> {
    await setOpportunityStatus(trx, opportunityId, 'rejected', { closedAt: now() });
  }

  /**
   * An open opportunity → closed or withdrawn. The interest loop hears of it in this transaction,
   * which holds the opportunity row, so no pick can slip in between.
   */
  async function end(trx: Executor, opportunityId: string, as: 'closed' | 'withdrawn', undoable: boolean): Promise<void> {
    const closedAt = now();
    // The submitter's ending may be undone for the grace period: the "not picked" mails wait as long.
    const undoUntil = undoable && undoGraceMs > 0 ? new Date(closedAt.getTime() + undoGraceMs) : null;
    await setOpportunityStatus(trx, opportunityId, as, { closedAt, undoUntil });
    await deps.introductions.opportunityEnded(trx, opportunityId, undoUntil ?? undefined);
  }

  async function submitterPartnerFor(caller: IntakeCaller, input: OpportunityInput): Promise<string | null> {
    if (caller.kind !== 'partner') return null;
    const partner = await deps.partners.findById(caller.partnerId);
    if (!partner || partner.status !== 'active') throw new AppError(403, 'forbidden', 'This API key belongs to no active partner');
    // A partner's key submits for that partner: receipts must not go to a stranger's inbox.
    const domain = (email: string) => email.split('@').pop()!.toLowerCase();
    if (domain(partner.email) !== domain(input.submitter.email)) {
      throw new ValidationError('The submitter must work at the partner this API key belongs to', [
        { path: ['submitter', 'email'], message: `must be an address at ${domain(partner.email)}` },
      ]);
    }
    return partner.id;
  }

  /** What a submission stores, whether it is verified already, and how a repeat of it is found. */
  interface Intake {
    values: NewOpportunity;
    verified: boolean;
    /** Form: the confirmation link is mailed. API and demo: the receipt. Email: the inbound acknowledgement, sent by the caller. */
    mail: 'confirm' | 'receipt' | 'none';
    earlier: (trx: Executor) => Promise<OpportunityRow>;
  }

  /** Form, API and demo: a complete opportunity, validated by the schema before it got here. */
  async function fromInput(submission: Extract<Submission, { input: OpportunityInput }>): Promise<Intake> {
    const { input, source } = submission;
    checkUrgent(input);
    const skills = resolveSkills(input);
    const expiresAt = expiryOf(input);
    const caller = source === 'api' ? submission.caller : undefined;
    const submitterPartnerId = caller ? await submitterPartnerFor(caller, input) : null;
    const scope = caller ? (caller.kind === 'partner' ? `partner-${caller.partnerId}` : caller.kind) : source;
    const idempotencyKey = source === 'api' ? submission.idempotencyKey : undefined;
    const scopedKey = idempotencyKey ? `${scope}:${idempotencyKey}` : null;
    const requestHash = createHash('sha256').update(JSON.stringify(input)).digest('hex');
    return {
      values: {
        ...inputValues(input, skills),
        expiresAt,
        status: 'pending_verification',
        source,
        submitterEmail: input.submitter.email,
        submitterPartnerId,
        idempotencyKey: scopedKey,
        requestHash,
        sourceMessageId: null,
        publishedAt: null,
        verifiedAt: null,
      },
      verified: source !== 'form',
      mail: source === 'form' ? 'confirm' : 'receipt',
      earlier: async (trx) => {
        const earlier = await findOpportunityByIdempotencyKey(trx, scopedKey!);
        if (!earlier) throw new Error(`idempotency key conflict but no opportunity holds '${scopedKey}'`);
        if (earlier.requestHash !== requestHash) {
          throw new AppError(422, 'idempotency_key_reused', `Idempotency-Key '${idempotencyKey}' was already used for a different request`);
        }
        return earlier;
      },
    };
  }

  /**
   * Email: the submitter is the partner when we know them, else the sender, with their mail
   * domain as the company to correct. It goes out without a person's look only when it is
   * complete AND valid by the schema every other way in uses, and the sender is a verified
   * partner (whose API key could publish anyway); anything else is a draft.
   */
  async function fromEmail(submission: Extract<Submission, { source: 'email' }>): Promise<Intake> {
    const { draft, sender } = submission;
    const partner = submission.verifiedPartnerId ? await deps.partners.findById(submission.verifiedPartnerId) : undefined;
    const domain = sender.email.split('@').pop() ?? '';
    const name = sender.name.trim() || partner?.contactName || sender.email.split('@')[0] || sender.email;
    const submitter = { name: name.slice(0, 200), company: (partner?.company ?? domain).slice(0, 200), email: sender.email.toLowerCase() };
    const verified = partner !== undefined && draft.complete && opportunityInputSchema.safeParse({ ...draft, submitter }).success;
    const messageId = submission.messageId;
    return {
      values: {
        title: draft.title,
        description: draft.description,
        requiredSkillIds: catalogue.resolveMany(draft.requiredSkills).ids,
        niceSkillIds: catalogue.resolveMany(draft.niceToHaveSkills).ids,
        regions: draft.regions,
        // The table asks for a region or remote work; a draft with neither keeps "remote" until the
        // sender chooses (the correction page asks again, and nothing is published meanwhile).
        remote: draft.remote || draft.regions.length === 0,
        budgetMin: draft.budgetMin ?? null,
        budgetMax: draft.budgetMax ?? null,
        currency: draft.currency ?? null,
        startDate: draft.startDate ?? null,
        expiresAt: new Date(now().getTime() + deps.defaultLifetimeDays * DAY_MS),
        anonymous: false,
        // Asked for with a start date outside the window: ignored (the acknowledgement says so).
        urgent: Boolean(draft.urgent) && urgentAllowed(draft.startDate),
        status: 'pending_verification',
        source: 'email',
        submitterName: submitter.name,
        submitterCompany: submitter.company,
        submitterEmail: submitter.email,
        submitterPartnerId: partner?.id ?? null,
        idempotencyKey: null,
        requestHash: null,
        sourceMessageId: messageId,
        publishedAt: null,
        verifiedAt: null,
      },
      verified,
      mail: 'none',
      earlier: async (trx) => {
        const earlier = messageId ? await findOpportunityBySourceMessageId(trx, messageId) : undefined;
        if (!earlier) throw new Error(`Message-ID conflict but no opportunity holds '${messageId}'`);
        return earlier;
      },
    };
  }

  /** Stores the opportunity and moves it as far as its way in allows, all in `trx`. */
  async function store(trx: Executor, prepared: Intake): Promise<SubmitResult> {
    const row = await insertOpportunity(trx, prepared.values);
    if (!row) return { opportunity: await prepared.earlier(trx), replayed: true };
    if (prepared.verified) {
      await verify(trx, row.id, { receipt: prepared.mail === 'receipt' });
    } else if (prepared.mail === 'confirm') {
      await requestMail(trx, opportunityMailJob, { kind: 'opportunity-confirm', opportunityId: row.id }, `mail:opportunity-confirm:${row.id}`);
    }
    return { opportunity: (await findOpportunityById(trx, row.id))!, replayed: false };
  }

  /** Runs `work` on a locked opportunity row in a transaction, then returns the row as it is after. */
  async function withLocked(opportunityId: string, work: (trx: Executor, row: OpportunityRow) => Promise<void>): Promise<OpportunityRow> {
    return db.transaction().execute(async (trx) => {
      const row = await findOpportunityById(trx, opportunityId, true);
      if (!row) throw new NotFoundError('opportunity', opportunityId);
      await work(trx, row);
      return (await findOpportunityById(trx, opportunityId))!;
    });
  }

  /**
   * The checks `submit` makes beyond the schema (skills known, expiry sensible), without
   * storing anything: the form runs them before counting a submission against rate limits.
   */
  function check(input: OpportunityInput): void {
    checkUrgent(input);
    resolveSkills(input);
    expiryOf(input);
  }

  /** The submitter proved their email (POST from the confirmation page). Idempotent. */
  async function confirmSubmitter(opportunityId: string): Promise<OpportunityRow> {
    return withLocked(opportunityId, async (trx, row) => {
      if (row.status === 'pending_verification') await verify(trx, opportunityId, { receipt: true });
    });
  }

  return {
    check,
    /** Whether this start date allows the urgent flag (within URGENT_WINDOW_DAYS from today). */
    urgentAllowed,
    urgentWindowDays,

    /**
     * The one way in, for the form, the API, an email and the demo data: stores the opportunity
     * and moves it on as far as its way in allows (see `Submission`), in one transaction.
     * `inSameTransaction` lets the caller write its own record of the submission in that
     * transaction (the email intake: the inbound message's outcome and the acknowledgement).
     */
    async submit(
      submission: Submission,
      options: { inSameTransaction?: (trx: Executor, result: SubmitResult) => Promise<void> } = {},
    ): Promise<SubmitResult> {
      // Reads and checks come first, outside the transaction: it never holds a connection while
      // the partner lookup asks the pool for another.
      const prepared = submission.source === 'email' ? await fromEmail(submission) : await fromInput(submission);
      return db.transaction().execute(async (trx) => {
        const result = await store(trx, prepared);
        await options.inSameTransaction?.(trx, result);
        return result;
      });
    },

    /** The submitter proved their email (POST from the confirmation page). Idempotent. */
    confirmSubmitter,

    /**
     * The sender corrected their emailed draft on the page the acknowledgement linked to, and
     * pressed "Publish". Following that link proves the mailbox as the form's confirmation link
     * does, so publication goes the same way (`confirmSubmitter`: review when moderated, receipt
     * email). Checked first like the form (the same ValidationError); the submitter's address
     * stays the one the mail came from, whatever the input says.
     */
    async correctDraft(opportunityId: string, input: OpportunityInput): Promise<OpportunityRow> {
      check(input);
      const current = await findOpportunityById(db, opportunityId);
      if (!current) throw new NotFoundError('opportunity', opportunityId);
      await updateDraft(db, opportunityId, {
        ...inputValues(input, resolveSkills(input)),
        expiresAt: input.expiresAt ? endOfDay(input.expiresAt) : current.expiresAt,
      });
      return confirmSubmitter(opportunityId);
    },

    /**
     * Moderation: an admin lets a reviewed opportunity go on to matching, and the submitter hears
     * of it. `inSameTransaction` writes the caller's record of the decision (the console's audit)
     * with it; it runs only when this call changed something.
     */
    async approve(opportunityId: string, options: { inSameTransaction?: (trx: Executor) => Promise<void> } = {}): Promise<OpportunityRow> {
      return withLocked(opportunityId, async (trx, row) => {
        if (row.status === 'pending_review') {
          await publish(trx, opportunityId);
          await requestMail(trx, opportunityMailJob, { kind: 'opportunity-approved', opportunityId }, `mail:opportunity-approved:${opportunityId}`);
          await options.inSameTransaction?.(trx);
        } else if (row.status !== 'published') {
          throw new ConflictError('not_awaiting_review', `opportunity '${opportunityId}' is ${row.status}, not awaiting review`);
        }
      });
    },

    /**
     * Moderation: an admin turns a reviewed opportunity down. The submitter is told, with the
     * moderator's reason when one is given. Rejecting a rejected opportunity changes nothing.
     */
    async reject(
      opportunityId: string,
      options: { reason?: string; inSameTransaction?: (trx: Executor) => Promise<void> } = {},
    ): Promise<OpportunityRow> {
      return withLocked(opportunityId, async (trx, row) => {
        if (row.status === 'rejected') return;
        if (row.status !== 'pending_review') {
          throw new ConflictError('not_awaiting_review', `opportunity '${opportunityId}' is ${row.status}, not awaiting review`);
        }
        await reject(trx, opportunityId);
        await setRejectionReason(trx, opportunityId, options.reason?.trim() || null);
        await requestMail(trx, opportunityMailJob, { kind: 'opportunity-rejected', opportunityId }, `mail:opportunity-rejected:${opportunityId}`);
        await options.inSameTransaction?.(trx);
      });
    },

    /**
     * Moderation: the moderator corrects the title, description, required skills or regions of
     * an opportunity awaiting review, before approving it. The whole opportunity, corrected, must
     * pass the same schema and skill checks as a submission (the same ValidationError). Only
     * while it awaits review; `inSameTransaction` writes the caller's audit line with the change.
     */
    async reviseForReview(
      opportunityId: string,
      patch: ReviewPatch,
      options: { inSameTransaction?: (trx: Executor) => Promise<void> } = {},
    ): Promise<OpportunityRow> {
      const current = await findOpportunityById(db, opportunityId);
      if (!current) throw new NotFoundError('opportunity', opportunityId);
      // The submission's own schema over the whole correction; what the moderator does not edit
      // (anonymity, submitter) is the submitter's as it came in.
      const parsed = opportunityInputSchema.safeParse({
        ...patch,
        anonymous: current.anonymous,
        submitter: { name: current.submitterName, company: current.submitterCompany, email: current.submitterEmail },
      });
      if (!parsed.success) {
        throw new ValidationError(
          'The corrected opportunity is not valid',
          parsed.error.issues.map((i) => ({ path: i.path.map((p) => (typeof p === 'number' ? p : String(p))), message: i.message })),
        );
      }
      checkUrgent(parsed.data);
      const skills = resolveSkills(parsed.data);
      return withLocked(opportunityId, async (trx, row) => {
        if (row.status !== 'pending_review') {
          throw new ConflictError('not_awaiting_review', `opportunity '${opportunityId}' is ${row.status}, not awaiting review`);
        }
        const { title, description, regions, remote, budgetMin, budgetMax, currency, startDate, urgent } = parsed.data;
        await updateForReview(trx, opportunityId, {
          title,
          description,
          regions,
          remote,
          requiredSkillIds: skills.required,
          niceSkillIds: skills.nice,
          budgetMin: budgetMin ?? null,
          budgetMax: budgetMax ?? null,
          currency: currency ?? null,
          startDate: startDate ?? null,
          urgent,
        });
        await options.inSameTransaction?.(trx);
      });
    },

    /** The moderator's reason for a rejection, for the submitter's mail. */
    rejectionReasonOf: (opportunityId: string) => rejectionReasonOf(db, opportunityId),

    /** How many opportunities are in each status (the operator's overview). */
    countByStatus: () => countOpportunitiesByStatus(db),

    /**
     * The submitter ends an opportunity from their status page: "closed" (the work is placed) or
     * "withdrawn" (it is off). Ending an ended opportunity changes nothing. `undoable` (the
     * submitter's own ending): it may be undone for UNDO_GRACE_MINUTES, and the "not picked" mails
     * wait as long; otherwise (the operator's console) it is final and they go at once.
     */
    async end(
      opportunityId: string,
      as: 'closed' | 'withdrawn',
      options: { inSameTransaction?: (trx: Executor) => Promise<void>; undoable?: boolean } = {},
    ): Promise<OpportunityRow> {
      return withLocked(opportunityId, async (trx, row) => {
        if (!isOpen(row.status)) return;
        await end(trx, opportunityId, as, options.undoable ?? false);
        // The caller's record (the console's audit), only when this call ended it.
        await options.inSameTransaction?.(trx);
      });
    },

    /** Until when its submitter may undo closing or withdrawing this opportunity; null when not (any more). */
    undoableUntil,
    /** UNDO_GRACE_MINUTES. */
    undoGraceMinutes: undoGraceMs / 60_000,

    /**
     * The submitter takes back closing or withdrawing, within the grace period: the opportunity
     * goes back to the state it ended from (published; or waiting for review or confirmation when
     * it ended before that) and the "not picked" mails still waiting are called back, in one
     * transaction holding the row. Refused, changing nothing, once the grace period is over, once
     * any of those mails went out, or once the opportunity's end date has passed.
     */
    async undoEnd(opportunityId: string): Promise<UndoEndResult> {
      let result: UndoEndResult = { undone: false, reason: 'not-ended' };
      class Refused extends Error {}
      try {
        await withLocked(opportunityId, async (trx, row) => {
          if (row.status !== 'closed' && row.status !== 'withdrawn') return;
          if (!undoableUntil(row)) {
            result = { undone: false, reason: row.undoUntil ? 'too-late' : 'final' };
            return;
          }
          if (new Date(row.expiresAt).getTime() <= now().getTime()) {
            result = { undone: false, reason: 'expired' };
            return;
          }
          const back = row.publishedAt ? 'published' : row.verifiedAt ? 'pending_review' : 'pending_verification';
          await setOpportunityStatus(trx, opportunityId, back, { closedAt: null, undoUntil: null });
          if (!(await deps.introductions.opportunityReopened(trx, opportunityId))) {
            result = { undone: false, reason: 'mails-sent' };
            throw new Refused(); // rolls the status back too
          }
          result = { undone: true, status: back };
        });
      } catch (error) {
        if (!(error instanceof Refused)) throw error;
      }
      return result;
    },

    /**
     * The opportunity as stored, or undefined, read in the caller's transaction when one is given;
     * `lock` takes its row lock there (interests and introductions order their writes against
     * closing this way).
     */
    async findById(opportunityId: string, executor: Executor = db, lock = false): Promise<OpportunityRow | undefined> {
      return findOpportunityById(executor, opportunityId, lock);
    },

    async getRow(opportunityId: string): Promise<OpportunityRow> {
      const row = await findOpportunityById(db, opportunityId);
      if (!row) throw new NotFoundError('opportunity', opportunityId);
      return row;
    },

    /**
     * The reach preview of an opportunity before it goes out (waiting for the submitter's
     * confirmation, an email draft), in one sentence: how many partners it would reach and what
     * would reach more. Undefined while it names no required skill.
     */
    async reachOf(o: OpportunityRow): Promise<string | undefined> {
      return describeReach(db, o);
    },

    async get(opportunityId: string): Promise<Opportunity> {
      const row = await this.getRow(opportunityId);
      return toOpportunity(row, catalogue, await countMatchesOf(db, opportunityId));
    },

    async list(query: { limit: number; status?: OpportunityRow['status']; text?: string }): Promise<Opportunity[]> {
      const rows = await listOpportunities(db, query);
      return rows.map((row) => toOpportunity(row, catalogue, row.matchCount));
    },

    /** The operator's search (text, status), newest first, keyset-paged like the partner search. */
    async search(query: OpportunitySearch & { limit: number; cursor?: string }): Promise<{ opportunities: Opportunity[]; nextCursor: string | null }> {
      const after = query.cursor ? decodeKeysetCursor(query.cursor) : undefined;
      const rows = await searchOpportunities(db, { ...query, limit: query.limit + 1, after });
      const page = rows.slice(0, query.limit);
      const last = page.at(-1);
      return {
        opportunities: page.map((row) => toOpportunity(row, catalogue, row.matchCount)),
        nextCursor: rows.length > query.limit && last ? encodeKeysetCursor(last) : null,
      };
    },

    async matches(opportunityId: string) {
      await this.getRow(opportunityId);
      return describedMatchesOf(db, opportunityId);
    },
  };
}

export function toOpportunity(row: OpportunityRow, catalogue: SkillCatalogue, matchCount: number): Opportunity {
  return {
    id: row.id,
    title: row.title,
    description: row.description,
    requiredSkills: catalogue.refs(row.requiredSkillIds),
    niceToHaveSkills: catalogue.refs(row.niceSkillIds),
    regions: row.regions,
    remote: row.remote,
    budgetMin: row.budgetMin,
    budgetMax: row.budgetMax,
    currency: row.currency,
    startDate: row.startDate,
    expiresAt: row.expiresAt.toISOString(),
    anonymous: row.anonymous,
    urgent: row.urgent,
    status: row.status,
    source: row.source,
    submitter: { name: row.submitterName, company: row.submitterCompany, email: row.submitterEmail },
    createdAt: row.createdAt.toISOString(),
    publishedAt: row.publishedAt?.toISOString() ?? null,
    matchedAt: row.matchedAt?.toISOString() ?? null,
    matchCount,
  };
}
