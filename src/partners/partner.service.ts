import type { Database, Executor } from '../platform/db/database.ts';
import { encodeKeysetCursor, decodeKeysetCursor } from '../platform/db/keyset-cursor.ts';
import { ConflictError, NotFoundError } from '../platform/errors/app-errors.ts';
import { addOutboxEvent } from '../platform/outbox/outbox.repository.ts';
import { requestMail } from '../platform/mail/mail-kinds.ts';
import { partnerMailJob } from './partner.mails.ts';
import { withProfileEvidence } from './partner-skills.ts';
import { skillsMentionedIn } from '../skills/claimed-skills.ts';
import type { SkillCatalogue } from '../skills/skill-catalogue.ts';
import {
  countPartnersByStatus,
  findPartnerByEmail,
  findPartnerById,
  insertPartner,
  listPartnerProfiles,
  listPartners,
  reactivatePartner,
  replacePartnerSkills,
  replaceProfileSkills,
  searchPartners,
  unsubscribePartnersByEmail,
  updatePartner,
  type PartnerRow,
  type PartnerSearch,
  type PartnerSkillIds,
  type PartnerSource,
  type PartnerValues,
} from './partner.repository.ts';
import type { Partner, PartnerInput, PartnerListQuery, PartnerUpdate } from './partner.schemas.ts';

export type { PartnerRow, PartnerSearch, PartnerStatus } from './partner.repository.ts';

export type PartnerService = ReturnType<typeof createPartnerService>;

export interface PartnerServiceDeps {
  db: Database;
  catalogue: SkillCatalogue;
  /** The do-not-email list (the suppressions service): confirming a sign-up lifts an unsubscribe. */
  suppressions: { liftUnsubscribe(email: string, trx: Executor): Promise<void> };
}

/** Work an action's caller does in the action's own transaction (the console's audit line). */
export interface InSameTransaction {
  inSameTransaction?: (trx: Executor) => Promise<void>;
}

export type SignUpOutcome = 'created' | 'confirmation-resent' | 'already-registered';

/** Postgres' unique_violation: the email is taken (case-insensitively). */
const isUniqueViolation = (error: unknown) => (error as { code?: string }).code === '23505';

