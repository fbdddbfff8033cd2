import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Eta } from 'eta';
import { slimEmailHtml } from './email-html.ts';
import { wrapWords } from '../text/wrap-words.ts';

/**
 * Email templates: MJML in `templates/email/`, compiled to HTML once per process (MJML takes tens
 * of milliseconds a render), then filled per recipient by Eta, which escapes every value. The
 * templates use `{{ }}` tags because MJML leaves them alone.
 */
const TEMPLATE_DIR = fileURLToPath(new URL('../../../templates/email/', import.meta.url));

/**
 * A card in a notice, drawn with the digest card's parts (partials/notice-card.mjml): a heading,
 * a small facts table, skill chips ("✓" on the ones that are `yours`), a reasons box and a note.
 */
export interface NoticeCard {
  title: string;
  subtitle?: string | null;
  facts: Array<{ label: string; value: string }>;
  skills: Array<{ label: string; yours: boolean }>;
  /** Over the reasons box, e.g. "Why they fit" (shown in capitals). */
  reasonsHeading: string;
  reasons: string[];
  /** The person's own words, shown as a quote under `noteLabel`; empty: no note. */
  note?: string;
  noteLabel?: string;
  /** A link of the card's own under it (in the text part too), e.g. "Choose Kubeworks" to its pick on the status page. */
  link?: { label: string; url: string } | null;
}

export interface NoticeView {
  subject: string;
  preheader: string;
  heading: string;
  paragraphs: string[];
  details: Array<{ label: string; value: string }>;
  action: { label: string; url: string } | null;
  /** Several answers to one question, each a button of its own (after `action`, if any). */
  choices?: Array<{ label: string; url: string }>;
  /** One card each (after the button; the button comes once more after the last card). */
  cards?: NoticeCard[];
  /** What the green chip means, under the paragraphs: { chip: '✓ Asked for', text: 'marks …', plain: the text part's words }. */
  legend?: { chip: string; text: string; plain: string } | null;
  footer: { reason: string; unsubscribeUrl: string; operator: string };
}

export interface RenderedMail {
  html: string;
  text: string;
}

export interface MailTemplates {
  notice(view: NoticeView): RenderedMail;
}

const HTML_SPECIAL: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Every character outside ASCII as a numeric reference: "Zürich – 5 €" → "Z&#252;rich &#8211; 5
 * &#8364;". The result is re-read as Latin-1 because V8 keeps the result of replacing in a
 * two-byte string two bytes a character, even when nothing but ASCII is left.
 */
export function asciiHtml(text: string): string {
  if (!/[\u0080-\u{10ffff}]/u.test(text)) return text;
  return Buffer.from(text.replace(/[\u0080-\u{10ffff}]/gu, (ch) => `&#${ch.codePointAt(0)!};`), 'latin1').toString('latin1');
}

/**
 * Escapes a value for HTML, and writes any character outside ASCII as a numeric reference.
 * Why the latter: one "–" or "’" in one value makes the whole ~70 KB of a filled template a
 * two-byte string, which V8 then flattens and encodes about ten times slower (it was the largest
 * single cost of sending a digest). Every mail client reads numeric references; the text is the same.
 */
