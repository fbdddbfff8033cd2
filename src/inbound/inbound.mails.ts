import { z } from 'zod';
import type { Database } from '../platform/db/database.ts';
import type { Links } from '../platform/links/links.ts';
import type { MailKinds } from '../platform/mail/mail-kinds.ts';
import { describeReach } from '../matching/match.service.ts';
import { formatBudget, formatWhere, shorten } from '../opportunities/opportunity-format.ts';
import { isOpen } from '../opportunities/opportunity.schemas.ts';
import type { OpportunityService } from '../opportunities/opportunity.service.ts';
import type { PartnerService } from '../partners/partner.service.ts';
import type { SkillCatalogue } from '../skills/skill-catalogue.ts';
import { findInboundById } from './inbound.repository.ts';
import type { MissingField } from './understanding/understand.ts';
import { formatDay } from '../platform/text/dates.ts';

/** Attachment names an acknowledgement lists; more are counted ("and 3 more"). */
export const ACKNOWLEDGED_ATTACHMENTS_MAX = 20;

/** The email intake's answers: what we understood of an emailed opportunity, and help with a digest reply. */
export const inboundMailJob = z.discriminatedUnion('kind', [
  /**
   * To the sender of an email opportunity: "Here is what we understood", with a link to correct or
   * see it. What it says of the mail itself (missing fields, attachment names) comes from processing,
   * which understood the mail once: the stored message never changes, so reading it again here
   * would only repeat the work (twice the time a hostile mail holds the event loop). Jobs queued
   * before these fields existed have neither, and say nothing of missing fields or attachments.
   */
  z.object({
    kind: z.literal('email-acknowledgement'),
    inboundId: z.uuid(),
    missing: z.array(z.enum(['title', 'description', 'requiredSkills', 'regions'])).optional(),
    attachments: z.array(z.string().max(200)).max(ACKNOWLEDGED_ATTACHMENTS_MAX).optional(),
    moreAttachments: z.number().int().min(0).optional(),
    /** A numeric start date that reads two ways (04/05/2027): the reading taken and the other, to ask which was meant. */
    startDateAmbiguous: z.object({ written: z.string().max(10), asRead: z.iso.date(), other: z.iso.date() }).optional(),
    /** The mail asked for urgent handling, but its start date is not within this many days (URGENT_WINDOW_DAYS): ignored, and said so. */
    urgentIgnored: z.number().int().min(1).max(365).optional(),
  }),
  /** To a partner whose reply to a digest we could not read: one short answer pointing at the buttons. */
  z.object({ kind: z.literal('digest-reply-help'), partnerId: z.uuid() }),
]);

export type InboundMailJob = z.infer<typeof inboundMailJob>;

export interface InboundMailsDeps {
  /** The stored message is the intake's own table, read as its jobs read it. */
  db: Database;
  opportunities: Pick<OpportunityService, 'findById'>;
  partners: Pick<PartnerService, 'findById'>;
  catalogue: SkillCatalogue;
  links: Pick<Links, 'emailDraft' | 'opportunityStatus' | 'preferences'>;
}

const MISSING_TEXT: Record<MissingField, string> = {
  title: 'a title (the subject was empty or too short)',
  description: 'a description of the work',
  requiredSkills: 'the skills the work needs',
  regions: 'where the work is, or whether remote work is fine',
};

/** "2027-05-04" → "4 May 2027": a date no reader can take the wrong way round. */
/** "2027-05-04" → "4 May 2027": the one format for people (src/platform/text/dates.ts). */
const longDate = (iso: string) => formatDay(iso);

/** The question for a start date that reads two ways, answered on the draft page behind the button. */
function ambiguousDateQuestion(d: { written: string; asRead: string; other: string }): string {
  return `We read the start date ${d.written} as ${longDate(d.asRead)}. If you meant ${longDate(d.other)}, correct it on the page behind the button before you publish.`;
}

/** Labels joined for reading; with a comma inside a label ("Networking (LAN/WAN, SD-WAN…)"), by semicolons. */
const listed = (labels: string[]) => labels.join(labels.some((l) => l.includes(',')) ? '; ' : ', ');

