import { z } from 'zod';
import { enumValues } from '../platform/db/enum-values.ts';
import type { OpportunitySource, OpportunityStatus } from '../platform/db/database.types.ts';
import { multiLineText, plainText, saneDate, saneDateTime } from '../platform/http/input-schemas.ts';
import { REGION_SLUGS } from '../regions/regions.ts';

const isoDate = saneDate();

/**
 * One schema for every way in: the JSON API parses a body with it, the web form converts its
 * fields to this shape first and then parses with it too, so both give the same answers.
 */
export const opportunityInputSchema = z
  .object({
    title: plainText().trim().min(5, 'needs at least 5 characters').max(200),
    description: multiLineText().trim().min(20, 'needs at least 20 characters').max(10_000),
    /** Slugs, labels or synonyms from the skill taxonomy. */
    requiredSkills: z.array(plainText().trim().min(1)).min(1, 'name at least one required skill').max(20),
    niceToHaveSkills: z.array(plainText().trim().min(1)).max(20).default([]),
    regions: z.array(z.enum(REGION_SLUGS)).max(REGION_SLUGS.length).default([]),
    remote: z.boolean().default(false),
    budgetMin: z.number().int('must be a whole number').min(0).max(100_000_000).optional(),
    budgetMax: z.number().int('must be a whole number').min(0).max(100_000_000).optional(),
    currency: plainText()
      .trim()
      .toUpperCase()
      .regex(/^[A-Z]{3}$/, 'must be a three-letter currency code such as EUR')
      .optional(),
    startDate: isoDate.optional(),
    expiresAt: saneDateTime('must be a date-time such as 2026-12-31T17:00:00Z').or(isoDate).optional(),
    anonymous: z.boolean().default(false),
    /**
     * Urgent work: partners who asked for it get an alert within minutes. Only with a start date
     * within URGENT_WINDOW_DAYS (the service checks it: the window is configuration).
     */
    urgent: z.boolean().default(false),
    submitter: z.object({
      name: plainText().trim().min(1, 'is required').max(200),
      company: plainText().trim().min(1, 'is required').max(200),
      email: z.email('must be an email address').max(254),
    }),
  })
  .superRefine((o, ctx) => {
    if (!o.remote && o.regions.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['regions'], message: 'choose at least one region, or allow remote work' });
    }
    if (o.budgetMin !== undefined && o.budgetMax !== undefined && o.budgetMin > o.budgetMax) {
      ctx.addIssue({ code: 'custom', path: ['budgetMax'], message: 'must not be below the minimum budget' });
    }
    if ((o.budgetMin !== undefined || o.budgetMax !== undefined) && !o.currency) {
      ctx.addIssue({ code: 'custom', path: ['currency'], message: 'is required with a budget' });
    }
  });

export type OpportunityInput = z.infer<typeof opportunityInputSchema>;

export const OPPORTUNITY_STATUSES = enumValues<OpportunityStatus>()([
  'pending_verification',
  'pending_review',
  'published',
  'closed',
  'withdrawn',
  'expired',
  'rejected',
]);

export type { OpportunityStatus };

/** Statuses in which an opportunity is still going somewhere: it may be published, closed or withdrawn. */
export const OPEN_STATUSES = ['pending_verification', 'pending_review', 'published'] as const satisfies readonly OpportunityStatus[];

/** Whether the opportunity has not ended (closed, withdrawn, expired or rejected). */
export function isOpen(status: OpportunityStatus): boolean {
  return (OPEN_STATUSES as readonly OpportunityStatus[]).includes(status);
}

/** The ways in: the web form, the JSON API, an email, and the operator's demo data. */
export const OPPORTUNITY_SOURCES = enumValues<OpportunitySource>()(['form', 'api', 'email', 'demo']);

export const opportunityCreatedSchema = z.object({
  id: z.uuid(),
  status: z.enum(OPPORTUNITY_STATUSES),
});

export const opportunitySchema = z.object({
  id: z.uuid(),
  title: z.string(),
  description: z.string(),
  requiredSkills: z.array(z.object({ slug: z.string(), label: z.string() })),
  niceToHaveSkills: z.array(z.object({ slug: z.string(), label: z.string() })),
  regions: z.array(z.string()),
  remote: z.boolean(),
  budgetMin: z.number().nullable(),
  budgetMax: z.number().nullable(),
  currency: z.string().nullable(),
  startDate: z.string().nullable(),
  expiresAt: z.string(),
  anonymous: z.boolean(),
  urgent: z.boolean(),
  status: z.enum(OPPORTUNITY_STATUSES),
  source: z.enum(OPPORTUNITY_SOURCES),
  submitter: z.object({ name: z.string(), company: z.string(), email: z.string() }),
  createdAt: z.string(),
  publishedAt: z.string().nullable(),
  matchedAt: z.string().nullable(),
  matchCount: z.number(),
});

export type Opportunity = z.infer<typeof opportunitySchema>;

export const matchListSchema = z.object({
  matches: z.array(
    z.object({
      partnerId: z.uuid(),
      company: z.string(),
      score: z.number(),
      reasons: z.array(z.string()),
    }),
  ),
});
