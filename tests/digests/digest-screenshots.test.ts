import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDigestRenderer } from '../../src/digests/digest-render.ts';
import { compileEmailTemplate, loadMailTemplates, type NoticeView } from '../../src/platform/mail/mail-templates.ts';
import { digestFixture } from '../support/digest-view-fixture.ts';
import { CHROMIUM, CHROMIUM_ARGS } from '../support/link-scanner.ts';

/**
 * The digest in a real browser engine, at a phone's width and a desktop client's: full-page
 * screenshots for people to look at (test-results/, git-ignored) and layout checks for CI.
 * Debian's Chromium only: a browser is never downloaded. `.ci/run` installs it.
 */
const hasChromium = existsSync(CHROMIUM);
const OUT_DIR = fileURLToPath(new URL('../../test-results/', import.meta.url));
/** With UPDATE_DOC_SCREENSHOTS=1 the phone pictures of the digest and the interest summary go to docs/images/ too (the README shows them). */
const DOCS = process.env.UPDATE_DOC_SCREENSHOTS ? fileURLToPath(new URL('../../docs/images/', import.meta.url)) : null;
const skipNote = hasChromium ? '' : ` — SKIPPED: ${CHROMIUM} is missing (apt-get install chromium)`;
if (!hasChromium) console.warn(`tests/digest-screenshots.test.ts${skipNote}`);

let browser: Browser | undefined;
let html = '';
/** The same digest from MJML's output as it is, every style inline: what the slimmed HTML must look like. */
let referenceHtml = '';
/** A notice (the other template, slimmed the same way) and its reference. */
let noticeHtml = '';
let noticeReferenceHtml = '';
/** A notice with cards (the interest summary) and its reference. */
let cardsHtml = '';
let cardsReferenceHtml = '';
let cardCount = 0;

beforeAll(async () => {
  if (!hasChromium) return;
  const view = digestFixture();
  cardCount = view.cards.length;
  html = (await loadDigestRenderer()).render(view).html;
  referenceHtml = (await loadDigestRenderer({ slim: false })).render(view).html;
  const notice: NoticeView = {
    subject: 'Please confirm your opportunity',
    preheader: 'One click and it goes to the partners who fit',
    heading: 'Confirm your opportunity',
    paragraphs: ['You submitted "AKS platform and security baseline".', 'It goes out once you confirm it.'],
    details: [{ label: 'Title', value: 'AKS platform and security baseline' }, { label: 'Regions', value: 'DACH (Germany, Austria, Switzerland)' }],
    action: { label: 'Confirm', url: 'https://p2p.example/submit/confirm/abc' },
    footer: { reason: 'You receive this because you submitted an opportunity.', unsubscribeUrl: 'https://p2p.example/u/x', operator: 'p2p-digest · Example Street 1' },
  };
  noticeHtml = (await loadMailTemplates()).notice(notice).html;
  const referenceNotice = await loadMailTemplates(await compileEmailTemplate('notice.mjml', { slim: false }));
  noticeReferenceHtml = referenceNotice.notice(notice).html;
  const withCards = interestSummaryFixture();
  cardsHtml = (await loadMailTemplates()).notice(withCards).html;
  cardsReferenceHtml = referenceNotice.notice(withCards).html;
  await mkdir(OUT_DIR, { recursive: true });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
});

afterAll(async () => {
  await browser?.close();
});

