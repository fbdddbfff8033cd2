import { z } from 'zod';
import type { Links } from '../platform/links/links.ts';
import type { MailKinds } from '../platform/mail/mail-kinds.ts';
import type { NoticeCard } from '../platform/mail/mail-templates.ts';
import type { OpportunityService } from '../opportunities/opportunity.service.ts';
import type { PartnerService } from '../partners/partner.service.ts';
import type { SkillCatalogue } from '../skills/skill-catalogue.ts';
import type { Database } from '../platform/db/database.ts';
import { interestCard, pickAnchor, type InterestCard } from './interest-card.ts';
import { findIntroduction, isUnpicked, listActiveInterests } from './introduction.repository.ts';

/**
 * The most interests one summary email carries. The notifier never batches more; anything beyond
 * waits for the next email. It keeps the job payload small (ids only) and the email readable.
 */
export const INTEREST_SUMMARY_MAX = 100;

/** The interest loop's mail: what the submitter hears of interest, and what each side hears after. */
export const interestMailJob = z.discriminatedUnion('kind', [
  /** To the submitter: the partners who said "I'm interested" in one batching window. */
  z.object({
    kind: z.literal('interest-summary'),
    opportunityId: z.uuid(),
    interestIds: z.array(z.uuid()).min(1).max(INTEREST_SUMMARY_MAX),
  }),
  /** The submitter picked a partner: each side gets the other's contact details. */
  z.object({ kind: z.literal('introduction'), introductionId: z.uuid(), side: z.enum(['submitter', 'partner']) }),
  /** To an interested partner who was not introduced, once the opportunity has ended. */
  z.object({ kind: z.literal('not-picked'), opportunityId: z.uuid(), partnerId: z.uuid() }),
]);

export type InterestMailJob = z.infer<typeof interestMailJob>;

export interface InterestMailsDeps {
  /** The interests' own tables are read here as its jobs read them; others' through their services. */
  db: Database;
  opportunities: Pick<OpportunityService, 'findById'>;
  partners: Pick<PartnerService, 'findById'>;
  catalogue: Pick<SkillCatalogue, 'labels'>;
  links: Pick<Links, 'opportunityStatus' | 'preferences'>;
}

/**
 * One interested partner in the summary, as a card like the digest's: company, skills (✓ on the
 * ones the opportunity asks for), regions, why they fit, their note; never how to reach them.
 */
function interestNoticeCard(card: InterestCard, statusUrl: string): NoticeCard {
  return {
    title: card.company,
    subtitle: card.introduced ? 'Already introduced to you' : null,
    facts: card.regions.length ? [{ label: 'Regions', value: card.regions.join(', ') }] : [],
    skills: card.skillChips,
    reasonsHeading: 'Why they fit',
    reasons: card.reasons,
    note: card.note,
    noteLabel: 'Their note',
    // Straight to this partner's box on the status page (its id; :target highlights it). Opening
    // the link only shows the page: picking is still the page's POST, so a scanner changes nothing.
    // A partner already introduced has no box left to tick (the page lists them as introduced).
    link: card.introduced ? null : { label: `Choose ${card.company}`, url: `${statusUrl}#${pickAnchor(card.interestId)}` },
  };
}

