import { createHash } from 'node:crypto';
import type { Database, Executor } from '../platform/db/database.ts';
import { AppError, ConflictError, NotFoundError, ValidationError, type FieldIssue } from '../platform/errors/app-errors.ts';
import { listUnpickedPartners } from '../interests/introduction.repository.ts';
import { describeMatch } from '../matching/match-reasons.ts';
import { countMatches, listMatches } from '../matching/match.repository.ts';
import { addOutboxEvent } from '../platform/outbox/outbox.repository.ts';
import { findPartnerById } from '../partners/partner.repository.ts';
import type { SkillCatalogue } from '../skills/skill-catalogue.ts';
import {
  findOpportunityById,
  findOpportunityByIdempotencyKey,
  insertOpportunity,
  listOpportunities,
  setOpportunityStatus,
  type OpportunityRow,
} from './opportunity.repository.ts';
import type { Opportunity, OpportunityInput } from './opportunity.schemas.ts';

export type { OpportunityRow };

/** Who is submitting: this decides whether the submitter must still prove their email. */
export type IntakeCaller =
  | { kind: 'admin' }
  | { kind: 'partner'; partnerId: string }
  | { kind: 'form' }
  | { kind: 'demo' };

export interface OpportunityServiceDeps {
  db: Database;
  catalogue: SkillCatalogue;
  /** MODERATION=on: an admin approves every verified opportunity before it is matched. */
  moderation: boolean;
  defaultLifetimeDays: number;
  now?: () => Date;
}

export interface SubmitResult {
  opportunity: OpportunityRow;
  /** True when an Idempotency-Key named an opportunity created by an earlier request. */
  replayed: boolean;
}

const MAX_LIFETIME_DAYS = 365;

export type OpportunityService = ReturnType<typeof createOpportunityService>;

