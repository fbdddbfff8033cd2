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
const skipNote = hasChromium ? '' : ` — SKIPPED: ${CHROMIUM} is missing (apt-get install chromium)`;
if (!hasChromium) console.warn(`tests/digest-screenshots.test.ts${skipNote}`);

let browser: Browser | undefined;
let html = '';
/** The same digest from MJML's output as it is, every style inline: what the slimmed HTML must look like. */
let referenceHtml = '';
/** A notice (the other template, slimmed the same way) and its reference. */
let noticeHtml = '';
let noticeReferenceHtml = '';
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
  noticeReferenceHtml = (await loadMailTemplates(await compileEmailTemplate('notice.mjml', { slim: false }))).notice(notice).html;
  await mkdir(OUT_DIR, { recursive: true });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
});

afterAll(async () => {
  await browser?.close();
});

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
    for (const [kind, sent, reference] of [['digest', html, referenceHtml], ['notice', noticeHtml, noticeReferenceHtml]] as const) {
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
