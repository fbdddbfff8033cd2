import { z } from 'zod';
import type { Links } from '../platform/links/links.ts';
import type { MailKinds } from '../platform/mail/mail-kinds.ts';
import { regionLabel } from '../regions/regions.ts';
import type { SkillCatalogue } from '../skills/skill-catalogue.ts';
import type { OpportunityRow } from './opportunity.repository.ts';

/** The submitter's mail about their own opportunity: confirm the address, the receipt, the moderator's decision. */
export const opportunityMailJob = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('opportunity-confirm'), opportunityId: z.uuid() }),
  z.object({ kind: z.literal('opportunity-receipt'), opportunityId: z.uuid() }),
  z.object({ kind: z.literal('opportunity-approved'), opportunityId: z.uuid() }),
  z.object({ kind: z.literal('opportunity-rejected'), opportunityId: z.uuid() }),
]);

export type OpportunityMailJob = z.infer<typeof opportunityMailJob>;

export interface OpportunityMailsDeps {
  /** The opportunity service's read (named by shape: the service requests these mails, so the mails do not import it). */
  opportunities: {
    findById(opportunityId: string): Promise<OpportunityRow | undefined>;
    rejectionReasonOf(opportunityId: string): Promise<string | null>;
  };
  catalogue: Pick<SkillCatalogue, 'labels'>;
  links: Pick<Links, 'confirmOpportunity' | 'opportunityStatus'>;
}

export function createOpportunityMails({ opportunities, catalogue, links }: OpportunityMailsDeps): MailKinds<OpportunityMailJob> {
  function details(skillIds: number[], regions: string[], remote: boolean) {
    return [
      { label: 'Skills needed', value: catalogue.labels(skillIds).join(', ') },
      { label: 'Where', value: [...regions.map(regionLabel), ...(remote ? ['remote welcome'] : [])].join(', ') },
    ];
  }

  return {
    'opportunity-confirm': {
      async draft(job) {
        const o = await opportunities.findById(job.opportunityId);
        if (!o || o.status !== 'pending_verification') return undefined;
        return {
          to: o.submitterEmail,
          view: {
            subject: `Confirm your opportunity: ${o.title}`,
            preheader: 'Confirm your email and we start finding partners for it.',
            heading: 'Please confirm your opportunity',
            paragraphs: [
              `Hello ${o.submitterName}, we received "${o.title}". Confirm that this is your email address and we will match it with partners who have the skills.`,
              'If you did not submit this, ignore this email: the opportunity is never shown to anyone.',
            ],
            details: details(o.requiredSkillIds, o.regions, o.remote),
            action: { label: 'Confirm and publish', url: links.confirmOpportunity(o.id) },
            footerReason: 'You receive this because this address was given when submitting an opportunity to p2p-digest.',
          },
        };
      },
    },
    'opportunity-receipt': {
      async draft(job) {
        const o = await opportunities.findById(job.opportunityId);
        if (!o) return undefined;
        const moderated = o.status === 'pending_review';
        return {
          to: o.submitterEmail,
          view: {
            subject: `Received: ${o.title}`,
            preheader: moderated ? 'It is waiting for a quick review.' : 'We are matching it with partners now.',
            heading: 'We received your opportunity',
            paragraphs: [
              `Hello ${o.submitterName}, "${o.title}" is ${moderated ? 'waiting for a quick review by our team, then it goes to matching partners' : 'published and being matched with partners who have the skills'}.`,
              'The status page shows how many partners match. You can close or withdraw the opportunity there at any time.',
            ],
            details: details(o.requiredSkillIds, o.regions, o.remote),
            action: { label: 'See the status', url: links.opportunityStatus(o.id, o.expiresAt) },
            footerReason: 'You receive this because you submitted an opportunity to p2p-digest.',
          },
        };
      },
    },
    'opportunity-approved': {
      async draft(job) {
        const o = await opportunities.findById(job.opportunityId);
        // Withdrawn or closed since the approval: the news is stale.
        if (!o || o.status !== 'published') return undefined;
        return {
          to: o.submitterEmail,
          view: {
            subject: `Approved: ${o.title}`,
            preheader: 'It is published and being matched with partners.',
            heading: 'Your opportunity is approved',
            paragraphs: [
              `Hello ${o.submitterName}, our team reviewed "${o.title}". It is published and being matched with partners who have the skills; they see it in their next digest.`,
              'The status page shows how many partners match and who is interested.',
            ],
            details: details(o.requiredSkillIds, o.regions, o.remote),
            action: { label: 'See the status', url: links.opportunityStatus(o.id, o.expiresAt) },
            footerReason: 'You receive this because you submitted an opportunity to p2p-digest.',
          },
        };
      },
    },
    'opportunity-rejected': {
      async draft(job) {
        const o = await opportunities.findById(job.opportunityId);
        if (!o || o.status !== 'rejected') return undefined;
        const reason = await opportunities.rejectionReasonOf(o.id);
        return {
          to: o.submitterEmail,
          view: {
            subject: `Not published: ${o.title}`,
            preheader: 'Our team did not publish it.',
            heading: 'Your opportunity was not published',
            paragraphs: [
              `Hello ${o.submitterName}, our team reviewed "${o.title}" and did not publish it.`,
              reason ? `The reason: ${reason}` : 'No reason was given.',
              'You are welcome to submit it again with the changes.',
            ],
            details: details(o.requiredSkillIds, o.regions, o.remote),
            action: null,
            footerReason: 'You receive this because you submitted an opportunity to p2p-digest.',
          },
        };
      },
    },
  };
}
