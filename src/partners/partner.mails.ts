import { z } from 'zod';
import type { Links } from '../platform/links/links.ts';
import type { MailKinds } from '../platform/mail/mail-kinds.ts';
import { regionLabel } from '../regions/regions.ts';
import type { SkillCatalogue } from '../skills/skill-catalogue.ts';
import type { PartnerRow } from './partner.repository.ts';

/** The partners' mail: the sign-up confirmation, and a link to their preferences an operator sends. */
export const partnerMailJob = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('partner-confirm'), partnerId: z.uuid() }),
  z.object({ kind: z.literal('partner-preferences-link'), partnerId: z.uuid() }),
]);

export type PartnerMailJob = z.infer<typeof partnerMailJob>;

export interface PartnerMailsDeps {
  /** The partner service's read (named by shape: the service requests these mails, so the mails do not import it). */
  partners: { findById(partnerId: string): Promise<PartnerRow | undefined> };
  catalogue: Pick<SkillCatalogue, 'labels'>;
  links: Pick<Links, 'confirmPartner' | 'preferences'>;
}

export function createPartnerMails({ partners, catalogue, links }: PartnerMailsDeps): MailKinds<PartnerMailJob> {
  return {
    'partner-confirm': {
      // Someone who unsubscribed and now signs up again asked for this one confirmation email.
      reachesUnsubscribed: true,
      async draft(job) {
        const partner = await partners.findById(job.partnerId);
        if (!partner || partner.status !== 'pending') return undefined;
        return {
          to: partner.email,
          view: {
            subject: 'Confirm your p2p-digest sign-up',
            preheader: `One click and ${partner.company} starts receiving matching opportunities.`,
            heading: `Welcome, ${partner.contactName}`,
            paragraphs: [
              `Thanks for signing up ${partner.company}. Please confirm this address so we can send you opportunities that fit your skills.`,
              'The link opens a page with a button; nothing changes until you press it. If you did not sign up, ignore this email and nothing will be sent again.',
            ],
            details: [
              { label: 'Skills', value: catalogue.labels(partner.skillIds).join(', ') },
              // A partner who listed none was accepted for what the profile names: say what we read.
              ...(partner.profileSkillIds.length ? [{ label: 'Named in your profile', value: catalogue.labels(partner.profileSkillIds).join(', ') }] : []),
              { label: 'Regions', value: partner.regions.map(regionLabel).join(', ') },
            ],
            action: { label: 'Confirm my sign-up', url: links.confirmPartner(partner.id) },
            footerReason: 'You receive this because someone signed up for p2p-digest with this address.',
          },
        };
      },
    },
    'partner-preferences-link': {
      // Sent by an operator on request; a partner who unsubscribed or was switched off gets none.
      async draft(job) {
        const partner = await partners.findById(job.partnerId);
        if (!partner || (partner.status !== 'active' && partner.status !== 'paused')) return undefined;
        return {
          to: partner.email,
          view: {
            subject: 'Your p2p-digest preferences',
            preheader: 'Skills, regions and when your digest comes: change them in one place.',
            heading: `Hello ${partner.contactName}`,
            paragraphs: [
              `Here is the link to ${partner.company}'s preferences: the skills and regions we match you on, how often your digest comes, and how many opportunities it holds.`,
              'The page changes nothing until you save it. You asked us for this link, or we thought it would help; if not, ignore this email.',
            ],
            details: [
              { label: 'Skills', value: catalogue.labels(partner.skillIds).join(', ') },
              { label: 'Regions', value: partner.regions.map(regionLabel).join(', ') },
            ],
            action: { label: 'Open my preferences', url: links.preferences(partner.id) },
            footerReason: 'You receive this because you are a partner of p2p-digest.',
          },
        };
      },
    },
  };
}
