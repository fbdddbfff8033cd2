import { z } from 'zod';
import type { DigestFrequency } from '../platform/db/database.types.ts';
import { checked, list, number, text, type FormBody, type FormGuide } from '../platform/http/form-fields.ts';
import { REGIONS_GUIDE, SKILLS_GUIDE, URGENT_DELIVERY_GUIDE } from './signup-form.ts';
import { multiLineText, plainText } from '../platform/http/input-schemas.ts';
import { REGION_SLUGS } from '../regions/regions.ts';
import { isTimeZone, requireRegionsOrRemote, requireSkillsOrProfile, URGENT_DELIVERIES } from './partner.schemas.ts';
import { MAX_CARDS_PER_DIGEST } from '../digests/digest-limits.ts';
import { DIGEST_FREQUENCIES } from '../digests/digest-period.ts';

export { DIGEST_FREQUENCIES };

export const FREQUENCY_LABELS: Record<DigestFrequency, string> = {
  weekly: 'Every week',
  biweekly: 'Every two weeks',
  monthly: 'Once a month',
  paused: 'Paused: send nothing for now',
};

/** ISO days of the week: 1 = Monday. */
export const WEEKDAYS = [
  { value: 1, label: 'Monday' },
  { value: 2, label: 'Tuesday' },
  { value: 3, label: 'Wednesday' },
  { value: 4, label: 'Thursday' },
  { value: 5, label: 'Friday' },
  { value: 6, label: 'Saturday' },
  { value: 7, label: 'Sunday' },
] as const;

/**
 * The minimum match score as a person chooses it. 0.2 is the column's default, so a partner who
 * never changed it sees their setting among the choices.
 */
export const MIN_SCORE_CHOICES = [
  { value: 0, label: 'Show me everything (0)' },
  { value: 0.2, label: 'Most fits (0.2, the default)' },
  { value: 0.3, label: 'Good fits (0.3)' },
  { value: 0.6, label: 'Only strong fits (0.6)' },
] as const;

/** The preferences form's fields in the page's order, and what each asks for when it is wrong. */
export const PREFERENCES_FORM_GUIDE: FormGuide = {
  digestFrequency: { label: 'How often' },
  digestDay: { label: 'Day of the week' },
  digestHour: { label: 'Hour' },
  timezone: { label: 'Time zone' },
  maxItems: { label: 'Most opportunities per digest', missing: `Enter how many opportunities a digest may hold, from 1 to ${MAX_CARDS_PER_DIGEST}` },
  minScore: { label: 'Which matches' },
  urgentDelivery: URGENT_DELIVERY_GUIDE,
  regions: REGIONS_GUIDE,
  skills: SKILLS_GUIDE,
  profile: { label: 'What you do best' },
};

/** What the preferences page saves: the digest schedule and the matching profile. */
export const preferencesInputSchema = z.object({
  digestFrequency: z.enum(DIGEST_FREQUENCIES, { error: 'choose how often you want the digest' }),
  digestDay: z.number({ error: 'choose a day of the week' }).int().min(1).max(7),
  digestHour: z.number({ error: 'choose an hour from 0 to 23' }).int().min(0).max(23),
  maxItems: z.number({ error: `must be a whole number from 1 to ${MAX_CARDS_PER_DIGEST}` }).int().min(1).max(MAX_CARDS_PER_DIGEST),
  minScore: z.number({ error: 'choose which matches to show' }).min(0).max(1),
  /**
   * How urgent opportunities reach the partner: an alert as it comes, a daily summary, or the
   * digest. Left out (a form from before the choice existed): unchanged.
   */
  urgentDelivery: z.enum(URGENT_DELIVERIES, { error: 'choose how urgent work reaches you' }).optional(),
  timezone: plainText({ error: 'choose a time zone' }).refine(isTimeZone, 'must be a time zone such as Europe/Berlin'),
  regions: z.array(z.enum(REGION_SLUGS)).max(REGION_SLUGS.length),
  remoteOk: z.boolean(),
  /** Slugs, labels or synonyms from the skill taxonomy. */
  /** May be empty when the profile names skills (see withProfileEvidence). */
  skills: z.array(plainText().trim().min(1)).max(40, 'choose at most 40 skills'),
  profile: multiLineText().trim().max(4000, 'must be at most 4000 characters'),
})
  .superRefine(...requireSkillsOrProfile)
  .superRefine(...requireRegionsOrRemote);

export type PreferencesInput = z.infer<typeof preferencesInputSchema>;

/** The preferences form's fields in the shape of `preferencesInputSchema` (validated after this). */
export function preferencesFromForm(body: FormBody) {
  return {
    digestFrequency: text(body, 'digestFrequency'),
    digestDay: number(body, 'digestDay'),
    digestHour: number(body, 'digestHour'),
    maxItems: number(body, 'maxItems'),
    minScore: number(body, 'minScore'),
    urgentDelivery: text(body, 'urgentDelivery'),
    timezone: text(body, 'timezone'),
    regions: list(body, 'regions'),
    remoteOk: checked(body, 'remoteOk'),
    skills: list(body, 'skills'),
    profile: text(body, 'profile') ?? '',
  };
}

/** What the form shows again after a failed POST: the values as typed. */
export function preferencesFormValues(body: FormBody) {
  return {
    digestFrequency: text(body, 'digestFrequency'),
    digestDay: text(body, 'digestDay'),
    digestHour: text(body, 'digestHour'),
    maxItems: text(body, 'maxItems'),
    minScore: text(body, 'minScore'),
    urgentDelivery: text(body, 'urgentDelivery'),
    timezone: text(body, 'timezone'),
    regions: list(body, 'regions'),
    remoteOk: checked(body, 'remoteOk'),
    skills: list(body, 'skills'),
    profile: text(body, 'profile') ?? '',
  };
}