/** The interest summary as the submitter gets it: three partners as cards, one without a note. */
function interestSummaryFixture(): NoticeView {
  const status = 'https://p2p.example/o/o1.eyJwIjoiMDE5MzA3YjQifQ.q3V8mZ0kTt1uXyJc5vH2nR9aLw4sEoPbDf6gKhYi';
  return {
    subject: '3 partners are interested in Azure landing zone for a Linz logistics firm',
    preheader: 'Kestrel Cloud GmbH, Donaunetz Systemhaus GmbH, Fjord & Fell AS: see what they offer, then choose whom to meet.',
    heading: '3 partners are interested',
    paragraphs: [
      'Hello Sam, 3 partners have told us they would like to work with you on "Azure landing zone for a Linz logistics firm". Here is what they offer and why they match.',
      'Their contact details stay private until you choose: tick the partners you want to meet on your status page, and we introduce you to each other by email.',
    ],
    legend: { chip: '✓ Asked for', text: 'marks the skills your opportunity asks for.', plain: 'Skills marked ✓ are ones your opportunity asks for.' },
    details: [],
    action: { label: 'Choose whom to meet', url: status },
    cards: [
      {
        title: 'Kestrel Cloud GmbH',
        facts: [{ label: 'Regions', value: 'DACH (Germany, Austria, Switzerland)' }],
        skills: [
          { label: 'Azure Landing Zones', yours: true },
          { label: 'Kubernetes on Microsoft Azure', yours: true },
          { label: 'Microsoft Intune', yours: false },
          { label: '+ 3 more', yours: false },
        ],
        reasonsHeading: 'Why they fit',
        reasons: ['Matches their skills: Azure Landing Zones, Kubernetes on Microsoft Azure', 'Serves DACH (Germany, Austria, Switzerland)'],
        note: 'We built landing zones for two logistics firms in Upper Austria this year and can start in January.',
        noteLabel: 'Their note',
      },
      {
        title: 'Donaunetz Systemhaus GmbH',
        subtitle: 'Already introduced to you',
        facts: [{ label: 'Regions', value: 'DACH (Germany, Austria, Switzerland), Western Europe' }],
        skills: [{ label: 'Azure Landing Zones', yours: true }, { label: 'Cloud Security', yours: false }],
        reasonsHeading: 'Why they fit',
        reasons: ['Matches their skills: Azure Landing Zones'],
        note: '',
        noteLabel: 'Their note',
      },
      {
        title: 'Fjord & Fell AS',
        facts: [{ label: 'Regions', value: 'Nordics' }],
        skills: [{ label: 'Infrastructure as Code', yours: true }],
        reasonsHeading: 'Why they fit',
        reasons: [],
        note: "Remote only, but we've done this twice.",
        noteLabel: 'Their note',
      },
    ],
    footer: { reason: 'You receive this because you submitted an opportunity to p2p-digest.', unsubscribeUrl: 'https://p2p.example/u/x', operator: 'p2p-digest · Example Street 1' },
  };
}

/** Opens the email at `width` px; fails the test if it asks the network for anything. */
async function open(width: number, content = html): Promise<Page> {
  const page = await browser!.newPage({ viewport: { width, height: 900 } });
  const requests: string[] = [];
  page.on('request', (req) => requests.push(req.url()));
  await page.setContent(content, { waitUntil: 'load' });
  expect(requests, 'the email loads nothing from the network (no external CSS, fonts or images)').toEqual([]);
  return page;
}

const scrollWidth = async (page: Page) => Number(await page.evaluate('document.scrollingElement.scrollWidth'));

async function buttons(page: Page, name: string) {
  const links = page.getByRole('link', { name, exact: true });
  return Promise.all((await links.all()).map(async (link) => ({ visible: await link.isVisible(), box: await link.boundingBox() })));
}

