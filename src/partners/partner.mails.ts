import { z } from 'zod';
import type { Links } from '../platform/links/links.ts';
import type { MailKinds } from '../platform/mail/mail-kinds.ts';
import { regionLabel } from '../regions/regions.ts';
import type { SkillCatalogue } from '../skills/skill-catalogue.ts';
import type { PartnerRow } from './partner.repository.ts';

/** The partners' mail: the sign-up confirmation. */
export const partnerMailJob = z.object({ kind: z.literal('partner-confirm'), partnerId: z.uuid() });

export type PartnerMailJob = z.infer<typeof partnerMailJob>;

export interface PartnerMailsDeps {
  /** The partner service's read (named by shape: the service requests these mails, so the mails do not import it). */
  partners: { findById(partnerId: string): Promise<PartnerRow | undefined> };
  catalogue: Pick<SkillCatalogue, 'labels'>;
  links: Pick<Links, 'confirmPartner'>;
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
  };
}
