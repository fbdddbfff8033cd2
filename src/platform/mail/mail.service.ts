import type { Logger } from 'pino';
import type { Database } from '../db/database.ts';
import { acknowledgementDraft } from '../../inbound/email-acknowledgement.ts';
import { interestCard, type InterestCard } from '../../interests/interest-card.ts';
import { findIntroduction, isUnpicked, listActiveInterests } from '../../interests/introduction.repository.ts';
import type { Links } from '../links/links.ts';
import { findOpportunityById } from '../../opportunities/opportunity.repository.ts';
import { findPartnerById } from '../../partners/partner.repository.ts';
import { regionLabel } from '../../regions/regions.ts';
import type { SkillCatalogue } from '../../skills/skill-catalogue.ts';
import { suppressionOf } from '../../suppressions/suppression.repository.ts';
import type { MailJob } from './mail-jobs.ts';
import type { MailTemplates, NoticeView } from './mail-templates.ts';
import { LOOP_HEADER } from './loop-header.ts';
import type { Mailer } from './mailer.ts';

export interface MailServiceDeps {
  db: Database;
  mailer: Mailer;
  templates: MailTemplates;
  links: Links;
  catalogue: SkillCatalogue;
  /** Postal address or operator line shown in every footer. */
  operator: string;
  /** Domain for deterministic Message-IDs. */
  messageIdDomain: string;
  log: Logger;
}

export type MailOutcome = 'sent' | 'suppressed' | 'obsolete';

interface Draft {
  to: string;
  /** The other side of an introduction, so that "Reply" reaches them, not us. */
  replyTo?: string;
  view: Omit<NoticeView, 'footer'> & { footerReason: string };
}

/**
 * Renders and sends one email job. It re-reads Postgres first: a job for a partner who has
 * confirmed meanwhile, or an opportunity that moved on, sends nothing ('obsolete').
 */
