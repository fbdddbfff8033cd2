/**
 * Compile-time slimming of an email template's HTML (MJML's output, with Eta's `{{ }}` tags still
 * in it), done once per process. MJML writes every style inline on every element: in a digest the
 * same 100-character `style="font-family:…;font-size:15px;…"` recurs on every text block of every
 * card, and inline styles were more than half of a 10-card digest's bytes.
 *
 * - Every style becomes a class rule in one `<style>` block in the head (Gmail, Apple Mail,
 *   Outlook.com, Outlook for Windows, Yahoo and Thunderbird read a head `<style>`), and each
 *   declaration is written once for all the classes that have it (`classRules`): a style used
 *   once moves too, because its font stack or colour then costs a selector, not a declaration.
 *   (Issue 14: a 10-card digest within 60 KB; before, only styles used twice or more moved.)
 * - Left inline, as MJML wrote it: everything inside Outlook's conditional comments
 *   (`<!--[if mso | IE]>…<![endif]-->`: the tables Outlook for Windows lays out with), the
 *   padding of `<a>` elements (Outlook.com's `#outlook a { padding:0 }` would beat a class), and
 *   widths, centring and the whole style of a hidden element, the preheader (`staysInline`,
 *   `candidate`): a client that drops `<style>`
 *   (the Gmail app showing a non-Google account) keeps the 600 px column and loses type,
 *   colours, borders and spacing.
 * - Markup that says nothing goes (`tidyMarkup`): IE's half of Outlook's conditional comments,
 *   `border="0"` on tables, one-column layouts' column classes, and the like.
 * - Line breaks inside tags and the indentation MJML leaves go, and so do line breaks between two
 *   table or block tags in the body (whitespace there never shows), while a line stays short
 *   enough to be sent as it is (lines of at most 998 characters; see mime-message.ts).
 *
 * The result renders the same: a class rule applies to exactly the elements that had the inline
 * style, and no rule of the template's own `<style>` blocks is more specific than a class and
 * competes for those elements (tests/digests/digest-screenshots.test.ts compares the pixels).
 */

/**
 * Kept inline whatever happens, so that a client without `<style>` keeps the layout: widths (the
 * 600 px column), centring, and what hides the preheader.
 */
function staysInline(tag: string, property: string, value: string): boolean {
  if (['width', 'max-width', 'max-height', 'opacity', 'overflow'].includes(property)) return true;
  // Outlook.com's `#outlook a { padding:0 }` (MJML's head) would beat a class: a link keeps its padding inline.
  if (tag === 'a' && property.startsWith('padding')) return true;
  if (property === 'display') return value === 'none';
  if (property === 'margin') return value.includes('auto');
  return value.includes('!important');
}

/** Tags whose style stays inline (see above). */
const INLINE_TAGS = new Set(['html', 'body', 'head', 'style', 'title', 'meta']);

const ETA_TAG = /\{\{[\s\S]*?\}\}/g;
const CONDITIONAL = /(<!--\[if[\s\S]*?<!\[endif\]-->)/;
const OPEN_TAG = /<([a-zA-Z][a-zA-Z0-9]*)(\s[^<>]*?)?(\/?)>/g;
const STYLE_ATTR = /\sstyle="([^"]*)"/;

/** Class names: a, b, … z, aa, ab, … (short; the template's own classes all contain "-"). */
function className(index: number): string {
  let name = '';
  let n = index;
  do {
    name = String.fromCharCode(97 + (n % 26)) + name;
    n = Math.floor(n / 26) - 1;
  } while (n >= 0);
  return `${name}`;
}

/** A style's declarations split into what stays inline (layout) and what may move to a class. */
function splitStyle(tag: string, style: string): { inline: string; movable: string } {
  const inline: string[] = [];
  const movable: string[] = [];
  for (const declaration of style.split(';')) {
    const trimmed = declaration.trim();
    if (!trimmed) continue;
    const colon = trimmed.indexOf(':');
    const property = trimmed.slice(0, colon).trim().toLowerCase();
    (staysInline(tag.toLowerCase(), property, trimmed.slice(colon + 1).trim().toLowerCase()) ? inline : movable).push(trimmed);
  }
  return { inline: inline.join(';'), movable: movable.join(';') };
}

interface Candidate {
  tag: string;
  attributes: string;
  style: string;
}

/** The tag's style when it may move to a class, else undefined. */
function candidate(tag: string, attributes: string | undefined): Candidate | undefined {
  if (!attributes || INLINE_TAGS.has(tag.toLowerCase())) return undefined;
  const style = STYLE_ATTR.exec(attributes)?.[1];
  if (style === undefined || style.includes('\uE000')) return undefined; // an Eta tag inside the style
  // A hidden element (the preheader) keeps its whole style: Outlook's mso-hide, and the colour
  // that spam filters read inline to tell a hidden preheader from hidden text.
  if (/display:\s*none/i.test(style)) return undefined;
  return { tag, attributes, style };
}

