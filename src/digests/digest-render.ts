import { createHash } from 'node:crypto';
import { compileEmailTemplate, emailEta, safeUrl, type CompiledEmailTemplate } from '../platform/mail/mail-templates.ts';
import { formatDay } from '../platform/text/dates.ts';
import { shortTitle } from '../platform/text/short-title.ts';
import type { DigestCard, DigestView, RenderedDigest } from './digest-view.ts';
import { TEXT_WIDTH, wrapWords } from '../platform/text/wrap-words.ts';

/**
 * The digest email: `templates/email/digest.mjml` (with its partials) is compiled to HTML once per
 * process, as the other emails are; each recipient's copy is then filled by Eta, which escapes
 * every value. Only http(s) links reach the HTML or the text part (`safeUrl`).
 */
export interface DigestRenderer {
  render(view: DigestView): RenderedDigest;
  /** Names the templates it renders with: a message composed ahead with others is rendered again. */
  readonly version: string;
}

/**
 * Compiles the digest template (tens of milliseconds); the renderer it returns is cheap per copy.
 * `slim: false` renders MJML's output as it is, inline styles everywhere (the screenshot test's
 * reference; see src/platform/mail/email-html.ts). `compiled`: the template compiled already
 * (the container compiles every template in one go).
 */
export async function loadDigestRenderer(options: { slim?: boolean; compiled?: CompiledEmailTemplate } = {}): Promise<DigestRenderer> {
  const template = options.compiled ?? (await compileEmailTemplate('digest.mjml', options));
  return {
    // The compiled template's source holds every byte of markup it writes, and this file's code the text part's layout.
    version: createHash('sha256').update(template.toString()).update(digestText.toString()).update(cardText.toString()).digest('base64url'),
    render(view) {
      return { html: emailEta.render(template, prepare(safeView(view))), text: digestText(view) };
    },
  };
}

/** The view with every URL through `safeUrl`: anything but http(s) becomes '#'. */
function safeView(view: DigestView): DigestView {
  return {
    ...view,
    cards: view.cards.map((card) => ({
      ...card,
      interestUrl: safeUrl(card.interestUrl),
      notRelevantUrl: safeUrl(card.notRelevantUrl),
    })),
    footer: {
      ...view.footer,
      preferencesUrl: safeUrl(view.footer.preferencesUrl),
      unsubscribeUrl: safeUrl(view.footer.unsubscribeUrl),
    },
  };
}

/** What the template reads besides the view: values derived here so the template holds no logic. */
function prepare(view: DigestView) {
  return {
    ...view,
    headline: view.headline ?? `${view.cards.length} new ${plural(view.cards.length)}`,
    lead: view.lead ?? `other partners submitted these opportunities and they match the skills ${view.company} listed.`,
    cards: view.cards.map((card) => ({
      ...card,
      subtitle: card.company,
      reasonsHeading: "WHY YOU'RE SEEING THIS",
      startLabel: card.startDate === null ? null : formatDate(card.startDate),
      openUntilLabel: card.openUntil === null ? null : formatDate(card.openUntil),
      requiredSkills: card.skills.filter((s) => s.required),
      niceSkills: card.skills.filter((s) => !s.required),
    })),
  };
}

const plural = (count: number) => (count === 1 ? 'opportunity' : 'opportunities');

const topicList = (topics: string[]) => [...new Set(topics.map((t) => t.trim()).filter(Boolean))].slice(0, 2);

/**
 * The subject names the best card (cards come best first): "Azure landing zone for a Linz
 * logistics firm + 3 more for your Azure skills"; one card: "<title> for your Azure skills". At
 * most two topics; none known: "… + 2 more that fit your skills". Without a title (never in
 * practice): "4 new opportunities for your Azure and Security skills".
 */
export function digestSubject(bestTitle: string, count: number, topics: string[]): string {
  const named = topicList(topics);
  const title = shortTitle(bestTitle);
  const more = count > 1 ? ` + ${count - 1} more` : '';
  if (!title) {
    if (!named.length) return `${count} new ${plural(count)} that ${count === 1 ? 'fits' : 'fit'} your skills`;
    return `${count} new ${plural(count)} for your ${named.join(' and ')} skills`;
  }
  if (!named.length) return `${title}${more} that ${count === 1 ? 'fits' : 'fit'} your skills`;
  return `${title}${more} for your ${named.join(' and ')} skills`;
}