export function createMailService(deps: MailServiceDeps) {
  const { db, links, catalogue } = deps;

  async function draft(job: MailJob): Promise<Draft | undefined> {
    switch (job.kind) {
      case 'partner-confirm': {
        const partner = await findPartnerById(db, job.partnerId);
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
              { label: 'Regions', value: partner.regions.map(regionLabel).join(', ') },
            ],
            action: { label: 'Confirm my sign-up', url: links.confirmPartner(partner.id) },
            footerReason: 'You receive this because someone signed up for p2p-digest with this address.',
          },
        };
      }
      case 'opportunity-confirm': {
        const o = await findOpportunityById(db, job.opportunityId);
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
            details: opportunityDetails(o.requiredSkillIds, o.regions, o.remote),
            action: { label: 'Confirm and publish', url: links.confirmOpportunity(o.id) },
            footerReason: 'You receive this because this address was given when submitting an opportunity to p2p-digest.',
          },
        };
      }
      case 'opportunity-receipt': {
        const o = await findOpportunityById(db, job.opportunityId);
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
            details: opportunityDetails(o.requiredSkillIds, o.regions, o.remote),
            action: { label: 'See the status', url: links.opportunityStatus(o.id, o.expiresAt) },
            footerReason: 'You receive this because you submitted an opportunity to p2p-digest.',
          },
        };
      }
      case 'interest-summary': {
        const o = await findOpportunityById(db, job.opportunityId);
        if (!o || o.status !== 'published') return undefined;
        // Only the interests still active now: one withdrawn after batching is left out.
        const cards = (await listActiveInterests(db, o.id, job.interestIds)).map((row) => interestCard(row, catalogue));
        if (cards.length === 0) return undefined;
        const who = cards.length === 1 ? '1 partner is' : `${cards.length} partners are`;
        return {
          to: o.submitterEmail,
          view: {
            subject: `${who} interested in ${o.title}`,
            preheader: 'See what they offer, then choose who you want to meet.',
            heading: `${who} interested`,
            paragraphs: [
              `Hello ${o.submitterName}, ${cards.length === 1 ? 'a partner has' : `${cards.length} partners have`} told us they would like to work with you on "${o.title}". Here is what they offer and why they match.`,
              'Their contact details stay private until you choose. Pick the partners you want to meet on your status page, and we introduce you to each other by email.',
            ],
            details: cards.flatMap(interestDetails),
            action: { label: 'Choose who to meet', url: links.opportunityStatus(o.id, o.expiresAt) },
            footerReason: 'You receive this because you submitted an opportunity to p2p-digest.',
          },
        };
      }
      case 'introduction': {
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
      }
      case 'not-picked': {
        const o = await findOpportunityById(db, job.opportunityId);
        if (!o || (o.status !== 'closed' && o.status !== 'withdrawn')) return undefined;
        const p = await findPartnerById(db, job.partnerId);
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
      }
      case 'email-acknowledgement':
        return acknowledgementDraft({ db, links, catalogue }, job.inboundId);
      case 'digest-reply-help': {
        const p = await findPartnerById(db, job.partnerId);
        if (!p || p.status !== 'active') return undefined;
        return {
          to: p.email,
          view: {
            subject: 'About your reply to your digest',
            preheader: 'We could not tell which opportunity you meant.',
            heading: 'Thanks for your reply',
            paragraphs: [
              `Hello ${p.contactName}, replies to a digest are read by a program, and it could not tell which opportunity you meant.`,
              'The surest way is the "I\'m interested" button on the opportunity\'s card in the digest. You can also reply with "interested #2", where 2 is the card\'s place from the top (the first card is #1), one opportunity a reply.',
              'You will not get this note again today, whatever you reply.',
            ],
            details: [],
            action: { label: 'Review your skills and preferences', url: links.preferences(p.id) },
            footerReason: 'You receive this because you replied to a p2p-digest digest.',
          },
        };
      }
    }
  }

  /** One interested partner in the summary: what they offer, never how to reach them. */
  function interestDetails(card: InterestCard, i: number) {
    return [
      { label: `Partner ${i + 1}`, value: card.introduced ? `${card.company} (introduced)` : card.company },
      { label: 'Skills', value: card.skills.join(', ') },
      { label: 'Regions', value: card.regions.join(', ') },
      ...(card.reasons.length ? [{ label: 'Why they fit', value: card.reasons.join(' · ') }] : []),
      ...(card.note ? [{ label: 'Their note', value: card.note }] : []),
    ];
  }

  function opportunityDetails(skillIds: number[], regions: string[], remote: boolean) {
    return [
      { label: 'Skills needed', value: catalogue.labels(skillIds).join(', ') },
      { label: 'Where', value: [...regions.map(regionLabel), ...(remote ? ['remote welcome'] : [])].join(', ') },
    ];
  }

  return {
    async send(job: MailJob, jobId: string): Promise<MailOutcome> {
      const d = await draft(job);
      if (!d) return 'obsolete';
      const suppressed = await suppressionOf(db, d.to);
      // Someone who unsubscribed and now signs up again asked for this one confirmation email.
      if (suppressed && !(suppressed === 'unsubscribe' && job.kind === 'partner-confirm')) {
        deps.log.info({ kind: job.kind }, 'mail not sent: address suppressed');
        return 'suppressed';
      }
      const unsubscribeUrl = links.unsubscribe(d.to);
      const { footerReason, ...view } = d.view;
      const rendered = deps.templates.notice({ ...view, footer: { reason: footerReason, unsubscribeUrl, operator: deps.operator } });
      await deps.mailer.send({
        to: d.to,
        subject: d.view.subject,
        html: rendered.html,
        text: rendered.text,
        // The same job always carries the same Message-ID, so a retry after a lost "250 OK"
        // is recognisable as the same message.
        messageId: `<${job.kind}.${jobId}@${deps.messageIdDomain}>`,
        ...(d.replyTo ? { replyTo: d.replyTo } : {}),
        headers: {
          'List-Unsubscribe': `<${unsubscribeUrl}>`,
          'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
          'Auto-Submitted': 'auto-generated',
          'X-Auto-Response-Suppress': 'All',
          [LOOP_HEADER]: deps.messageIdDomain,
        },
      });
      deps.log.info({ kind: job.kind, jobId }, 'mail sent');
      return 'sent';
    },
  };
}

export type MailService = ReturnType<typeof createMailService>;