/** Slims a compiled email template (see the file comment). Eta tags pass through untouched. */
export function slimEmailHtml(html: string): string {
  // Eta's tags out of the way first: their code may hold anything, "<" and ">" included.
  const eta: string[] = [];
  const protectedHtml = html.replace(ETA_TAG, (tag) => `\uE000${eta.push(tag) - 1}\uE000`);
  const loopDepthAt = loopDepths(protectedHtml, eta);

  // Pass 1: how often each movable style occurs outside Outlook's comments (inside a loop counts
  // twice): the most used get the shortest class names.
  const segments = protectedHtml.split(CONDITIONAL);
  const uses = new Map<string, number>();
  let offset = 0;
  segments.forEach((segment, i) => {
    if (i % 2 === 0) {
      for (const m of segment.matchAll(OPEN_TAG)) {
        const c = candidate(m[1]!, m[2]);
        if (!c) continue;
        const { movable } = splitStyle(c.tag, c.style);
        if (movable) uses.set(movable, (uses.get(movable) ?? 0) + (loopDepthAt(offset + m.index) > 0 ? 2 : 1));
      }
    }
    offset += segment.length;
  });
  const classes = new Map<string, string>();
  for (const [style] of [...uses].sort((a, b) => b[1] * b[0].length - a[1] * a[0].length)) classes.set(style, className(classes.size));

  // Pass 2: the styles with a class get it; the rest of the markup as it was.
  const slim = segments
    .map((segment, i) =>
      i % 2
        ? segment
        : segment.replace(OPEN_TAG, (whole, tag: string, attributes: string | undefined, selfClosing: string) => {
            const c = candidate(tag, attributes);
            const cls = c && classes.get(splitStyle(c.tag, c.style).movable);
            const tidy = (attrs: string) => attrs.replace(/\s+/g, ' ').replace(/ $/, '');
            if (!c || !cls) return attributes ? `<${tag}${tidy(attributes)}${selfClosing}>` : whole;
            const { inline } = splitStyle(c.tag, c.style);
            const rest = attributes!.replace(STYLE_ATTR, inline ? ` style="${inline}"` : '');
            // An element with classes of its own (MJML's columns) gets ours last: Outlook for
            // Windows, said to read only the first, lays columns out from its conditional tables.
            const own = /\sclass="([^"]*)"/.exec(rest);
            if (own) return `<${tag}${tidy(rest.replace(own[0], ` class="${own[1]} ${cls}"`))}${selfClosing}>`;
            return `<${tag}${tidy(rest)} class="${cls}"${selfClosing}>`;
          }),
    )
    .join('')
    // <tbody> is implied by every HTML parser (MJML writes it out).
    .replace(/<tbody>\n?|<\/tbody>\n?/g, '')
    // MJML's indentation and blank lines; a line break between tags stays (whitespace there may show).
    .replace(/\n[ \t]+/g, '\n')
    .replace(/\n{2,}/g, '\n');
  const joined = joinStructuralLines(tidyMarkup(slim));
  const withRules = classes.size ? joined.replace('</head>', `<style type="text/css">\n${classRules(classes)}\n</style>\n</head>`) : joined;
  return withRules.replace(/\uE000(\d+)\uE000/g, (_, i: string) => eta[Number(i)]!);
}

/**
 * For each position of the protected template, how many Eta loops (`forEach(function … {`) are
 * open there: what is inside one is written once per item.
 */
function loopDepths(protectedHtml: string, eta: string[]): (position: number) => number {
  const marks: Array<[number, number]> = [];
  let depth = 0;
  for (const m of protectedHtml.matchAll(/\uE000(\d+)\uE000/g)) {
    const code = eta[Number(m[1])]!;
    if (/forEach\s*\(\s*function/.test(code)) depth++;
    else if (/^\{\{\s*\}\s*\)\s*;?\s*\}\}$/.test(code)) depth = Math.max(0, depth - 1);
    marks.push([m.index, depth]);
  }
  return (position) => {
    let found = 0;
    for (const [at, d] of marks) {
      if (at > position) break;
      found = d;
    }
    return found;
  };
}

/** Tags whose neighbouring whitespace never shows: table structure and block boxes (and comments). */
const STRUCTURAL_END = /(?:<\/?(?:table|tr|td|th|div|ul|ol|li|p)\b[^<>]*>|-->)$/;
const STRUCTURAL_START = /^(?:<\/?(?:table|tr|td|th|div|ul|ol|li|p)\b|<!--)/;
/** A joined line of the template stays under this, leaving room for the values filled in. */
const JOINED_LINE_MAX = 400;

/** Joins lines of the body where one ends and the next starts with a structural tag (see the file comment). */
function joinStructuralLines(html: string): string {
  const body = html.indexOf('<body');
  if (body < 0) return html;
  const lines = html.slice(body).split('\n');
  const out: string[] = [lines[0]!];
  for (const line of lines.slice(1)) {
    const last = out[out.length - 1]!;
    if (STRUCTURAL_END.test(last) && STRUCTURAL_START.test(line) && last.length + line.length <= JOINED_LINE_MAX) out[out.length - 1] = last + line;
    else out.push(line);
  }
  return html.slice(0, body) + out.join('\n');
}