describe('digest email in Chromium', () => {
  it.skipIf(!hasChromium)(`fits a 375 px phone: no sideways scroll, every card, thumb-sized buttons${skipNote}`, async () => {
    const page = await open(375);
    try {
      await page.screenshot({ path: `${OUT_DIR}digest-375.png`, fullPage: true });
      if (DOCS) await page.screenshot({ path: `${DOCS}mail-digest-375.png`, clip: { x: 0, y: 0, width: 375, height: 1400 } }); // the top: two cards
      expect(await scrollWidth(page)).toBeLessThanOrEqual(375 + 1);
      const cards = page.locator('div.digest-card');
      expect(await cards.count()).toBe(cardCount);
      for (const box of await Promise.all((await cards.all()).map((c) => c.boundingBox()))) {
        expect(box!.x).toBeGreaterThanOrEqual(0);
        expect(box!.x + box!.width).toBeLessThanOrEqual(375 + 1);
      }
      for (const name of ["I'm interested", 'Not relevant']) {
        const found = await buttons(page, name);
        expect(found, name).toHaveLength(cardCount);
        for (const { visible, box } of found) {
          expect(visible, name).toBe(true);
          expect(box!.height, `${name} is at least 44 px tall`).toBeGreaterThanOrEqual(44);
          expect(box!.width, `${name} is wide enough to hit`).toBeGreaterThanOrEqual(100);
          expect(box!.x + box!.width, `${name} is on screen`).toBeLessThanOrEqual(375);
        }
      }
      for (const name of ['Unsubscribe', 'Preferences']) {
        expect(await page.getByRole('link', { name, exact: true }).isVisible(), name).toBe(true);
      }
    } finally {
      await page.close();
    }
  });

  it.skipIf(!hasChromium)(`the interest summary fits a 375 px phone: a card per partner, the status page one tap away${skipNote}`, async () => {
    const page = await open(375, cardsHtml);
    try {
      await page.screenshot({ path: `${OUT_DIR}interest-summary-375.png`, fullPage: true });
      if (DOCS) await page.screenshot({ path: `${DOCS}mail-interest-summary-375.png`, fullPage: true });
      expect(await scrollWidth(page)).toBeLessThanOrEqual(375 + 1);
      const cards = page.locator('div.notice-card');
      expect(await cards.count()).toBe(3);
      const boxes = await Promise.all((await cards.all()).map((c) => c.boundingBox()));
      for (const box of boxes) {
        expect(box!.x).toBeGreaterThanOrEqual(0);
        expect(box!.x + box!.width).toBeLessThanOrEqual(375 + 1);
      }
      const found = await buttons(page, 'Choose whom to meet');
      expect(found).toHaveLength(2);
      for (const { visible, box } of found) {
        expect(visible).toBe(true);
        expect(box!.height).toBeGreaterThanOrEqual(44);
      }
      // The first one above the cards, within the first screen of a phone: one tap away.
      expect(found[0]!.box!.y).toBeLessThan(boxes[0]!.y);
      expect(found[0]!.box!.y + found[0]!.box!.height).toBeLessThanOrEqual(900);
    } finally {
      await page.close();
    }
  });

  it.skipIf(!hasChromium)(`keeps the 600 px layout in a 640 px window${skipNote}`, async () => {
    const page = await open(640);
    try {
      await page.screenshot({ path: `${OUT_DIR}digest-640.png`, fullPage: true });
      expect(await scrollWidth(page)).toBeLessThanOrEqual(640 + 1);
      const cards = page.locator('div.digest-card');
      expect(await cards.count()).toBe(cardCount);
      for (const box of await Promise.all((await cards.all()).map((c) => c.boundingBox()))) {
        expect(Math.round(box!.width)).toBe(600);
        expect(Math.round(box!.x)).toBe(20); // centred
      }
      for (const name of ["I'm interested", 'Not relevant']) {
        const found = await buttons(page, name);
        expect(found, name).toHaveLength(cardCount);
        for (const { visible, box } of found) {
          expect(visible, name).toBe(true);
          expect(box!.height, name).toBeGreaterThanOrEqual(44);
        }
      }
    } finally {
      await page.close();
    }
  });

  it.skipIf(!hasChromium)(`looks exactly like MJML's own output, pixel for pixel, at 375 and 640 px (the notice template too)${skipNote}`, async () => {
    // The sent HTML has repeated inline styles as classes in a <style> block, no <tbody> and no
    // indentation (email-html.ts); a browser must draw it exactly as MJML's inline-styled output.
    expect(html.length).toBeLessThan(referenceHtml.length * 0.75);
    const kinds = [
      ['digest', html, referenceHtml],
      ['notice', noticeHtml, noticeReferenceHtml],
      ['interest-summary', cardsHtml, cardsReferenceHtml],
    ] as const;
    for (const [kind, sent, reference] of kinds) {
      for (const width of [375, 640]) {
        const shots: Buffer[] = [];
        for (const [name, content] of [['sent', sent], ['reference', reference]] as const) {
          const page = await open(width, content);
          try {
            shots.push(await page.screenshot({ path: `${OUT_DIR}${kind}-${width}-${name}.png`, fullPage: true }));
          } finally {
            await page.close();
          }
        }
        expect(shots[0]!.equals(shots[1]!), `test-results/${kind}-${width}-sent.png and -reference.png differ`).toBe(true);
      }
    }
  });
});
