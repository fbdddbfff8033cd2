import { beforeAll, describe, expect, it } from 'vitest';
import { digestSubject, loadDigestRenderer, type DigestRenderer } from '../../src/digests/digest-render.ts';
import type { DigestCard, DigestView } from '../../src/digests/digest-view.ts';
import { digestFixture } from '../support/digest-view-fixture.ts';
import { inlineClassStyles } from '../support/email-styles.ts';

/** What Eta's autoEscape makes of a value in the HTML. */
const escapeHtml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
/** The text part wraps lines at 72 columns: compare with runs of whitespace made single spaces. */
const flat = (s: string) => s.replace(/\s+/g, ' ');
/** The HTML of each card, in order (each slice runs to the next card; the last one to the end). */
const cardsHtml = (html: string) => html.split('class="digest-card"').slice(1);
/** The text of card n (1-based): from "n. " to the next card or the footer. */
const cardText = (text: string, n: number) => text.slice(text.indexOf(`\n${n}. `), text.indexOf(`\n${n + 1}. `) === -1 ? text.indexOf('\n--\n') : text.indexOf(`\n${n + 1}. `));
/** The HTML as a reader sees it: numeric references to characters outside ASCII decoded. */
const readable = (html: string) => html.replace(/&#(\d+);/g, (ref, code: string) => (Number(code) > 127 ? String.fromCodePoint(Number(code)) : ref));
const hrefs = (html: string) => [...html.matchAll(/\shref\s*=\s*"([^"]*)"/gi)].map((m) => m[1]);

let renderer: DigestRenderer;
/** The renderer as the service uses it (classes not written back): what the timing test times. */
let sentRenderer: DigestRenderer;
let compileMs = 0;

beforeAll(async () => {
  const start = performance.now();
  const slim = await loadDigestRenderer();
  compileMs = performance.now() - start;
  sentRenderer = slim;
  // Assertions read the styles as MJML wrote them, inline: the sent HTML carries repeated ones as
  // classes (email-html.ts), which digest-screenshots.test.ts shows to render the same, pixel for pixel.
  renderer = { version: slim.version, render: (view) => { const r = slim.render(view); return { ...r, html: inlineClassStyles(r.html) }; } };
});

describe('digest email', () => {
  it('shows every card, with its title, company and reasons, in the HTML and the text part', () => {
    const view = digestFixture();
    const rendered = renderer.render(view);
    const html = readable(rendered.html);
    const text = rendered.text;
    expect(view.cards).toHaveLength(10);
    expect(cardsHtml(html)).toHaveLength(10);
    expect(text.match(/^\d+\. /gm)).toHaveLength(10);
    view.cards.forEach((card, i) => {
      const cardHtml = cardsHtml(html)[i]!;
      const cardPlain = flat(cardText(text, i + 1));
      expect(cardHtml).toContain(escapeHtml(card.title));
      expect(cardPlain).toContain(`${i + 1}. ${card.title}`);
      if (card.company) {
        expect(cardHtml).toContain(escapeHtml(card.company));
        expect(cardPlain).toContain(card.company);
      }
      for (const reason of card.reasons) {
        expect(cardHtml).toContain(escapeHtml(reason));
        expect(cardPlain).toContain(`- ${reason}`);
      }
      expect(cardHtml).toContain(escapeHtml(card.where));
      expect(cardHtml).toContain(`href="${card.interestUrl}"`);
      expect(cardHtml).toContain(`href="${card.notRelevantUrl}"`);
      expect(cardHtml.match(/>I'm interested<\/a>/g)).toHaveLength(1);
      expect(cardHtml.match(/>Not relevant<\/a>/g)).toHaveLength(1);
      expect(cardPlain).toContain(card.interestUrl);
      expect(cardPlain).toContain(card.notRelevantUrl);
    });
    // An apostrophe and an ampersand in a company name come out escaped, not doubled or lost.
    expect(html).toContain('O&#39;Neill &amp; Partners Ltd');
    expect(text).toContain("O'Neill & Partners Ltd");
    // The greeting, the footer and both of its links, in both parts.
    expect(html).toContain('Hi Anna,');
    expect(text.startsWith('Hi Anna,\n')).toBe(true);
    for (const part of [html, flat(text)]) {
      expect(part).toContain(view.footer.unsubscribeUrl);
      expect(part).toContain(view.footer.preferencesUrl);
      expect(part).toContain(view.footer.operator);
      expect(part).toContain(view.footer.reason);
    }
    expect(html).toMatch(/<a href="[^"]+"[^>]*>Unsubscribe<\/a>/);
    expect(html).toMatch(/<a href="[^"]+"[^>]*>Preferences<\/a>/);
    expect(html).toContain(`<title>${escapeHtml(view.subject)}</title>`);
    expect(html).toContain(escapeHtml(view.preheader));
    // No template left unfilled, no missing value printed.
    for (const part of [html, text]) {
      expect(part).not.toMatch(/\{\{|\}\}|\bundefined\b|\bnull\b|\[object Object\]/);
    }
  });

  it('leaves out the company line of an anonymous opportunity, and a missing budget or start', () => {
    const view = digestFixture();
    const anonymous = view.cards.findIndex((c) => c.company === null);
    const noBudget = view.cards.findIndex((c) => c.budget === null && c.startDate === null);
    expect(anonymous).toBeGreaterThanOrEqual(0);
    const { html, text } = renderer.render(view);

    // Between the title and the details table there is nothing to read when the company is null.
    const between = (cardHtml: string, card: DigestCard) =>
      cardHtml.slice(cardHtml.indexOf(escapeHtml(card.title)) + escapeHtml(card.title).length, cardHtml.indexOf('>Where<') + 1);
    const visible = (fragment: string) => fragment.replace(/<[^>]*>/g, '').trim();
    expect(visible(between(cardsHtml(html)[anonymous]!, view.cards[anonymous]!))).toBe('');
    expect(visible(between(cardsHtml(html)[0]!, view.cards[0]!))).toBe(escapeHtml(view.cards[0]!.company!));
    // In the text part the title is followed by a blank line, not by a company line.
    const [heading] = cardText(text, anonymous + 1).trim().split('\n\n');
    expect(flat(heading!)).toBe(`${anonymous + 1}. ${view.cards[anonymous]!.title}`);

    expect(cardsHtml(html)[noBudget]).not.toContain('>Budget<');
    expect(cardsHtml(html)[noBudget]).not.toContain('>Start<');
    expect(cardText(text, noBudget + 1)).not.toMatch(/Budget:|Start:/);
    expect(cardsHtml(html)[0]).toContain('>Budget<');
    expect(cardsHtml(html)[0]).toContain('22 Dec 2026');
    expect(cardText(text, 1)).toMatch(/Start: +22 Dec 2026/);
  });

  it('says until when each opportunity is open, in HTML and text, and leaves the line out when unknown', () => {
    const base = digestFixture();
    const view = { ...base, cards: [{ ...base.cards[0]!, openUntil: '2027-01-11' }, { ...base.cards[1]!, openUntil: null }] };
    const { html, text } = renderer.render(view);
    const visible = (fragment: string) => fragment.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ');
    expect(visible(cardsHtml(html)[0]!)).toContain('Open until 11 Jan 2027');
    expect(cardText(text, 1)).toMatch(/^Open until: +11 Jan 2027$/m); // the card body at the left margin (issue 14: bytes)
    expect(cardsHtml(html)[1]).not.toContain('Open until');
    expect(cardText(text, 2)).not.toContain('Open until');
  });

  it('escapes user text everywhere and never evaluates it as a template', () => {
    const script = '<script>alert(1)</script>';
    const img = '"><img src=x onerror=alert(1)>';
    const tag = '{{= it.x }}';
    const hostile = `${script} ${img} ${tag}`;
    const base = digestFixture();
    const card: DigestCard = {
      ...base.cards[0]!,
      title: `Fabric ${script}`,
      company: `Evil ${img} Ltd`,
      where: hostile,
      budget: hostile,
      summary: `Summary ${img} ${tag}`,
      skills: [
        { label: hostile, yours: true, required: true },
        { label: hostile, yours: false, required: false },
      ],
      reasons: [`Matches ${tag}`, script, img],
    };
    // `x` is on the data: a template that evaluated user text would print it.
    const view = {
      ...base,
      subject: hostile,
      preheader: hostile,
      partnerName: hostile,
      company: hostile,
      periodLabel: hostile,
      cards: [card, ...base.cards.slice(1)],
      footer: { ...base.footer, reason: hostile, operator: hostile },
      x: 'TEMPLATE-WAS-EVALUATED',
    } satisfies DigestView & { x: string };
    const { html, text } = renderer.render(view);

    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<img/i);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain(`Fabric ${escapeHtml(script)}`);
    expect(html).toContain(`Summary ${escapeHtml(img)} ${tag}`);
    expect(html).toContain(`<li style="margin:0 0 2px">Matches ${tag}</li>`);
    expect(html).not.toContain('TEMPLATE-WAS-EVALUATED');
    // The plain-text part is text/plain: it shows user text as it is, and evaluates nothing either.
    expect(text).toContain(`Fabric ${script}`);
    expect(text).toContain(`- Matches ${tag}`);
    expect(text).not.toContain('TEMPLATE-WAS-EVALUATED');
  });

  it('writes the HTML in ASCII: every other character as a numeric reference, the text part as it is', () => {
    const base = digestFixture();
    const words = 'Zürich – Café “Ö” ☕ 東京 🚀';
    const view: DigestView = {
      ...base,
      subject: `1 new opportunity · ${words}`,
      cards: [{ ...base.cards[0]!, title: words, summary: `${words} <b>` }],
    };
    const { html, text } = renderer.render(view);
    // ASCII keeps the ~70 KB string one byte a character: V8 encodes it ten times faster.
    expect(html).not.toMatch(/[\u0080-\u{10ffff}]/u);
    expect(html).toContain('Z&#252;rich &#8211; Caf&#233; &#8220;&#214;&#8221; &#9749; &#26481;&#20140; &#128640;');
    expect(readable(html)).toContain(`${words} &lt;b&gt;`);
    expect(readable(html)).toContain('✓ '); // the template's own characters too
    expect(text).toContain(words);
  });

  it('lets only http(s) links through', () => {
    const base = digestFixture();
    const view: DigestView = {
      ...base,
      cards: [
        { ...base.cards[0]!, interestUrl: 'javascript:alert(1)', notRelevantUrl: ' JavaScript:alert(document.cookie)' },
        { ...base.cards[1]!, interestUrl: 'data:text/html,<script>alert(1)</script>', notRelevantUrl: '//evil.example/n' },
        ...base.cards.slice(2),
      ],
      footer: { ...base.footer, preferencesUrl: 'vbscript:msgbox(1)', unsubscribeUrl: 'javascript:void(0)' },
    };
    const { html, text } = renderer.render(view);
    expect(html).not.toMatch(/javascript:|vbscript:|data:text/i);
    expect(text).not.toMatch(/javascript:|vbscript:|data:text/i);
    const links = hrefs(html);
    expect(links.length).toBeGreaterThanOrEqual(2 * 10 + 2);
    for (const href of links) expect(href).toMatch(/^(https?:\/\/|#$)/);
    expect(cardsHtml(html)[0]).toMatch(/<a href="#"[^>]*>I'm interested<\/a>/);
    expect(cardsHtml(html)[1]).toMatch(/<a href="#"[^>]*>Not relevant<\/a>/);
    expect(html).toMatch(/<a href="#"[^>]*>Unsubscribe<\/a>/);
  });

  it("highlights the partner's own skills with a colour and a ✓ (and a * in the text part)", () => {
    const view = digestFixture();
    const rendered = renderer.render(view);
    const html = readable(rendered.html);
    const text = rendered.text;
    view.cards.forEach((card, i) => {
      const cardHtml = cardsHtml(html)[i]!;
      const cardPlain = flat(cardText(text, i + 1));
      for (const skill of card.skills) {
        const label = escapeHtml(skill.label);
        if (skill.yours) {
          expect(cardHtml).toMatch(new RegExp(`<span style="[^"]*background:#e3f2ea[^"]*font-weight:700">✓ ${label}</span>`));
          expect(cardPlain).toContain(`${skill.label}*`);
        } else {
          expect(cardHtml).toContain(`>${label}</span>`);
          expect(cardHtml).not.toContain(`✓ ${label}<`);
          expect(cardPlain).toContain(skill.label);
          expect(cardPlain).not.toContain(`${skill.label}*`);
        }
      }
    });
    // Nice-to-have skills are labelled apart from the required ones.
    expect(cardsHtml(html)[0]).toContain('Nice to have:');
    expect(cardText(text, 1)).toMatch(/Nice to have: +Infrastructure as Code, DevOps with GitHub and Azure\*/);
  });

  it('lays the text part out for a terminal', () => {
    const { text } = renderer.render(digestFixture());
    for (const line of text.split('\n')) {
      if (!/https?:\/\//.test(line)) expect(line.length, line).toBeLessThanOrEqual(72);
    }
    expect(text).toMatch(/^10 new opportunities for Kestrel Cloud GmbH · Week 49, 2026\n=+\n/m);
    expect(text).toMatch(/\n--\n/);
    expect(text).toMatch(/^Unsubscribe: https:\/\/p2p\.example\/u\//m);
    expect(text).toMatch(/^Preferences: https:\/\/p2p\.example\/p\//m);
  });

  it('writes subjects that name the best card and at most two topics', () => {
    const best = 'Azure landing zone for a Linz logistics firm';
    expect(digestSubject(best, 4, ['Azure'])).toBe('Azure landing zone for a Linz logistics firm + 3 more for your Azure skills');
    expect(digestSubject(best, 1, ['Azure'])).toBe('Azure landing zone for a Linz logistics firm for your Azure skills');
    expect(digestSubject(best, 4, ['Azure', 'Security'])).toBe(`${best} + 3 more for your Azure and Security skills`);
    expect(digestSubject(best, 3, [])).toBe(`${best} + 2 more that fit your skills`);
    expect(digestSubject(best, 1, [])).toBe(`${best} that fits your skills`);
    expect(digestSubject(best, 5, ['Azure', 'Security', 'Modern Work'])).toBe(`${best} + 4 more for your Azure and Security skills`);
    expect(digestSubject(best, 2, ['Azure', ' Azure ', '', 'Security'])).toBe(`${best} + 1 more for your Azure and Security skills`);
    // A long title is cut at a word, with an ellipsis, so the subject stays short.
    const long = 'Managed SOC on Microsoft Sentinel for a Scottish housing association with 600 staff';
    const subject = digestSubject(long, 3, ['Security']);
    expect(subject).toBe('Managed SOC on Microsoft Sentinel for a Scottish housing… + 2 more for your Security skills');
    expect(subject.length).toBeLessThanOrEqual(100);
    expect(digestSubject('A'.repeat(80), 1, [])).toBe(`${'A'.repeat(59)}… that fits your skills`);
    // No title (never in practice): the count alone.
    expect(digestSubject('  ', 4, ['Azure', 'Security'])).toBe('4 new opportunities for your Azure and Security skills');
  });

  it('renders a copy quickly enough to print its cost (no timing assertion: speed goals live in benchmarks)', () => {
    const view = digestFixture();
    sentRenderer.render(view); // warm-up
    const copies = 200;
    const start = performance.now();
    let bytes = 0;
    for (let i = 0; i < copies; i++) bytes += sentRenderer.render({ ...view, partnerName: `Partner ${i}` }).html.length;
    const perCopy = (performance.now() - start) / copies;
    console.log(
      `digest render: MJML compile ${compileMs.toFixed(1)} ms once; ${perCopy.toFixed(3)} ms per copy ` +
        `(html + text, ${view.cards.length} cards, ${Math.round(bytes / copies / 1024)} KB html) over ${copies} copies`,
    );
    expect(bytes).toBeGreaterThan(0);
  });
});
