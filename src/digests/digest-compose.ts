/**
 * What a digest says: the cards, the view and subject of a row for its partner, the email with
 * every header a digest carries, and the fingerprint of what that email is made from. Apart from
 * the service (digest.service.ts), which keeps the ledger and the sending: this file reads no
 * database and sends nothing, so what a digest says can be read and changed on its own.
 */
import { createHash } from 'node:crypto';
import type { Links } from '../platform/links/links.ts';
import type { OutgoingMail } from '../platform/mail/mailer.ts';
import { describeMatch, matchReasonsSchema } from '../matching/match-reasons.ts';
import { formatBudget, formatWhere, shorten } from '../opportunities/opportunity-format.ts';
import type { SkillCatalogue } from '../skills/skill-catalogue.ts';
import { periodLabel } from './digest-period.ts';
import type { DigestCard, DigestView } from './digest-view.ts';
import type { DigestRenderer } from './digest-render.ts';
import { LOOP_HEADER } from '../platform/mail/loop-header.ts';
import { formatDayShort } from '../platform/text/dates.ts';
import { shortTitle } from '../platform/text/short-title.ts';
import type { DigestRow } from './digest-ledger.repository.ts';
import type { CardOpportunity, DigestItemContent, Recipient } from './digest-build.repository.ts';

/** What a message is made from besides its row: the parts of the service's deps (DigestServiceDeps) it reads. */
export interface DigestComposerDeps {
  /** Which build of the code composes (src/app/code-version.ts): a message composed by another is rendered again. */
  codeVersion: string;
  catalogue: SkillCatalogue;
  links: Links;
  renderer: DigestRenderer;
  subjectFor: (bestTitle: string, count: number, topics: string[]) => string;
  settings: {
    mailDomain: string;
    unsubscribeMailto: string;
    operator: string;
    replyAddress?: (digestId: string) => string;
  };
}

/** Short names of the designations, for subjects: "for your Azure and Security skills". */
const TOPIC_OF_DESIGNATION: Record<string, string> = {
  'data-ai-azure': 'Azure',
  'digital-app-innovation-azure': 'Azure',
  'infrastructure-azure': 'Azure',
  'business-applications': 'Business Applications',
  'modern-work': 'Modern Work',
  security: 'Security',
};

type CardBase = Omit<DigestCard, 'skills' | 'reasons' | 'interestUrl' | 'notRelevantUrl'> & {
  skills: Array<{ id: number; required: boolean; label: string; topic: string | undefined }>;
};