export function createInboundMails({ db, opportunities, partners, catalogue, links }: InboundMailsDeps): MailKinds<InboundMailJob> {
  return {
    'email-acknowledgement': {
      /**
       * Rendered when the job runs, from the stored message and the opportunity as they are then;
       * the message is read again for its attachments' names and what was missing (nothing of it
       * is rendered but plain text).
       */
      async draft(job) {
        const inbound = await findInboundById(db, job.inboundId);
        if (!inbound?.opportunityId) return undefined;
        const o = await opportunities.findById(inbound.opportunityId);
        if (!o || !isOpen(o.status)) return undefined;
        const missing = job.missing ?? [];
        const attachments = [...(job.attachments ?? []), ...(job.moreAttachments ? [`and ${job.moreAttachments} more`] : [])];
        const draft = o.status === 'pending_verification';
        const title = o.title || 'your email';
        const where = draft && missing.includes('regions') ? null : formatWhere(o.regions, o.remote);
        const details = [
          { label: 'Title', value: o.title || '(none)' },
          { label: 'Skills needed', value: listed(catalogue.labels(o.requiredSkillIds)) || '(none recognised)' },
          ...(o.niceSkillIds.length ? [{ label: 'Nice to have', value: listed(catalogue.labels(o.niceSkillIds)) }] : []),
          { label: 'Where', value: where ?? '(not stated)' },
          { label: 'Budget', value: formatBudget(o.budgetMin, o.budgetMax, o.currency) ?? '(not stated)' },
          { label: 'Start', value: o.startDate ?? '(not stated)' },
          { label: 'Description', value: o.description ? shorten(o.description, 400) : '(none)' },
          ...(attachments.length ? [{ label: 'Attachments', value: attachments.join(', ') }] : []),
        ];
        const state = draft
          ? 'Nothing is published yet. Please check what we read, correct what we got wrong, and publish it on the page behind the button.'
          : o.status === 'pending_review'
            ? 'It is waiting for a quick review by our team; then partners with the skills hear of it in their next digest.'
            : 'It is published: partners with the skills hear of it in their next digest. The status page shows it, and you can withdraw it there.';
        // A draft can still change: say whom it would reach as read, and what would reach more.
        const reach = draft ? await describeReach(db, o) : undefined;
        return {
          to: o.submitterEmail,
          view: {
            subject: `Here is what we understood: ${title}`,
            preheader: draft ? 'Check it, correct it, publish it.' : 'See it, or withdraw it, on its status page.',
            heading: 'Here is what we understood',
            paragraphs: [
              `Hello ${o.submitterName}, thank you for sending us "${title}". This is what we read from your email.`,
              state,
              ...(draft && missing.length ? [`We could not find ${missing.map((m) => MISSING_TEXT[m]).join('; ')}.`] : []),
              ...(draft && job.startDateAmbiguous ? [ambiguousDateQuestion(job.startDateAmbiguous)] : []),
              ...(o.urgent ? ['Marked urgent: partners who asked for urgent work get an alert within minutes of publishing; the others find it in their next digest.'] : []),
              ...(job.urgentIgnored
                ? [
                    `You asked for urgent handling. We are sorry, but urgent needs a start date within ${job.urgentIgnored} days, and ${o.startDate ? `this one starts on ${longDate(o.startDate)}` : 'we found no start date'}: it goes out like any other opportunity, with the partners' digests.`,
                  ]
                : []),
              ...(reach ? [`Who would hear of it: ${reach}`] : []),
              ...(attachments.length ? ['Attachments are listed, never opened or passed on: put what partners need to know in the description.'] : []),
            ],
            details,
            action: draft
              ? { label: 'Check and publish', url: links.emailDraft(o.id) }
              : { label: 'See the status', url: links.opportunityStatus(o.id, o.expiresAt) },
            footerReason: 'You receive this because you sent an opportunity to p2p-digest by email.',
          },
        };
      },
    },
    'digest-reply-help': {
      async draft(job) {
        const p = await partners.findById(job.partnerId);
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
      },
    },
  };
}