export function createOpportunityService(deps: OpportunityServiceDeps) {
  const { db, catalogue } = deps;
  const now = deps.now ?? (() => new Date());

  function resolveSkills(input: OpportunityInput): { required: number[]; nice: number[] } {
    const issues: FieldIssue[] = [];
    const resolve = (names: string[], field: 'requiredSkills' | 'niceToHaveSkills') =>
      names.flatMap((name, i) => {
        const skill = catalogue.resolve(name);
        if (!skill) issues.push({ path: [field, i], message: `unknown skill "${name}"` });
        return skill ? [skill.id] : [];
      });
    const required = [...new Set(resolve(input.requiredSkills, 'requiredSkills'))];
    const nice = [...new Set(resolve(input.niceToHaveSkills, 'niceToHaveSkills'))].filter((id) => !required.includes(id));
    if (issues.length) throw new ValidationError('Some skills are not in our taxonomy', issues);
    return { required, nice };
  }

  function expiryOf(input: OpportunityInput): Date {
    const at = now();
    if (!input.expiresAt) return new Date(at.getTime() + deps.defaultLifetimeDays * 86_400_000);
    // A bare date means the end of that day (UTC).
    const expires = new Date(input.expiresAt.length === 10 ? `${input.expiresAt}T23:59:59Z` : input.expiresAt);
    if (expires.getTime() <= at.getTime()) {
      throw new ValidationError('The expiry date has passed', [{ path: ['expiresAt'], message: 'must be in the future' }]);
    }
    if (expires.getTime() > at.getTime() + MAX_LIFETIME_DAYS * 86_400_000) {
      throw new ValidationError('The expiry date is too far away', [
        { path: ['expiresAt'], message: `must be within ${MAX_LIFETIME_DAYS} days` },
      ]);
    }
    return expires;
  }

  /** Moves a verified opportunity on: to review, or straight to publication and matching. */
  async function afterVerification(trx: Executor, opportunityId: string): Promise<void> {
    const at = now();
    if (deps.moderation) {
      await setOpportunityStatus(trx, opportunityId, 'pending_review', { verifiedAt: at });
    } else {
      await publish(trx, opportunityId, { verifiedAt: at });
    }
    await addOutboxEvent(
      trx,
      { topic: 'mail.requested', payload: { kind: 'opportunity-receipt', opportunityId } },
      `mail:opportunity-receipt:${opportunityId}`,
    );
  }

  async function publish(trx: Executor, opportunityId: string, stamps: { verifiedAt?: Date } = {}): Promise<void> {
    await setOpportunityStatus(trx, opportunityId, 'published', { ...stamps, publishedAt: now() });
    await addOutboxEvent(
      trx,
      { topic: 'opportunity.published', payload: { opportunityId } },
      `opportunity.published:${opportunityId}`,
    );
  }

  /**
   * Partners who said "I'm interested" and were not introduced hear that the opportunity has
   * ended, once each; in end()'s transaction, which holds the opportunity row, so no pick can
   * slip in between.
   */
  async function tellUnpickedPartners(trx: Executor, opportunityId: string): Promise<void> {
    for (const partnerId of await listUnpickedPartners(trx, opportunityId)) {
      await addOutboxEvent(
        trx,
        { topic: 'mail.requested', payload: { kind: 'not-picked', opportunityId, partnerId } },
        `mail:not-picked:${opportunityId}:${partnerId}`,
      );
    }
  }

  async function submitterPartnerFor(caller: IntakeCaller, input: OpportunityInput): Promise<string | null> {
    if (caller.kind !== 'partner') return null;
    const partner = await findPartnerById(db, caller.partnerId);
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

  return {
    /**
     * The checks `submit` makes beyond the schema (skills known, expiry sensible), without
     * storing anything: the form runs them before counting a submission against rate limits.
     */
    check(input: OpportunityInput): void {
      resolveSkills(input);
      expiryOf(input);
    },

    async submit(input: OpportunityInput, caller: IntakeCaller, idempotencyKey?: string): Promise<SubmitResult> {
      const skills = resolveSkills(input);
      const expiresAt = expiryOf(input);
      const submitterPartnerId = await submitterPartnerFor(caller, input);
      const scope = caller.kind === 'partner' ? `partner-${caller.partnerId}` : caller.kind;
      const scopedKey = idempotencyKey ? `${scope}:${idempotencyKey}` : null;
      const requestHash = createHash('sha256').update(JSON.stringify(input)).digest('hex');
      const verified = caller.kind !== 'form';

      const created = await db.transaction().execute(async (trx) => {
        const row = await insertOpportunity(trx, {
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
          expiresAt,
          anonymous: input.anonymous,
          status: 'pending_verification',
          source: caller.kind === 'form' ? 'form' : caller.kind === 'demo' ? 'demo' : 'api',
          submitterName: input.submitter.name,
          submitterCompany: input.submitter.company,
          submitterEmail: input.submitter.email,
          submitterPartnerId,
          idempotencyKey: scopedKey,
          requestHash,
          publishedAt: null,
          verifiedAt: null,
        });
        if (!row) return undefined;
        if (verified) {
          await afterVerification(trx, row.id);
        } else {
          await addOutboxEvent(
            trx,
            { topic: 'mail.requested', payload: { kind: 'opportunity-confirm', opportunityId: row.id } },
            `mail:opportunity-confirm:${row.id}`,
          );
        }
        return (await findOpportunityById(trx, row.id))!;
      });

      if (created) return { opportunity: created, replayed: false };
      const earlier = await findOpportunityByIdempotencyKey(db, scopedKey!);
      if (!earlier) throw new Error(`idempotency key conflict but no opportunity holds '${scopedKey}'`);
      if (earlier.requestHash !== requestHash) {
        throw new AppError(
          422,
          'idempotency_key_reused',
          `Idempotency-Key '${idempotencyKey}' was already used for a different request`,
        );
      }
      return { opportunity: earlier, replayed: true };
    },

    /** The submitter proved their email (POST from the confirmation page). Idempotent. */
    async confirmSubmitter(opportunityId: string): Promise<OpportunityRow> {
      return db.transaction().execute(async (trx) => {
        const row = await findOpportunityById(trx, opportunityId, true);
        if (!row) throw new NotFoundError('opportunity', opportunityId);
        if (row.status === 'pending_verification') await afterVerification(trx, opportunityId);
        return (await findOpportunityById(trx, opportunityId))!;
      });
    },

    /** Moderation: an admin lets a reviewed opportunity go on to matching. */
    async approve(opportunityId: string): Promise<OpportunityRow> {
      return db.transaction().execute(async (trx) => {
        const row = await findOpportunityById(trx, opportunityId, true);
        if (!row) throw new NotFoundError('opportunity', opportunityId);
        if (row.status === 'pending_review') await publish(trx, opportunityId);
        else if (row.status !== 'published') {
          throw new ConflictError('not_awaiting_review', `opportunity '${opportunityId}' is ${row.status}, not awaiting review`);
        }
        return (await findOpportunityById(trx, opportunityId))!;
      });
    },

    async reject(opportunityId: string): Promise<OpportunityRow> {
      return db.transaction().execute(async (trx) => {
        const row = await findOpportunityById(trx, opportunityId, true);
        if (!row) throw new NotFoundError('opportunity', opportunityId);
        if (row.status !== 'pending_review' && row.status !== 'rejected') {
          throw new ConflictError('not_awaiting_review', `opportunity '${opportunityId}' is ${row.status}, not awaiting review`);
        }
        await setOpportunityStatus(trx, opportunityId, 'rejected', { closedAt: now() });
        return (await findOpportunityById(trx, opportunityId))!;
      });
    },

    /**
     * The submitter ends an opportunity from their status page: "closed" (the work is placed) or
     * "withdrawn" (it is off). Ending an ended opportunity changes nothing.
     */
    async end(opportunityId: string, as: 'closed' | 'withdrawn'): Promise<OpportunityRow> {
      return db.transaction().execute(async (trx) => {
        const row = await findOpportunityById(trx, opportunityId, true);
        if (!row) throw new NotFoundError('opportunity', opportunityId);
        const open = ['pending_verification', 'pending_review', 'published'].includes(row.status);
        if (open) {
          await setOpportunityStatus(trx, opportunityId, as, { closedAt: now() });
          await tellUnpickedPartners(trx, opportunityId);
        }
        return (await findOpportunityById(trx, opportunityId))!;
      });
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

    async get(opportunityId: string): Promise<Opportunity> {
      const row = await this.getRow(opportunityId);
      return toOpportunity(row, catalogue, await countMatches(db, opportunityId));
    },

    async list(query: { limit: number; status?: OpportunityRow['status'] }): Promise<Opportunity[]> {
      const rows = await listOpportunities(db, query);
      return rows.map((row) => toOpportunity(row, catalogue, row.matchCount));
    },

    async matches(opportunityId: string) {
      await this.getRow(opportunityId);
      const matches = await listMatches(db, opportunityId);
      return matches.map((m) => ({
        partnerId: m.partnerId,
        company: m.company,
        score: m.score,
        reasons: describeMatch(m.reasons),
      }));
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
    status: row.status,
    source: row.source,
    submitter: { name: row.submitterName, company: row.submitterCompany, email: row.submitterEmail },
    createdAt: row.createdAt.toISOString(),
    publishedAt: row.publishedAt?.toISOString() ?? null,
    matchedAt: row.matchedAt?.toISOString() ?? null,
    matchCount,
  };
}
