import { z } from 'zod';
import { enumValues } from '../platform/db/enum-values.ts';
import type { PartnerSource, PartnerStatus, UrgentDelivery } from '../platform/db/database.types.ts';
import { multiLineText, plainText } from '../platform/http/input-schemas.ts';
import { REGION_SLUGS } from '../regions/regions.ts';

const partnerStatuses = enumValues<PartnerStatus>()(['pending', 'active', 'paused', 'unsubscribed', 'deactivated']);
const partnerSources = enumValues<PartnerSource>()(['signup', 'admin', 'import', 'demo']);

/**
 * How urgent opportunities reach a partner: an alert as it comes, a daily summary, or their
 * digest. Existing partners and partners created without a choice keep "digest"; the sign-up
 * form offers "alert" pre-selected (see docs/digests.md).
 */
export const URGENT_DELIVERIES = enumValues<UrgentDelivery>()(['alert', 'daily', 'digest']);
export type { UrgentDelivery };

export const URGENT_DELIVERY_LABELS: Record<UrgentDelivery, string> = {
  alert: 'As it comes: an email within minutes, one opportunity each (at most a few a day, never at night)',
  daily: 'In a daily summary, at my digest hour',
  digest: 'In my digest, with everything else',
};

/** True for a time zone name the runtime knows ("Europe/Berlin", "UTC"). */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/**
 * Neither a skill nor a profile to read one from: the message the skills field has always had,
 * reported with every other field's error (`when`: also when another field is wrong, as long as
 * the skills themselves are a list).
 */
export const requireSkillsOrProfile = [
  (value: { skills: string[]; profile?: string | undefined }, ctx: z.RefinementCtx): void => {
    if (value.skills.length === 0 && !value.profile?.trim()) ctx.addIssue({ code: 'custom', path: ['skills'], message: 'choose at least one skill' });
  },
  { when: (payload: { value: unknown }) => Array.isArray((payload.value as { skills?: unknown } | undefined)?.skills) },
] as const;

/**
 * A region, or remote work anywhere: the same rule as an opportunity's (remote-anywhere needs no
 * region), on /join, the preferences page, the API and CSV import alike. Reported with every
 * other field's error, as long as the regions themselves are a list.
 */
export const requireRegionsOrRemote = [
  (value: { regions: string[]; remoteOk?: boolean | undefined }, ctx: z.RefinementCtx): void => {
    if (value.regions.length === 0 && value.remoteOk === false) {
      ctx.addIssue({ code: 'custom', path: ['regions'], message: 'choose at least one region, or allow remote work' });
    }
  },
  { when: (payload: { value: unknown }) => Array.isArray((payload.value as { regions?: unknown } | undefined)?.regions) },
] as const;

/** "acme.example" → "https://acme.example": people rarely type the scheme. */
const website = z.preprocess(
  (v) => (typeof v === 'string' && v.trim() && !/^[a-z][a-z0-9+.-]*:/i.test(v.trim()) ? `https://${v.trim()}` : v),
  plainText().pipe(z.url({ protocol: /^https?$/, message: 'must be a web address (https://…)' }).max(300)),
);

const partnerFields = z.object({
  company: plainText().trim().min(1, 'is required').max(200),
  contactName: plainText().trim().min(1, 'is required').max(200),
  email: z.email('must be an email address').max(254),
  website: website.optional(),
  country: plainText().trim().max(80).optional(),
  /** May be empty when the partner takes remote work anywhere (`requireRegionsOrRemote`). */
  regions: z.array(z.enum(REGION_SLUGS)).max(REGION_SLUGS.length),
  remoteOk: z.boolean().default(true),
  timezone: plainText().refine(isTimeZone, 'must be a time zone such as Europe/Berlin').default('UTC'),
  /**
   * Slugs, labels or synonyms from the skill taxonomy. May be empty when the profile names
   * skills (they become profile evidence); with neither, the service answers "choose at least
   * one skill" on this field.
   */
  skills: z.array(plainText().trim().min(1)).max(40),
  profile: multiLineText().trim().max(4000).optional(),
  /** How urgent opportunities reach the partner; left out: "digest" for a new partner, unchanged for an update. */
  urgentDelivery: z.enum(URGENT_DELIVERIES, { error: 'choose alert, daily or digest' }).optional(),
});

/**
 * A partner as forms, the API and CSV import send it. Skills or a profile: a blank profile with
 * no skills is answered here, with every other field's error; a profile that names no skill of
 * ours, by the service (the same message on the same field).
 */
export const partnerInputSchema = partnerFields.superRefine(...requireSkillsOrProfile).superRefine(...requireRegionsOrRemote);

export type PartnerInput = z.infer<typeof partnerInputSchema>;

export const partnerUpdateSchema = partnerFields
  .partial()
  .extend({
    status: z.enum(['active', 'paused']).optional(),
  })
  .superRefine(
    (value, ctx) => {
      // Emptying the regions takes remote work anywhere, said in the same change (the stored
      // setting is not known here): the rule of `requireRegionsOrRemote`.
      if (value.regions?.length === 0 && value.remoteOk !== true) {
        ctx.addIssue({ code: 'custom', path: ['regions'], message: 'choose at least one region, or allow remote work' });
      }
    },
    { when: (payload) => Array.isArray((payload.value as { regions?: unknown } | undefined)?.regions) },
  );

export type PartnerUpdate = z.infer<typeof partnerUpdateSchema>;

export const partnerSchema = z.object({
  id: z.uuid(),
  company: z.string(),
  contactName: z.string(),
  email: z.string(),
  website: z.string().nullable(),
  country: z.string().nullable(),
  regions: z.array(z.string()),
  remoteOk: z.boolean(),
  timezone: z.string(),
  urgentDelivery: z.enum(URGENT_DELIVERIES),
  skills: z.array(z.object({ slug: z.string(), label: z.string() })),
  profile: z.string(),
  /** Skills only the profile text names: matching takes them as evidence, below a listed skill. */
  profileSkills: z.array(z.object({ slug: z.string(), label: z.string() })),
  status: z.enum(partnerStatuses),
  source: z.enum(partnerSources),
  createdAt: z.string(),
  verifiedAt: z.string().nullable(),
});

export type Partner = z.infer<typeof partnerSchema>;

export const partnerListQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  /** Opaque cursor from the previous page's `nextCursor`. */
  cursor: z.string().max(200).optional(),
  status: z.enum(partnerStatuses).optional(),
});

export type PartnerListQuery = z.infer<typeof partnerListQuerySchema>;