/** Composes digests: the view of a row for its partner, its email, and the fingerprint of both. */
export function createDigestComposer(deps: DigestComposerDeps) {
  const { catalogue, links, settings } = deps;
  const messageIdOf = (digestId: string) => `<digest.${digestId}@${settings.mailDomain}>`;
  // What every digest's message is rendered with besides its own data (see fingerprintOf): the
  // build of the code, the templates, the skills' names and designations as the cards show them,
  // the settings it quotes, where its links lead (a link without its signed token: a new public
  // URL must not go out in messages composed before it) and how its Reply-To is made.
  const SAMPLE_ID = '00000000-0000-4000-8000-000000000000';
  const linkBase = (link: string) => link.slice(0, link.lastIndexOf('/'));
  const composeVersion = JSON.stringify([
    deps.codeVersion,
    deps.renderer.version,
    catalogueVersion(catalogue),
    settings.operator,
    settings.mailDomain,
    settings.unsubscribeMailto,
    linkBase(links.preferences(SAMPLE_ID)),
    settings.replyAddress?.(SAMPLE_ID) ?? null,
  ]);

  /** What a card shows of an opportunity whoever gets it; worked out once per batch. */
  const cardBases = new WeakMap<CardOpportunity, CardBase>();
  function cardBase(o: CardOpportunity): CardBase {
    let base = cardBases.get(o);
    if (!base) {
      const skill = (id: number, required: boolean) => {
        const found = catalogue.get(id);
        const designation = found?.kind === 'designation' ? found : found?.designationId ? catalogue.get(found.designationId) : undefined;
        return { id, required, label: found?.label ?? `skill ${id}`, topic: designation ? TOPIC_OF_DESIGNATION[designation.slug] : undefined };
      };
      base = {
        title: o.title,
        company: o.anonymous ? null : o.submitterCompany,
        where: formatWhere(o.regions, o.remote),
        budget: formatBudget(o.budgetMin, o.budgetMax, o.currency),
        startDate: o.startDate,
        openUntil: o.expiresAt.toISOString().slice(0, 10),
        summary: shorten(o.description, 320),
        skills: [...o.requiredSkillIds.map((id) => skill(id, true)), ...o.niceSkillIds.map((id) => skill(id, false))],
      };
      cardBases.set(o, base);
    }
    return base;
  }

  function compose(row: DigestRow, partner: Recipient, items: DigestItemContent[]): { view: DigestView; count: number } | undefined {
    if (items.length === 0) return undefined;
    const yours = new Set(partner.skillIds);
    const topicCounts = new Map<string, number>();
    const cards: DigestCard[] = [];
    for (const item of items) {
      const { skills, ...base } = cardBase(item.opportunity);
      for (const { topic } of skills.filter((s) => s.topic && yours.has(s.id))) {
        topicCounts.set(topic!, (topicCounts.get(topic!) ?? 0) + 1);
      }
      const reasons = matchReasonsSchema.safeParse(item.reasons);
      cards.push({
        ...base,
        skills: skills.map((s) => ({ label: s.label, yours: yours.has(s.id), required: s.required })),
        reasons: reasons.success ? describeMatch(reasons.data) : [],
        interestUrl: links.interest(partner.id, item.opportunityId, item.opportunity.expiresAt),
        notRelevantUrl: links.notRelevant(partner.id, item.opportunityId, item.opportunity.expiresAt),
      });
    }
    if (cards.length === 0) return undefined;
    const topics = [...topicCounts.entries()].sort((a, b) => b[1] - a[1]).map(([t]) => t);
    const kind = digestKindOf(row.period);
    const subject = kind === 'alert' ? alertSubject(cards[0]!) : kind === 'daily' ? dailySubject(cards[0]!.title, cards.length) : deps.subjectFor(cards[0]!.title, cards.length, topics);
    return {
      count: cards.length,
      view: {
        subject,
        preheader: cards.slice(0, 2).map((c) => c.title).join(' · '),
        partnerName: partner.contactName,
        company: partner.company,
        periodLabel: kind === 'digest' ? periodLabel(row.period) : kind === 'alert' ? 'Urgent opportunity' : `Urgent work, ${formatDay(row.period.slice(6))}`,
        ...(kind === 'alert' ? { headline: cards[0]!.startDate ? `Starts ${formatDay(cards[0]!.startDate)}` : 'Urgent' } : {}),
        ...(kind === 'daily' ? { headline: `${cards.length} urgent ${cards.length === 1 ? 'opportunity' : 'opportunities'}` } : {}),
        ...(kind === 'alert'
          ? { lead: `another partner needs help soon with this opportunity, and it matches the skills ${partner.company} listed. It comes on its own because you asked for urgent work as it comes.` }
          : {}),
        ...(kind === 'daily'
          ? { lead: `these opportunities need help soon, and they match the skills ${partner.company} listed. They come in one summary a day because you asked for urgent work that way.` }
          : {}),
        cards,
        footer: {
          reason:
            kind === 'digest'
              ? `You receive this digest because ${partner.company} joined p2p-digest with ${partner.email}. It holds only opportunities that match your skills and regions.`
              : `You receive this ${kind === 'alert' ? 'alert' : 'daily summary'} because ${partner.company} joined p2p-digest with ${partner.email} and asked for urgent work ${kind === 'alert' ? 'as it comes' : 'in a daily summary'} (change it in your preferences). It holds only urgent opportunities that match your skills and regions.`,
          preferencesUrl: links.preferences(partner.id),
          unsubscribeUrl: links.unsubscribe(partner.email),
          operator: settings.operator,
        },
      },
    };
  }

  /** The email of a composed digest: rendered, with the headers every digest carries. */
  function mailOf(row: DigestRow, partner: Recipient, composed: { view: DigestView }): OutgoingMail & { messageId: string } {
    const rendered = deps.renderer.render(composed.view);
    const unsubscribeUrl = composed.view.footer.unsubscribeUrl;
    return {
      to: partner.email,
      subject: composed.view.subject,
      html: rendered.html,
      text: rendered.text,
      messageId: row.messageId ?? messageIdOf(row.id),
      ...(settings.replyAddress ? { replyTo: settings.replyAddress(row.id) } : {}),
      headers: {
        'List-Unsubscribe': `<${unsubscribeUrl}>, <mailto:${settings.unsubscribeMailto}?subject=unsubscribe>`,
        'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
        'List-Id': `p2p-digest opportunities <opportunities.${settings.mailDomain}>`,
        'Auto-Submitted': 'auto-generated',
        'X-Auto-Response-Suppress': 'All',
        [LOOP_HEADER]: settings.mailDomain,
      },
    };
  }

  /**
   * What a digest's message is made from, as one hash: the templates and settings it is rendered
   * with, the row, the partner (address, names, skills) and every card's content (the opportunity
   * as stored, hashed by Postgres as it was loaded; the match's reasons). Equal at the send
   * moment: the message composed ahead is still the one to send. Anything else (an edited
   * opportunity, a closed one, a changed address) renders it again.
   */
  function fingerprintOf(row: DigestRow, partner: Recipient, items: readonly DigestItemContent[]): string {
    const skills = [...partner.skillIds].sort((a, b) => a - b);
    const cards = items.map((i) => [i.opportunityId, i.score, i.reasons, i.opportunityHash]);
    const inputs = [row.id, row.period, row.messageId ?? messageIdOf(row.id), partner.id, partner.email, partner.contactName, partner.company, skills, cards];
    return createHash('sha256').update(composeVersion).update(JSON.stringify(inputs)).digest('base64url');
  }

  return { compose, mailOf, fingerprintOf, messageIdOf };
}

