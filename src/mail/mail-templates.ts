import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Eta } from 'eta';
import mjml2html from 'mjml';

/**
 * Email templates: MJML in `templates/email/`, compiled to HTML once per process (MJML takes tens
 * of milliseconds a render), then filled per recipient by Eta, which escapes every value. The
 * templates use `{{ }}` tags because MJML leaves them alone.
 */
const TEMPLATE_DIR = fileURLToPath(new URL('../../templates/email/', import.meta.url));

export interface NoticeView {
  subject: string;
  preheader: string;
  heading: string;
  paragraphs: string[];
  details: Array<{ label: string; value: string }>;
  action: { label: string; url: string } | null;
  footer: { reason: string; unsubscribeUrl: string; operator: string };
}

export interface RenderedMail {
  html: string;
  text: string;
}

export interface MailTemplates {
  notice(view: NoticeView): RenderedMail;
}

/** Eta with `{{ }}` tags (MJML leaves them alone) and escaping of every value. */
export const emailEta = new Eta({ autoEscape: true, autoTrim: false, tags: ['{{', '}}'], useWith: false, varName: 'it' });

/**
 * Compiles one MJML template (with its `partials/`) to an Eta template function, once per
 * process: MJML takes tens of milliseconds a render, filling the compiled template a fraction
 * of one.
 */
export async function compileEmailTemplate(file: string) {
  const source = await readFile(`${TEMPLATE_DIR}${file}`, 'utf8');
  const { html, errors } = await mjml2html(source, {
    validationLevel: 'strict',
    filePath: TEMPLATE_DIR,
    // The partials are ours; includes may not leave templates/email/ (MJML's own rule).
    ignoreIncludes: false,
    // Template comments document the partials; recipients need not download them.
    keepComments: false,
  });
  if (errors.length) {
    throw new Error(`templates/email/${file}: ${errors.map((e) => e.formattedMessage).join('; ')}`);
  }
  // A denied or unreadable include is not an error to MJML: it leaves a comment in the output.
  if (html.includes('mj-include')) throw new Error(`templates/email/${file}: an <mj-include> was not resolved`);
  // MJML indents deeply: a quarter of a digest's bytes, meaning nothing in HTML. Size matters:
  // Gmail clips HTML past 102 KB, and the clipped tail holds the footer with the unsubscribe link.
  return emailEta.compile(html.replace(/\n\s+/g, '\n'));
}

/** Only http(s) links ever reach an email; anything else becomes inert text. */
export function safeUrl(url: string): string {
  return /^https?:\/\//i.test(url) ? url : '#';
}

export async function loadMailTemplates(): Promise<MailTemplates> {
  const notice = await compileEmailTemplate('notice.mjml');
  return {
    notice(view) {
      const safe = { ...view, action: view.action && { ...view.action, url: safeUrl(view.action.url) } };
      return { html: emailEta.render(notice, safe), text: noticeText(safe) };
    },
  };
}

/** The plain-text part: the same content, laid out for a terminal. */
export function noticeText(view: NoticeView): string {
  const lines = [view.heading, '='.repeat(Math.min(view.heading.length, 72)), ''];
  for (const p of view.paragraphs) lines.push(p, '');
  if (view.details.length) {
    const width = Math.max(...view.details.map((d) => d.label.length));
    for (const d of view.details) lines.push(`${d.label.padEnd(width)}  ${d.value}`);
    lines.push('');
  }
  if (view.action) lines.push(`${view.action.label}:`, view.action.url, '');
  lines.push('--', view.footer.reason, `Unsubscribe: ${view.footer.unsubscribeUrl}`, view.footer.operator, '');
  return lines.join('\n');
}