export function createInterestMails({ db, opportunities, partners, catalogue, links }: InterestMailsDeps): MailKinds<InterestMailJob> {
  return {
    'interest-summary': {
      async draft(job) {
        const o = await opportunities.findById(job.opportunityId);
        if (!o || o.status !== 'published') return undefined;
        // Only the interests still active now: one withdrawn after batching is left out.
        const asked = [...o.requiredSkillIds, ...o.niceSkillIds];
        const cards = (await listActiveInterests(db, o.id, job.interestIds)).map((row) => interestCard(row, catalogue, asked));
        if (cards.length === 0) return undefined;
        const who = cards.length === 1 ? '1 partner is' : `${cards.length} partners are`;
        const statusUrl = links.opportunityStatus(o.id, o.expiresAt);
        return {
          to: o.submitterEmail,
          view: {
            subject: `${who} interested in ${o.title}`,
            preheader: `${cards.map((c) => c.company).slice(0, 3).join(', ')}${cards.length > 3 ? ` and ${cards.length - 3} more` : ''}: see what they offer, then choose whom to meet.`,
            heading: `${who} interested`,
            paragraphs: [
              `Hello ${o.submitterName}, ${cards.length === 1 ? 'a partner has' : `${cards.length} partners have`} told us they would like to work with you on "${o.title}". Here is what they offer and why they match.`,
              'Their contact details stay private until you choose: tick the partners you want to meet on your status page, and we introduce you to each other by email.',
            ],
            legend: { chip: '✓ Asked for', text: 'marks the skills your opportunity asks for.', plain: 'Skills marked ✓ are ones your opportunity asks for.' },
            details: [],
            cards: cards.map((card) => interestNoticeCard(card, statusUrl)),
            action: { label: 'Choose whom to meet', url: statusUrl },
            footerReason: 'You receive this because you submitted an opportunity to p2p-digest.',
          },
        };
      },
    },
    introduction: {
      async draft(job) {
        const n = await findIntroduction(db, job.introductionId);
        if (!n) return undefined;
        if (job.side === 'submitter') {
          return {
            to: n.submitterEmail,
            replyTo: n.partnerEmail,
            view: {
              subject: `Introduction: ${n.company} for ${n.title}`,
              preheader: `How to reach ${n.contactName} at ${n.company}.`,
              heading: `Meet ${n.company}`,
              paragraphs: [
                `Hello ${n.submitterName}, as you asked, here is how to reach ${n.company} about "${n.title}". They received your contact details too.`,
                `Reply to this email to write to ${n.contactName} directly.`,
              ],
              details: [
                { label: 'Company', value: n.company },
                { label: 'Contact', value: n.contactName },
                { label: 'Email', value: n.partnerEmail },
              ],
              action: { label: 'See the status', url: links.opportunityStatus(n.opportunityId, n.expiresAt) },
              footerReason: 'You receive this because you asked to be introduced to this partner on p2p-digest.',
            },
          };
        }
        return {
          to: n.partnerEmail,
          replyTo: n.submitterEmail,
          view: {
            subject: `Introduction: ${n.submitterCompany} would like to talk about ${n.title}`,
            preheader: `${n.submitterName} picked you after you said you were interested.`,
            heading: `Meet ${n.submitterName} of ${n.submitterCompany}`,
            paragraphs: [
              `Hello ${n.contactName}, you told us you were interested in "${n.title}", and ${n.submitterName} of ${n.submitterCompany} would like to talk. They received your contact details too.`,
              `Reply to this email to write to ${n.submitterName} directly.`,
            ],
            details: [
              { label: 'Name', value: n.submitterName },
              { label: 'Company', value: n.submitterCompany },
              { label: 'Email', value: n.submitterEmail },
            ],
            action: null,
            footerReason: 'You receive this because you told us you were interested in this opportunity.',
          },
        };
      },
    },
    'not-picked': {
      async draft(job) {
        const o = await opportunities.findById(job.opportunityId);
        if (!o || (o.status !== 'closed' && o.status !== 'withdrawn')) return undefined;
        const p = await partners.findById(job.partnerId);
        // Withdrawn meanwhile, or introduced after all: nothing to say.
        if (!p || !(await isUnpicked(db, o.id, p.id))) return undefined;
        return {
          to: p.email,
          view: {
            subject: `Update on ${o.title}`,
            preheader: o.status === 'closed' ? 'The submitter has found their partner.' : 'The project is not going ahead.',
            heading: 'Thank you for your interest',
            paragraphs: [
              `Hello ${p.contactName}, thank you for offering to help with "${o.title}".`,
              o.status === 'closed'
                ? 'The submitter has closed it: they found the partner they needed, and did not pick you this time.'
                : 'The submitter has withdrawn it: the project is not going ahead.',
              'There is nothing for you to do. Your next digest brings new opportunities that fit your skills.',
            ],
            details: [],
            action: { label: 'Review your skills and preferences', url: links.preferences(p.id) },
            footerReason: 'You receive this because you told us you were interested in this opportunity.',
          },
        };
      },
    },
  };
}
