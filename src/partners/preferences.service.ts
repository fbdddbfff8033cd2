import type { Database, Executor } from '../platform/db/database.ts';
import { NotFoundError } from '../platform/errors/app-errors.ts';
import { addOutboxEvent } from '../platform/outbox/outbox.repository.ts';
import type { SkillCatalogue } from '../skills/skill-catalogue.ts';
import {
  findDigestSettings,
  findPartnerById,
  replacePartnerSkills,
  resumePausedPartner,
  updateDigestSettings,
  updatePartner,
  type DigestFrequency,
  type DigestSettings,
  type PartnerRow,
  type PartnerStatus,
} from './partner.repository.ts';
import type { PreferencesInput } from './preferences.schemas.ts';
import { withProfileEvidence } from './partner-skills.ts';

export interface PartnerPreferences {
  partner: PartnerRow;
  settings: DigestSettings;
  /** The partner's skills as slugs, as the skill picker names them. */
  skillSlugs: string[];
}

export interface SaveOutcome {
  /** The partner's status after saving. */
  status: PartnerStatus;
  /** True when a paused partner chose a frequency and became active again. */
  resumed: boolean;
}

export type PreferencesService = ReturnType<typeof createPreferencesService>;

/** `real` comes back as 0.30000001192092896: two decimals are all a person ever chose. */
const roundScore = (score: number) => Math.round(score * 100) / 100;

const sameSet = <T>(a: readonly T[], b: readonly T[]) => a.length === b.length && a.every((x) => b.includes(x));

/**
 * Sets how often a partner gets the digest. Choosing a frequency (anything but "paused") makes a
 * paused partner active again; an unsubscribed, deactivated or pending partner keeps its status
 * (an unsubscribed partner has to join again). A partner who
 * becomes active again is announced, so the match worker matches them with what is open now.
 * Run it in a transaction.
 */
async function changeDigestFrequency(db: Executor, partnerId: string, frequency: DigestFrequency): Promise<SaveOutcome> {
  if (!(await updateDigestSettings(db, partnerId, { digestFrequency: frequency }))) throw new NotFoundError('partner', partnerId);
  const resumed = frequency !== 'paused' && (await resumePausedPartner(db, partnerId));
  if (resumed) await addOutboxEvent(db, { topic: 'partner.changed', payload: { partnerId } });
  const partner = await findPartnerById(db, partnerId);
  return { status: partner!.status, resumed };
}

/** The partner's own settings page (/p/<token>): digest schedule and matching profile. */
export function createPreferencesService(deps: { db: Database; catalogue: SkillCatalogue }) {
  const { db, catalogue } = deps;
  return {
    /** Only the frequency (the unsubscribe page's "less often" and "pause"); see changeDigestFrequency. */
    async changeFrequency(partnerId: string, frequency: DigestFrequency): Promise<SaveOutcome> {
      return db.transaction().execute((trx) => changeDigestFrequency(trx, partnerId, frequency));
    },

    async load(partnerId: string): Promise<PartnerPreferences | undefined> {
      const partner = await findPartnerById(db, partnerId);
      const settings = partner && (await findDigestSettings(db, partnerId));
      if (!partner || !settings) return undefined;
      return {
        partner,
        settings: { ...settings, minScore: roundScore(settings.minScore) },
        skillSlugs: catalogue.refs(partner.skillIds).map((s) => s.slug),
      };
    },

    /** Saves every field at once. Throws ValidationError for skills not in the taxonomy. */
    async save(partnerId: string, input: PreferencesInput): Promise<SaveOutcome> {
      // The same messages and paths as sign-up gives.
      const skillIds = catalogue.resolveOrThrow([{ path: 'skills', names: input.skills }])[0]!;
      const skills = withProfileEvidence(catalogue, skillIds, input.profile);
      return db.transaction().execute(async (trx) => {
        const before = await findPartnerById(trx, partnerId);
        if (!before) throw new NotFoundError('partner', partnerId);
        await updatePartner(trx, partnerId, {
          regions: input.regions,
          remoteOk: input.remoteOk,
          timezone: input.timezone,
          profile: input.profile,
        });
        await updateDigestSettings(trx, partnerId, {
          digestDay: input.digestDay,
          digestHour: input.digestHour,
          maxItems: input.maxItems,
          minScore: input.minScore,
          ...(input.urgentDelivery ? { urgentDelivery: input.urgentDelivery } : {}),
        });
        await replacePartnerSkills(trx, partnerId, skills);
        const outcome = await changeDigestFrequency(trx, partnerId, input.digestFrequency);
        // What matching reads changed: match the partner again (a resumed partner is announced already).
        const matchingChanged =
          !sameSet(before.regions, input.regions) ||
          before.remoteOk !== input.remoteOk ||
          before.profile !== input.profile ||
          !sameSet(before.skillIds, skillIds);
        if (matchingChanged && outcome.status === 'active' && !outcome.resumed) {
          await addOutboxEvent(trx, { topic: 'partner.changed', payload: { partnerId } });
        }
        return outcome;
      });
    },
  };
}