export function escapeEmailHtml(value: unknown): string {
  const text = String(value);
  return asciiHtml(/[&<>"']/.test(text) ? text.replace(/[&<>"']/g, (ch) => HTML_SPECIAL[ch]!) : text);
}

/** Eta with `{{ }}` tags (MJML leaves them alone) and escaping of every value. */
export const emailEta = new Eta({
  autoEscape: true,
  autoTrim: false,
  tags: ['{{', '}}'],
  useWith: false,
  varName: 'it',
  escapeFunction: escapeEmailHtml,
});

/** The template's own text outside ASCII as numeric references too; the code in `{{ }}` tags is left alone. */
const asciiTemplate = (html: string) =>
  html
    .split(/(\{\{[\s\S]*?\}\})/)
    .map((part, i) => (i % 2 ? part : asciiHtml(part)))
    .join('');

/** MJML's HTML for each file, from a child process that exits after (mjml-worker.ts: MJML's memory goes with it). */
async function runMjml(files: string[]): Promise<string[]> {
  const child = fork(fileURLToPath(new URL('./mjml-worker.ts', import.meta.url)), [TEMPLATE_DIR, ...files], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    // Not the parent's --inspect or test-runner flags: a plain Node that strips the types.
    execArgv: [],
  });
  const results = await new Promise<Array<{ file: string; html: string; errors: string[] }>>((resolve, reject) => {
    child.once('message', (message) => resolve(message as Array<{ file: string; html: string; errors: string[] }>));
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the MJML compiler process exited (code ${code}) before answering`)));
  });
  return results.map(({ file, html, errors }) => {
    if (errors.length) throw new Error(`templates/email/${file}: ${errors.join('; ')}`);
    // A denied or unreadable include is not an error to MJML: it leaves a comment in the output.
    if (html.includes('mj-include')) throw new Error(`templates/email/${file}: an <mj-include> was not resolved`);
    return html;
  });
}

export type CompiledEmailTemplate = ReturnType<typeof emailEta.compile>;

/**
 * Compiles MJML templates (with their `partials/`) to Eta template functions, once per process:
 * MJML takes tens of milliseconds a render, filling the compiled template a fraction of one.
 * Several files at once share one compiler process (about a second to load MJML).
 */
export async function compileEmailTemplates(files: string[], options: { slim?: boolean } = {}): Promise<CompiledEmailTemplate[]> {
  return (await runMjml(files)).map((html) => {
    // MJML indents deeply: a quarter of a digest's bytes, meaning nothing in HTML. Size matters:
    // Gmail clips HTML past 102 KB, and the clipped tail holds the footer with the unsubscribe link.
    // Then repeated inline styles become classes (email-html.ts); `slim: false` keeps MJML's own
    // output, which the screenshot test compares against.
    const indented = html.replace(/\n\s+/g, '\n');
    // CRLF line ends, as the message goes on the wire: the mailer then sends the filled copy as it is.
    const crlf = (template: string) => template.replace(/\r?\n/g, '\r\n');
    return emailEta.compile(crlf(asciiTemplate(options.slim === false ? indented : slimEmailHtml(indented))));
  });
}

/** One template (see compileEmailTemplates). */
export async function compileEmailTemplate(file: string, options: { slim?: boolean } = {}): Promise<CompiledEmailTemplate> {
  return (await compileEmailTemplates([file], options))[0]!;
}

/** Only http(s) links ever reach an email; anything else becomes inert text. */
export function safeUrl(url: string): string {
  return /^https?:\/\//i.test(url) ? url : '#';
}

/** The notice template; `compiled` when the caller compiled it already (with others, in one go). */
export async function loadMailTemplates(compiled?: CompiledEmailTemplate): Promise<MailTemplates> {
  const notice = compiled ?? (await compileEmailTemplate('notice.mjml'));
  return {
    notice(view) {
      const safe = {
        ...view,
        action: view.action && { ...view.action, url: safeUrl(view.action.url) },
        choices: (view.choices ?? []).map((c) => ({ ...c, url: safeUrl(c.url) })),
        cards: view.cards ?? [],
        legend: view.legend ?? null,
      };
      // What the card partials read besides the card (they are the digest card's: skills as chips, reasons in capitals).
      const cards = safe.cards.map((card) => ({
        ...card,
        subtitle: card.subtitle ?? null,
        requiredSkills: card.skills,
        niceSkills: [],
        reasonsHeading: card.reasonsHeading.toUpperCase(),
        note: card.note?.trim() ?? '',
        noteLabel: (card.noteLabel ?? 'Note').toUpperCase(),
        link: card.link ? { ...card.link, url: safeUrl(card.link.url) } : null,
      }));
      return { html: emailEta.render(notice, { ...safe, cards }), text: noticeText(safe) };
    },
  };
}

/** Words wrapped to 72 columns; runs are split at spaces and tabs only. */
const wrapText = (text: string, first: string, rest: string): string[] => wrapWords(text, first, rest, /[ \t]+/);

/** A notice card in the text part: numbered, then indented under its title, as the digest's cards are. */
function noticeCardText(card: NoticeCard, index: number, numberWidth: number): string[] {
  const pad = ' '.repeat(numberWidth);
  const lines = wrapText(card.title, `${index + 1}.`.padEnd(numberWidth), pad);
  if (card.subtitle) lines.push(...wrapText(card.subtitle, pad, pad));
  lines.push('');
  const facts: Array<[string, string]> = [];
  if (card.skills.length) facts.push(['Skills', card.skills.map((s) => (s.yours ? `✓ ${s.label}` : s.label)).join(', ')]);
  for (const f of card.facts) facts.push([f.label, f.value]);
  const width = Math.max(0, ...facts.map(([label]) => label.length)) + 2;
  for (const [label, value] of facts) lines.push(...wrapText(value, `${pad}${`${label}:`.padEnd(width)}`, `${pad}${' '.repeat(width)}`));
  if (card.reasons.length) {
    lines.push('', `${pad}${card.reasonsHeading}:`);
    for (const reason of card.reasons) lines.push(...wrapText(reason, `${pad}- `, `${pad}  `));
  }
  const note = card.note?.trim();
  if (note) {
    lines.push('', `${pad}${card.noteLabel ?? 'Note'}:`);
    // Their words as they wrote them: quoted line by line, not re-wrapped.
    for (const line of note.split(/\r?\n/)) lines.push(`${pad}> ${line.trimEnd()}`);
  }
  if (card.link) lines.push('', ...wrapText(`${card.link.label}:`, pad, pad), `${pad}${card.link.url}`);
  lines.push('');
  return lines;
}

/** The plain-text part: the same content, laid out for a terminal. */
export function noticeText(view: NoticeView): string {
  const lines = [view.heading, '='.repeat(Math.min(view.heading.length, 72)), ''];
  for (const p of view.paragraphs) lines.push(p, '');
  if (view.legend) lines.push(...wrapText(view.legend.plain, '', ''), '');
  if (view.details.length) {
    const width = Math.max(...view.details.map((d) => d.label.length));
    for (const d of view.details) lines.push(`${d.label.padEnd(width)}  ${d.value}`);
    lines.push('');
  }
  if (view.action) lines.push(`${view.action.label}:`, view.action.url, '');
  for (const choice of view.choices ?? []) lines.push(`${choice.label}:`, choice.url, '');
  const cards = view.cards ?? [];
  if (cards.length) {
    const numberWidth = `${cards.length}. `.length;
    cards.forEach((card, i) => lines.push(...noticeCardText(card, i, numberWidth)));
    if (view.action) lines.push(`${view.action.label}:`, view.action.url, '');
  }
  lines.push('--', view.footer.reason, `Unsubscribe: ${view.footer.unsubscribeUrl}`, view.footer.operator, '');
  return lines.join('\n');
}