/** "2026-12-22" → "22 Dec 2026": the one format for people (src/platform/text/dates.ts). */
const formatDate = formatDay;

const wrap = (text: string, first: string, rest: string): string[] => wrapWords(text, first, rest);

/**
 * One card: its numbered title (a long one wrapped under itself: `numberWidth` keeps "9." and
 * "10." aligned), then the rest at the left margin. Indenting the rest under the title as well
 * cost 1.1 KB in a 10-card digest (issue 14: a 10-card digest within 60 KB), and the numbered
 * titles and the blank lines around each card's parts keep the cards apart.
 */
function cardText(card: DigestCard, index: number, numberWidth: number): string[] {
  const number = `${index + 1}.`.padEnd(numberWidth);
  const lines = wrap(card.title, number, ' '.repeat(numberWidth));
  const pad = '';
  if (card.company) lines.push(...wrap(card.company, pad, pad));
  lines.push('');
  const details: Array<[string, string]> = [['Where', card.where]];
  if (card.budget) details.push(['Budget', card.budget]);
  if (card.startDate) details.push(['Start', formatDate(card.startDate)]);
  if (card.openUntil) details.push(['Open until', formatDate(card.openUntil)]);
  const skill = (s: DigestCard['skills'][number]) => (s.yours ? `${s.label}*` : s.label);
  const required = card.skills.filter((s) => s.required).map(skill);
  const nice = card.skills.filter((s) => !s.required).map(skill);
  if (required.length) details.push(['Skills', required.join(', ')]);
  if (nice.length) details.push(['Nice to have', nice.join(', ')]);
  const width = Math.max(...details.map(([label]) => label.length)) + 2;
  for (const [label, value] of details) {
    lines.push(...wrap(value, `${pad}${`${label}:`.padEnd(width)}`, `${pad}${' '.repeat(width)}`));
  }
  lines.push('', ...wrap(card.summary, pad, pad));
  if (card.reasons.length) {
    lines.push('', `${pad}Why you're seeing this:`);
    for (const reason of card.reasons) lines.push(...wrap(reason, `${pad}- `, `${pad}  `));
  }
  lines.push('', `${pad}I'm interested:`, `${pad}${safeUrl(card.interestUrl)}`);
  lines.push(`${pad}Not relevant:`, `${pad}${safeUrl(card.notRelevantUrl)}`, '');
  return lines;
}

/** The plain-text part: the same digest, laid out for a terminal (72 columns, http(s) URLs written out). */
export function digestText(view: DigestView): string {
  const count = view.cards.length;
  const heading = view.headline
    ? `${view.periodLabel}: ${view.headline} · for ${view.company}`
    : `${count} new ${plural(count)} for ${view.company} · ${view.periodLabel}`;
  const lines = [`Hi ${view.partnerName},`, '', ...wrap(heading, '', '')];
  lines.push('='.repeat(Math.min(heading.length, TEXT_WIDTH)), '');
  const lead = view.lead
    ? `${view.lead.replace(/^./, (c) => c.toUpperCase())} Your skills are marked with *. Open the "I'm interested" link if it fits: you confirm on that page, and we let the partner who submitted it know.`
    : 'Other partners submitted these opportunities and they match your skills (marked with *). Open the "I\'m interested" link of any that fit: you confirm on that page, and we let the partner who submitted it know.';
  lines.push(...wrap(lead, '', ''), '');
  const numberWidth = `${count}. `.length;
  view.cards.forEach((card, i) => lines.push(...cardText(card, i, numberWidth)));
  lines.push(
    '--',
    ...wrap(view.footer.reason, '', ''),
    `Preferences: ${safeUrl(view.footer.preferencesUrl)}`,
    `Unsubscribe: ${safeUrl(view.footer.unsubscribeUrl)}`,
    view.footer.operator,
    '',
  );
  return lines.join('\n');
}