export function createPartnerService(deps: PartnerServiceDeps) {
  const { db, catalogue, suppressions } = deps;

  function resolveSkills(names: string[]): number[] {
    return catalogue.resolveOrThrow([{ path: 'skills', names }])[0]!;
  }

  /**
   * The listed skills (a 422 naming every unknown one) and the ones only the profile names;
   * a 400 when there are neither.
   */
  function skillsOf(input: Pick<PartnerInput, 'skills' | 'profile'>): PartnerSkillIds {
    return withProfileEvidence(catalogue, resolveSkills(input.skills), input.profile ?? '');
  }

  function valuesOf(input: PartnerInput): PartnerValues {
    return {
      company: input.company,
      contactName: input.contactName,
      email: input.email,
      website: input.website ?? null,
      country: input.country || null,
      regions: input.regions,
      remoteOk: input.remoteOk,
      timezone: input.timezone,
      profile: input.profile ?? '',
      ...(input.urgentDelivery ? { urgentDelivery: input.urgentDelivery } : {}),
    };
  }

  /**
   * An active partner's skills, regions or profile changed (or they just joined): the match
   * worker matches them against the opportunities that are already open.
   */
  async function announceProfileChange(trx: Executor, partnerId: string): Promise<void> {
    await addOutboxEvent(trx, { topic: 'partner.changed', payload: { partnerId } });
  }

  async function create(input: PartnerInput, source: Exclude<PartnerSource, 'signup'>): Promise<Partner> {
    const skills = skillsOf(input);
    try {
      const id = await db.transaction().execute(async (trx) => {
        const partnerId = await insertPartner(
          trx,
          { ...valuesOf(input), status: 'active', source, verifiedAt: new Date(), consentSource: source },
          skills,
        );
        await announceProfileChange(trx, partnerId);
        return partnerId;
      });
      return toPartner((await findPartnerById(db, id))!, catalogue);
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new ConflictError('email_taken', `a partner with email '${input.email}' already exists`);
      }
      throw error;
    }
  }

  /** A sign-up for a known address, with the fields it left empty taken from what is stored. */
  function keptOnRejoin(input: PartnerInput, existing: PartnerRow): PartnerInput {
    const blank = (v: string | undefined) => v === undefined || v.trim() === '';
    if (!blank(input.website) && !blank(input.country) && !blank(input.profile) && input.skills.length > 0) return input;
    return {
      ...input,
      website: blank(input.website) ? (existing.website ?? undefined) : input.website,
      country: blank(input.country) ? (existing.country ?? undefined) : input.country,
      profile: blank(input.profile) ? existing.profile : input.profile,
      skills: input.skills.length > 0 ? input.skills : catalogue.refs(existing.skillIds).map((s) => s.slug),
    };
  }

  async function signUpOnce(input: PartnerInput, skills: PartnerSkillIds): Promise<SignUpOutcome> {
    return db.transaction().execute(async (trx) => {
      const existing = await findPartnerByEmail(trx, input.email);
      if (existing && existing.status !== 'pending' && existing.status !== 'unsubscribed') return 'already-registered';
      let partnerId: string;
      if (existing) {
        partnerId = existing.id;
        // Joining again never drops what the form left empty: the website, country, profile and
        // listed skills stored before stay unless the partner typed new ones.
        const kept = keptOnRejoin(input, existing);
        await updatePartner(trx, partnerId, { ...valuesOf(kept), status: 'pending' });
        await replacePartnerSkills(trx, partnerId, kept === input ? skills : skillsOf(kept));
      } else {
        partnerId = await insertPartner(
          trx,
          { ...valuesOf(input), status: 'pending', source: 'signup', verifiedAt: null, consentSource: 'signup form' },
          skills,
        );
      }
      await requestMail(trx, partnerMailJob, { kind: 'partner-confirm', partnerId });
      return existing ? 'confirmation-resent' : 'created';
    });
  }

  return {
    skillsOf,

    /** True when a profile text names a skill of ours (what lets a partner list none). */
    profileNamesSkills: (profile: string) => skillsMentionedIn(catalogue, profile).length > 0,

    /** Admin-created partners are trusted: active at once. */
    createByAdmin: (input: PartnerInput) => create(input, 'admin'),
    createFromImport: (input: PartnerInput) => create(input, 'import'),
    createForDemo: (input: PartnerInput) => create(input, 'demo'),

    /**
     * Self-service sign-up: the partner stays pending until they confirm from the email. A
     * second sign-up with a pending address refreshes the details and sends a new link; with an
     * address that is already active nothing changes (the page says the same either way, so the
     * form does not reveal who is registered). A partner who unsubscribed may join again: they
     * are pending until they confirm, and only the confirmation lifts their unsubscribe.
     */
    async signUp(input: PartnerInput): Promise<SignUpOutcome> {
      const skills = skillsOf(input);
      try {
        return await signUpOnce(input, skills);
      } catch (error) {
        // Two sign-ups with the same new address at once: the loser's insert hit the unique
        // index. Its row is committed now, so running again answers as a second sign-up would.
        if (!isUniqueViolation(error)) throw error;
        return await signUpOnce(input, skills);
      }
    },

    /** The partner clicked the button on the confirmation page. Confirming twice is harmless. */
    async confirm(partnerId: string): Promise<PartnerRow> {
      const partner = await findPartnerById(db, partnerId);
      if (!partner) throw new NotFoundError('partner', partnerId);
      if (partner.status === 'pending') {
        await db.transaction().execute(async (trx) => {
          await updatePartner(trx, partnerId, { status: 'active', verifiedAt: new Date() });
          // Confirming is a fresh opt-in: it lifts an earlier unsubscribe (never a bounce or complaint).
          await suppressions.liftUnsubscribe(partner.email, trx);
          await announceProfileChange(trx, partnerId);
        });
      }
      return (await findPartnerById(db, partnerId))!;
    },

    async get(partnerId: string): Promise<Partner> {
      const partner = await findPartnerById(db, partnerId);
      if (!partner) throw new NotFoundError('partner', partnerId);
      return toPartner(partner, catalogue);
    },

    async findRowByEmail(email: string): Promise<PartnerRow | undefined> {
      return findPartnerByEmail(db, email);
    },

    /** The partner as stored, or undefined; read in the caller's transaction when one is given. */
    /** How many partners are in each status (the operator's overview). */
    countByStatus: () => countPartnersByStatus(db),

    async findById(partnerId: string, executor: Executor = db): Promise<PartnerRow | undefined> {
      return findPartnerById(executor, partnerId);
    },

    /** The partner who uses an unsubscribed address stops getting digests (pending, active or paused ones). */
    async markUnsubscribed(email: string, trx: Executor): Promise<void> {
      await unsubscribePartnersByEmail(trx, email);
    },

    async update(partnerId: string, patch: PartnerUpdate, options: InSameTransaction = {}): Promise<Partner> {
      const skillIds = patch.skills ? resolveSkills(patch.skills) : undefined;
      const { skills: _skills, ...values } = patch;
      try {
        await db.transaction().execute(async (trx) => {
          const partner = await findPartnerById(trx, partnerId);
          if (!partner) throw new NotFoundError('partner', partnerId);
          await updatePartner(trx, partnerId, {
            ...values,
            website: values.website ?? partner.website,
            country: values.country ?? partner.country,
          });
          // The profile evidence follows the profile and the list: a skill newly listed is no
          // longer "only in the profile", a rewritten profile names other skills.
          if (skillIds || values.profile !== undefined) {
            await replacePartnerSkills(trx, partnerId, withProfileEvidence(catalogue, skillIds ?? partner.skillIds, values.profile ?? partner.profile));
          }
          await announceProfileChange(trx, partnerId);
          await options.inSameTransaction?.(trx);
        });
      } catch (error) {
        if (isUniqueViolation(error)) {
          throw new ConflictError('email_taken', `a partner with email '${patch.email}' already exists`);
        }
        throw error;
      }
      return this.get(partnerId);
    },

    /**
     * Sets every field from a full input (CSV import): unlike `update`, an optional field that is
     * absent is cleared, so the stored partner then equals the input.
     */
    async replace(partnerId: string, input: PartnerInput): Promise<void> {
      const skills = skillsOf(input);
      await db.transaction().execute(async (trx) => {
        if (!(await updatePartner(trx, partnerId, valuesOf(input)))) throw new NotFoundError('partner', partnerId);
        await replacePartnerSkills(trx, partnerId, skills);
        await announceProfileChange(trx, partnerId);
      });
    },

    /**
     * Reads every partner's profile again and stores the skills it names where they changed
     * (after the migration that introduced profile evidence, and after the taxonomy gained
     * names); an active partner whose evidence changed is matched again.
     */
    async refreshProfileEvidence(): Promise<{ partners: number; changed: number }> {
      let partners = 0;
      let changed = 0;
      for (let after: string | null = null; ; ) {
        const page = await listPartnerProfiles(db, after, 500);
        for (const row of page) {
          partners++;
          const evidence = skillsMentionedIn(catalogue, row.profile).filter((id) => !row.skillIds.includes(id));
          if (JSON.stringify([...evidence].sort((a, b) => a - b)) === JSON.stringify(row.profileSkillIds)) continue;
          changed++;
          await db.transaction().execute(async (trx) => {
            await replaceProfileSkills(trx, row.id, evidence);
            if (row.status === 'active') await announceProfileChange(trx, row.id);
          });
        }
        if (page.length < 500) break;
        after = page.at(-1)!.id;
      }
      return { partners, changed };
    },

    /** Deactivated partners are never matched or emailed; their history stays. */
    async deactivate(partnerId: string, options: InSameTransaction = {}): Promise<Partner> {
      await db.transaction().execute(async (trx) => {
        const found = await updatePartner(trx, partnerId, { status: 'deactivated', deactivatedAt: new Date() });
        if (!found) throw new NotFoundError('partner', partnerId);
        await options.inSameTransaction?.(trx);
      });
      return this.get(partnerId);
    },

    /**
     * A deactivated partner is switched on again (active: matched and emailed from the next
     * digest on). Only a deactivated one: a partner who unsubscribed or never confirmed must opt in
     * themselves, so this answers 409 for them and changes nothing.
     */
    async reactivate(partnerId: string, options: InSameTransaction = {}): Promise<Partner> {
      await db.transaction().execute(async (trx) => {
        if (!(await reactivatePartner(trx, partnerId))) {
          const partner = await findPartnerById(trx, partnerId);
          if (!partner) throw new NotFoundError('partner', partnerId);
          throw new ConflictError('not_deactivated', `partner '${partnerId}' is ${partner.status}, not deactivated: only they can opt in again`);
        }
        await announceProfileChange(trx, partnerId);
        await options.inSameTransaction?.(trx);
      });
      return this.get(partnerId);
    },

    /** Mails the partner a link to their preferences page (the operator's "send a preferences link"). */
    async sendPreferencesLink(partnerId: string, options: InSameTransaction = {}): Promise<Partner> {
      const partner = await this.get(partnerId);
      await db.transaction().execute(async (trx) => {
        await requestMail(trx, partnerMailJob, { kind: 'partner-preferences-link', partnerId });
        await options.inSameTransaction?.(trx);
      });
      return partner;
    },

    /** The operator's search (company or email text, skill, region, status), newest first, keyset-paged. */
    async search(query: PartnerSearch & { limit: number; cursor?: string }): Promise<{ partners: Partner[]; nextCursor: string | null }> {
      const after = query.cursor ? decodeKeysetCursor(query.cursor) : undefined;
      const rows = await searchPartners(db, { ...query, limit: query.limit + 1, after });
      const page = rows.slice(0, query.limit);
      const last = page.at(-1);
      return {
        partners: page.map((r) => toPartner(r, catalogue)),
        nextCursor: rows.length > query.limit && last ? encodeKeysetCursor(last) : null,
      };
    },

    async list(query: PartnerListQuery): Promise<{ partners: Partner[]; nextCursor: string | null }> {
      const after = query.cursor ? decodeKeysetCursor(query.cursor) : undefined;
      const rows = await listPartners(db, { limit: query.limit + 1, after, status: query.status });
      const page = rows.slice(0, query.limit);
      const last = page.at(-1);
      return {
        partners: page.map((r) => toPartner(r, catalogue)),
        nextCursor: rows.length > query.limit && last ? encodeKeysetCursor(last) : null,
      };
    },
  };
}

export function toPartner(row: PartnerRow, catalogue: SkillCatalogue): Partner {
  return {
    id: row.id,
    company: row.company,
    contactName: row.contactName,
    email: row.email,
    website: row.website,
    country: row.country,
    regions: row.regions,
    remoteOk: row.remoteOk,
    timezone: row.timezone,
    urgentDelivery: row.urgentDelivery,
    skills: catalogue.refs(row.skillIds),
    profile: row.profile,
    profileSkills: catalogue.refs(row.profileSkillIds),
    status: row.status,
    source: row.source,
    createdAt: row.createdAt.toISOString(),
    verifiedAt: row.verifiedAt?.toISOString() ?? null,
  };
}