/**
 * What MJML writes that no client reads differently without it (see the file comment):
 * - in Outlook's conditional comments, `[if mso | IE]` becomes `[if mso]` (Internet Explorer
 *   stopped reading conditional comments at version 10 and shows no email), and a class no
 *   `<style>` names (MJML's `class=""`, `css-class`'s `digest-card-outlook`) and the space
 *   before a tag's `>` go;
 * - the VML namespace on `<html>` when there is no VML;
 * - outside them, a table's `border="0"` (a table without the attribute has no border), and a
 *   `style="width:100%"` beside a `width="100%"` that says the same, and `align="center"` on a
 *   table as wide as its box;
 * - a one-column layout's column classes: `mj-column-per-100` (its rule, in two media queries,
 *   repeats the column's inline `width:100%`) and `mj-outlook-group-fix` (its rule, for Outlook
 *   2003 and older, the same), with their rules. Kept where a template has columns of other widths.
 */
function tidyMarkup(html: string): string {
  const oneColumn = !/mj-column-(?!per-100\b)/.test(html);
  const styled = [...html.matchAll(/<style[^>]*>([\s\S]*?)<\/style>/g)].map((m) => m[1]!).join('\n');
  const unstyled = (name: string) => !new RegExp(`\\.${name.replace(/[^\w-]/g, '')}\\b`).test(styled);
  return html
    // MJML declares VML's namespace for background images; without a <v:…> element it names nothing.
    .replace(/ xmlns:v="urn:schemas-microsoft-com:vml"(?![\s\S]*<v:)/, '')
    .split(CONDITIONAL)
    .map((segment, i) => {
      if (i % 2) {
        if (oneColumn && /^<!--\[if lte mso 11\]>\s*<style type="text\/css">\s*\.mj-outlook-group-fix \{[^}]*\}\s*<\/style>\s*<!\[endif\]-->$/.test(segment)) return '';
        return segment
          .replace('<!--[if mso | IE]>', '<!--[if mso]>')
          .replace(/ class="([^"]*)"/g, (whole, names: string) => (names.split(' ').every((n) => !n || unstyled(n)) ? '' : whole))
          .replace(/ +>/g, '>');
      }
      let out = segment.replace(/<table\b[^<>]*>/g, (tag) => {
        let t = tag.replace(/ border="0"/, '');
        if (/ width="100%"/.test(t)) t = t.replace(/ style="width:100%;?"/, '');
        // Centring a table as wide as its box moves nothing.
        if (/ width="100%"| style="width:100%;?"/.test(t)) t = t.replace(/ align="center"/, '');
        return t;
      });
      if (oneColumn) {
        out = out
          .replace(/ class="mj-column-per-100 mj-outlook-group-fix( [^"]*)?"/g, (_, rest: string | undefined) => (rest ? ` class="${rest.trim()}"` : ''))
          .replace(/<style type="text\/css">\s*@media only screen and \(min-width:\d+px\) \{\s*\.mj-column-per-100 \{[^}]*\}\s*\}\s*<\/style>\n?/, '')
          .replace(/<style media="screen and \(min-width:\d+px\)">\s*\.moz-text-html \.mj-column-per-100 \{[^}]*\}\s*<\/style>\n?/, '');
      }
      return out;
    })
    .join('')
    .replace(/\n{2,}/g, '\n');
}

/**
 * The class rules, a declaration written once for every class that has it: `.b,.k{font-family:…}`
 * instead of the same font stack in seven rules. Each element carries one of these classes, so the
 * order of the rules never decides anything, except between a shorthand and its longhands
 * (`background` and `background-color`, `padding` and `padding-top`) in one class: those stay
 * together, in their order, in a rule of that class alone.
 */
function classRules(classes: Map<string, string>): string {
  const groups = new Map<string, { selectors: string[]; declarations: string[] }>();
  const add = (selectors: string[], declaration: string) => {
    const key = selectors.join(',');
    const group = groups.get(key) ?? { selectors, declarations: [] };
    group.declarations.push(declaration);
    groups.set(key, group);
  };
  const owners = new Map<string, string[]>();
  const bound: Array<[string, string]> = [];
  for (const [style, name] of classes) {
    const declarations = style.split(';');
    const properties = declarations.map((d) => d.slice(0, d.indexOf(':')).trim().toLowerCase());
    const related = (a: string, b: string) => a === b || a.startsWith(`${b}-`) || b.startsWith(`${a}-`);
    declarations.forEach((declaration, i) => {
      if (properties.some((p, j) => j !== i && related(p, properties[i]!))) bound.push([name, declaration]);
      else owners.set(declaration, [...(owners.get(declaration) ?? []), name]);
    });
  }
  for (const [declaration, names] of owners) add(names, declaration);
  for (const [name, declaration] of bound) add([name], declaration);
  return [...groups.values()].map((g) => `${g.selectors.map((n) => `.${n}`).join(',')}{${g.declarations.join(';')}}`).join('\n');
}