/** The skills as cards name them (label, designation and its slug, which picks the subject's topic), as one hash. */
function catalogueVersion(catalogue: SkillCatalogue): string {
  const shown = catalogue.skills.map((s) => [s.id, s.label, s.kind, s.slug, s.designationId]);
  return createHash('sha256').update(JSON.stringify(shown)).digest('base64url');
}

/** Which kind of ledger row a period key names: `alert:<opportunity id>`, `daily:<local date>`, or a digest period. */
export function digestKindOf(period: string): 'digest' | 'alert' | 'daily' {
  return period.startsWith('alert:') ? 'alert' : period.startsWith('daily:') ? 'daily' : 'digest';
}

/** "2027-01-14" → "14 Jan" (the shared format, src/platform/text/dates.ts, without the year). */
const formatDay = formatDayShort;

/** "Urgent: SAP integration for a retailer — starts 14 Jan" (no start date: no dash). */
export function alertSubject(card: { title: string; startDate: string | null }): string {
  const title = shortTitle(card.title, 90);
  return card.startDate ? `Urgent: ${title} — starts ${formatDay(card.startDate)}` : `Urgent: ${title}`;
}

/** The best card named, as the digest's subject does: "Urgent today: AKS upgrade before a retail peak + 1 more". */
export function dailySubject(bestTitle: string, count: number): string {
  const title = shortTitle(bestTitle);
  if (!title) return `${count} urgent ${count === 1 ? 'opportunity' : 'opportunities'} today`;
  return `Urgent today: ${title}${count > 1 ? ` + ${count - 1} more` : ''}`;
}
