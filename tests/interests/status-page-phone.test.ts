import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addInterest, addOpportunity, addPartner } from '../support/digest-fixtures.ts';
import { CHROMIUM, CHROMIUM_ARGS, freePort } from '../support/link-scanner.ts';
import { createTestStack, type TestStack } from '../support/test-stack.ts';

/**
 * The submitter's status page on a 375 px phone, in Debian's Chromium (playwright-core): nothing
 * scrolls sideways, not the page and not a region of its own, and each partner introduced shows as
 * a card (company, contact, skills, when), as the digest draws its cards. And the summary email's
 * "Choose <company>" link lands on that partner's box to tick, highlighted by :target alone.
 */
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`tests/interests/status-page-phone.test.ts — SKIPPED: ${CHROMIUM} is missing (apt-get install chromium)`);

let t: TestStack;
let browser: Browser | undefined;
let base = '';
let statusPath = '';
let waitingInterest = '';

beforeAll(async () => {
  if (!hasChromium) return;
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  t = await createTestStack({ PUBLIC_BASE_URL: base });
  await t.app.listen({ port, host: '127.0.0.1' });
  // A long company name and address: what made the old table scroll inside its own region.
  const introduced = await addPartner(t, 'northwind-cloud-infrastructure-engineering', ['kubernetes-on-azure', 'identity-access-management'], {
    regions: ['dach'],
  });
  const waiting = await addPartner(t, 'identio', ['identity-access-management'], { regions: ['dach'] });
  const opportunityId = await addOpportunity(t, 'AKS landing zone for a Linz logistics firm', ['kubernetes-on-azure', 'identity-access-management']);
  const picked = await addInterest(t, opportunityId, introduced, { note: 'Three AKS platforms with Entra ID this year.' });
  waitingInterest = await addInterest(t, opportunityId, waiting);
  await t.c.introductions.introduce(opportunityId, [picked]);
  const { expiresAt } = await t.c.opportunities.getRow(opportunityId);
  statusPath = new URL(t.c.links.opportunityStatus(opportunityId, expiresAt)).pathname;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

/** Every element wider inside than it shows (scrollWidth > clientWidth), the page's own scroller included. */
const sidewaysScrollers = (page: Page) =>
  page.evaluate<string[]>(`[...document.querySelectorAll('*')]
    .filter((e) => e.clientWidth > 0 && e.scrollWidth > e.clientWidth + 1)
    .map((e) => e.tagName.toLowerCase() + (e.className ? '.' + String(e.className).split(' ').join('.') : '') + ' ' + e.scrollWidth + '>' + e.clientWidth)`);

describe.skipIf(!hasChromium)('the status page on a phone', () => {
  it('scrolls nowhere sideways at 375 px and shows the introduced partner as a card', async () => {
    const context = await browser!.newContext({ viewport: { width: 375, height: 800 } });
    try {
      context.setDefaultTimeout(5_000);
      const page = await context.newPage();
      await page.goto(`${base}${statusPath}`, { waitUntil: 'load' });
      expect(await sidewaysScrollers(page)).toEqual([]);
      expect(Number(await page.evaluate('document.scrollingElement.scrollWidth'))).toBeLessThanOrEqual(375);

      // One card per partner introduced: company, contact, email, skills, the day; no table.
      expect(await page.locator('main table').count()).toBe(0);
      const cards = page.locator('section.page-card.introduced');
      expect(await cards.count()).toBe(1);
      const card = cards.first();
      expect(await card.getByRole('heading', { level: 3 }).innerText()).toBe('northwind-cloud-infrastructure-engineering Ltd');
      const text = await card.innerText();
      expect(text).toContain('Contact northwind-cloud-infrastructure-engineering');
      expect(text).toMatch(/Introduced on\s+\d{1,2} [A-Z][a-z]{2} \d{4}/);
      expect(text).toContain('Three AKS platforms with Entra ID this year.');
      expect(await card.getByRole('link', { name: 'northwind-cloud-infrastructure-engineering@partners.example' }).getAttribute('href')).toBe(
        'mailto:northwind-cloud-infrastructure-engineering@partners.example',
      );
      // Its skills as the digest's chips, "✓" on the ones the opportunity asks for.
      expect(await card.locator('ul.chips li.yours').allInnerTexts()).toEqual(['✓ Kubernetes on Microsoft Azure', '✓ Identity and Access Management']);
      // The card fits the phone: no wider than the page's content.
      const box = await card.boundingBox();
      expect(box!.x).toBeGreaterThanOrEqual(0);
      expect(box!.x + box!.width).toBeLessThanOrEqual(375);
    } finally {
      await context.close();
    }
  }, 60_000);

  it("opens at the partner's box to tick when the link names it (#pick-<interest>), and highlights that card by :target", async () => {
    const context = await browser!.newContext({ viewport: { width: 375, height: 800 } });
    try {
      context.setDefaultTimeout(5_000);
      const page = await context.newPage();
      await page.goto(`${base}${statusPath}#pick-${waitingInterest}`, { waitUntil: 'load' });
      const box = page.locator(`#pick-${waitingInterest}`);
      expect(await box.getAttribute('type')).toBe('checkbox');
      expect(await box.getAttribute('value')).toBe(waitingInterest);
      expect(await box.isChecked()).toBe(false); // a GET only shows it: picking is the page's POST
      const target = `document.getElementById(${JSON.stringify(`pick-${waitingInterest}`)})`;
      expect(await page.evaluate<boolean>(`${target}.matches(':target')`)).toBe(true);
      expect(await page.evaluate<string>(`getComputedStyle(${target}.closest('section.page-card')).borderTopColor`)).toBe('rgb(11, 99, 206)');
      expect(await page.locator('section.page-card.interested').count()).toBe(1);
      // Scrolled to it: the box is in view.
      expect(await page.evaluate<number>(`${target}.getBoundingClientRect().top`)).toBeLessThan(800);
      expect(await page.evaluate('window.scrollY')).toBeGreaterThan(0);
      expect(await t.c.db.selectFrom('introductions').select('id').execute()).toHaveLength(1);
    } finally {
      await context.close();
    }
  }, 60_000);
});
