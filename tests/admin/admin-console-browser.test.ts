import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseFingerprint } from '../support/db-fingerprint.ts';
import { matchOpportunity } from '../../src/matching/match.service.ts';
import { addOpportunity, addPartner, digestMailsTo } from '../support/digest-fixtures.ts';
import { opportunityPayload } from '../support/factories.ts';
import { storeInbound } from '../support/inbound-fixtures.ts';
import { CHROMIUM, CHROMIUM_ARGS, freePort, linksOf, scanLink } from '../support/link-scanner.ts';
import { createTestStack, eventually, linkIn, type TestStack } from '../support/test-stack.ts';

/**
 * The operator console in a real browser, as an operator goes through it: ask for a sign-in link,
 * open it from the mail (after a mail scanner has fetched every link of it), sign in, approve a
 * moderated opportunity, lift suppressions, find a partner, resend their failed digest (one mail
 * arrives), reprocess a failed inbound message, and find every action in the audit log. Screenshots at a phone's
 * and a desktop's width go to test-results/; the README's are made by this test too (see DOCS).
 * Debian's Chromium through playwright-core (never a browser download); `.ci/run` installs it.
 */
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`tests/admin/admin-console-browser.test.ts — SKIPPED: ${CHROMIUM} is missing (apt-get install chromium)`);

const OPERATOR = 'ops@operator.example';
const RESULTS = fileURLToPath(new URL('../../test-results/', import.meta.url));
/**
 * The README's pictures (every console page at 375 and 1280 px) are refreshed on request only, so an ordinary
 * run leaves the tree clean: `UPDATE_DOC_SCREENSHOTS=1 npx vitest run tests/admin/admin-console-browser.test.ts`.
 */
const DOCS = process.env.UPDATE_DOC_SCREENSHOTS ? fileURLToPath(new URL('../../docs/images/', import.meta.url)) : RESULTS;
const SUBMITTER = { name: 'Lena Vogt', company: 'Vogt Maschinenbau GmbH', email: 'lena@vogt.example' };
const TITLE = 'AKS landing zone for a machine builder';

let t: TestStack;
let browser: Browser | undefined;
let base = '';

beforeAll(async () => {
  if (!hasChromium) return;
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  t = await createTestStack({ PUBLIC_BASE_URL: base, MODERATION: 'on', ADMIN_EMAILS: OPERATOR });
  await t.app.listen({ port, host: '127.0.0.1' });
  t.startBackground();
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  await mkdir(RESULTS, { recursive: true });
  await mkdir(DOCS, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

async function pressButton(page: Page, name: string | RegExp) {
  await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name }).first().click()]);
}

const scrollWidth = async (page: Page) => Number(await page.evaluate('document.scrollingElement.scrollWidth'));

/** Full-page screenshots of the current page at a phone's and a desktop's width; the phone must not scroll sideways. */
async function screenshots(page: Page, name: string, dir = RESULTS) {
  for (const width of [375, 1280]) {
    await page.setViewportSize({ width, height: 800 });
    await page.screenshot({ path: `${dir}admin-${name}-${width}.png`, fullPage: true });
    if (width === 375) expect(await scrollWidth(page), `${name} fits 375 px`).toBeLessThanOrEqual(376);
  }
}

/** A partner whose digest the SMTP server refused (550): the digest failed and the address is suppressed. */
async function partnerWithFailedDigest(key: string) {
  const partnerId = await addPartner(t, key, ['kubernetes-on-azure']);
  const opportunityId = await addOpportunity(t, `Cluster upgrade for ${key}`, ['kubernetes-on-azure']);
  await t.c.opportunities.approve(opportunityId, {});
  await matchOpportunity(t.c.db, opportunityId, t.c.log);
  const email = `${key}@partners.example`;
  t.smtp.options.reject = new Set([email]);
  try {
    expect(await t.c.digests.runRound({ everyone: true, partnerId })).toMatchObject({ failed: 1 });
  } finally {
    t.smtp.options.reject = undefined;
  }
  return { partnerId, email, company: `${key} Ltd` };
}

/** A stored emailed opportunity that failed processing on its last attempt. */
async function failedInbound() {
  const raw = Buffer.from(
    ['From: Eva Stein <eva@stein-consulting.example>', 'To: opportunities@p2p.test', 'Subject: Sentinel rollout for a hospital', 'Message-ID: <browser-intake@stein-consulting.example>', '', 'We need help with Microsoft Sentinel in Vienna.'].join('\r\n'),
  );
  const id = await storeInbound(t, raw, { mailFrom: 'eva@stein-consulting.example' });
  await t.c.db.updateTable('inboundMessages').set({ status: 'failed', outcome: 'failed: understanding crashed', attempts: 5, processedAt: new Date() }).where('id', '=', id).execute();
  return id;
}

