import { simpleParser } from 'mailparser';
import type { Database } from '../platform/db/database.ts';
import type { Links } from '../platform/links/links.ts';
import { formatBudget, formatWhere, shorten } from '../opportunities/opportunity-format.ts';
import { findOpportunityById } from '../opportunities/opportunity.repository.ts';
import type { SkillCatalogue } from '../skills/skill-catalogue.ts';
import { findInboundById } from './inbound.repository.ts';
import { understand, type MissingField } from './understanding/understand.ts';

const MISSING_TEXT: Record<MissingField, string> = {
  title: 'a title (the subject was empty or too short)',
  description: 'a description of the work',
  requiredSkills: 'the skills the work needs',
  regions: 'where the work is, or whether remote work is fine',
};

/**
 * "Here is what we understood": the acknowledgement of an opportunity sent by email. Rendered when
 * the job runs, from the stored message and the opportunity as they are then; the message is read
 * again for its attachments' names and what was missing (nothing of it is rendered but plain text).
 */
export async function acknowledgementDraft(deps: { db: Database; links: Links; catalogue: SkillCatalogue }, inboundId: string) {
  const inbound = await findInboundById(deps.db, inboundId);
  if (!inbound?.opportunityId) return undefined;
  const o = await findOpportunityById(deps.db, inbound.opportunityId);
  if (!o || !['pending_verification', 'pending_review', 'published'].includes(o.status)) return undefined;
  const u = understand(await simpleParser(inbound.raw), deps.catalogue, { now: new Date() });
  const draft = o.status === 'pending_verification';
  const title = o.title || 'your email';
  const where = draft && u.missing.includes('regions') ? null : formatWhere(o.regions, o.remote);
  const details = [
    { label: 'Title', value: o.title || '(none)' },
    { label: 'Skills needed', value: deps.catalogue.labels(o.requiredSkillIds).join(', ') || '(none recognised)' },
    { label: 'Where', value: where ?? '(not stated)' },
    { label: 'Budget', value: formatBudget(o.budgetMin, o.budgetMax, o.currency) ?? '(not stated)' },
    { label: 'Start', value: o.startDate ?? '(not stated)' },
    { label: 'Description', value: o.description ? shorten(o.description, 400) : '(none)' },
    ...(u.attachments.length ? [{ label: 'Attachments', value: u.attachments.map((a) => a.filename).join(', ') }] : []),
  ];
  const state = draft
    ? 'Nothing is published yet. Please check what we read, correct what we got wrong, and publish it on the page behind the button.'
    : o.status === 'pending_review'
      ? 'It is waiting for a quick review by our team; then partners with the skills hear of it in their next digest.'
      : 'It is published: partners with the skills hear of it in their next digest. The status page shows it, and you can withdraw it there.';
  return {
    to: o.submitterEmail,
    view: {
      subject: `Here is what we understood: ${title}`,
      preheader: draft ? 'Check it, correct it, publish it.' : 'See it, or withdraw it, on its status page.',
      heading: 'Here is what we understood',
      paragraphs: [
        `Hello ${o.submitterName}, thank you for sending us "${title}". This is what we read from your email.`,
        state,
        ...(draft && u.missing.length ? [`We could not find ${u.missing.map((m) => MISSING_TEXT[m]).join('; ')}.`] : []),
        ...(u.attachments.length ? ['Attachments are listed, never opened or passed on: put what partners need to know in the description.'] : []),
      ],
      details,
      action: draft
        ? { label: 'Check and publish', url: deps.links.emailDraft(o.id) }
        : { label: 'See the status', url: deps.links.opportunityStatus(o.id, o.expiresAt) },
      footerReason: 'You receive this because you sent an opportunity to p2p-digest by email.',
    },
  };
}