describe('the operator console in a browser', () => {
  it.skipIf(!hasChromium)('signs in through the emailed link, approves, lifts a suppression, finds a partner, resends a failed digest once, reprocesses a failed message, shows the audit log', { timeout: 120_000 }, async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/opportunities',
      headers: t.adminHeaders,
      payload: opportunityPayload({ title: TITLE, requiredSkills: ['kubernetes-on-azure'], regions: ['dach'], submitter: SUBMITTER }),
    });
    expect(created.json<{ status: string }>().status).toBe('pending_review');
    await t.c.suppressions.suppress('former.partner@bounced.example', 'hard_bounce');
    const refused = await partnerWithFailedDigest('resend-me');
    const inboundId = await failedInbound();

    const page = await browser!.newPage({ viewport: { width: 375, height: 800 } });
    await page.goto(`${base}/admin`);
    expect(new URL(page.url()).pathname).toBe('/admin/sign-in');
    await page.getByLabel('Email').fill(OPERATOR);
    await pressButton(page, 'Email me a sign-in link');
    await expect.poll(() => page.getByRole('status').textContent()).toContain('a sign-in link is on its way');

    const mail = await t.smtp.waitFor((m) => m.envelope.to.includes(OPERATOR) && /sign-in link/.test(m.parsed.subject ?? ''));
    // A mail scanner fetches every link of the mail, runs the pages, and signs nobody in.
    const before = await databaseFingerprint(t.c.db);
    for (const url of linksOf(mail.parsed).filter((u) => u.startsWith(base))) {
      const report = await scanLink(url, browser!, 1_000);
      expect(report.statuses.every((s) => s < 400), `${url}: ${report.statuses.join(',')}`).toBe(true);
    }
    expect(await databaseFingerprint(t.c.db)).toEqual(before);

    await page.goto(linkIn(mail.parsed.text, '/admin/sign-in/'));
    await pressButton(page, 'Sign in');
    expect(new URL(page.url()).pathname).toBe('/admin');
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Overview');
    await screenshots(page, 'overview', DOCS);

    await page.setViewportSize({ width: 375, height: 800 });
    await page.getByRole('link', { name: /awaiting review/ }).click();
    await page.waitForLoadState('load');
    await expect.poll(() => page.getByRole('heading', { name: TITLE }).count()).toBe(1);
    await screenshots(page, 'moderation', DOCS);
    await pressButton(page, 'Approve');
    await expect.poll(() => page.getByRole('status').textContent()).toContain(`Approved "${TITLE}"`);
    const approved = await t.smtp.waitFor((m) => m.envelope.to.includes(SUBMITTER.email) && m.parsed.subject === `Approved: ${TITLE}`);
    expect(approved.parsed.text).toContain('published');

    await page.getByRole('link', { name: 'Opportunities', exact: true }).click();
    await page.waitForLoadState('load');
    await screenshots(page, 'opportunities', DOCS);
    await page.getByRole('link', { name: TITLE }).click();
    await page.waitForLoadState('load');
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe(TITLE);
    expect(await page.locator('main').textContent()).toContain('DACH (Germany, Austria, Switzerland)');
    await screenshots(page, 'opportunity', DOCS);

    await page.getByRole('link', { name: 'Suppressions' }).click();
    await page.waitForLoadState('load');
    await screenshots(page, 'suppressions', DOCS);
    await pressButton(page, 'Lift the suppression of former.partner@bounced.example');
    await expect.poll(() => page.getByRole('status').textContent()).toContain('may be emailed again');
    expect(await t.c.suppressions.suppressionOf('former.partner@bounced.example')).toBeUndefined();
    // The partner's mailbox is fixed: lift the hard bounce, then resend their digest.
    await pressButton(page, `Lift the suppression of ${refused.email}`);
    await expect.poll(() => page.getByRole('status').textContent()).toContain('may be emailed again');

    await page.getByRole('link', { name: 'Partners' }).click();
    await page.waitForLoadState('load');
    await screenshots(page, 'partners', DOCS);
    await page.getByLabel('Company or email').fill('resend-me');
    await pressButton(page, 'Search');
    await page.getByRole('link', { name: refused.company }).click();
    await page.waitForLoadState('load');
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe(refused.company);
    expect(await page.locator('main').textContent()).toContain('mailbox unavailable');
    await screenshots(page, 'partner', DOCS);

    await page.getByRole('link', { name: 'Digests' }).click();
    await page.waitForLoadState('load');
    await screenshots(page, 'digests', DOCS);
    await pressButton(page, `Resend the digest to ${refused.company}`);
    await expect.poll(() => page.getByRole('status').textContent()).toContain('1 digest queued to be sent again');
    await t.smtp.waitFor((m) => m.envelope.to.includes(refused.email));
    await new Promise((r) => setTimeout(r, 1_500));
    expect(digestMailsTo(t, refused.email)).toHaveLength(1);

    await page.getByRole('link', { name: 'Email intake' }).click();
    await page.waitForLoadState('load');
    await screenshots(page, 'inbound', DOCS);
    await page.getByLabel('Status').selectOption('failed');
    await pressButton(page, 'Show');
    await page.locator(`a[href="/admin/inbound/${inboundId}"]`).click();
    await page.waitForLoadState('load');
    await screenshots(page, 'inbound-message', DOCS);
    await pressButton(page, 'Process again');
    await expect.poll(() => page.getByRole('status').textContent()).toContain('Queued to be processed again');
    await eventually(async () => {
      const row = await t.c.db.selectFrom('inboundMessages').select('status').where('id', '=', inboundId).executeTakeFirstOrThrow();
      return row.status !== 'received' && row.status !== 'failed';
    }, 20_000);

    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.waitForLoadState('load');
    const log = await page.locator('tbody').textContent();
    for (const action of ['sign-in', 'opportunity.approve', 'suppression.lift', 'digest.resend', 'inbound.reprocess']) expect(log).toContain(action);
    await screenshots(page, 'audit', DOCS);

    await page.getByRole('link', { name: 'Queues' }).click();
    await page.waitForLoadState('load');
    await expect.poll(() => page.getByText('digest-send').count(), { timeout: 10_000 }).toBeGreaterThan(0);

    await page.goto(`${base}/admin`);
    await pressButton(page, 'Sign out');
    await page.goto(`${base}/admin`);
    expect(new URL(page.url()).pathname).toBe('/admin/sign-in');
    await page.close();
  });
});
